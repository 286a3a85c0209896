"""The shared throttle: one pause for every thread, an adaptive limit on requests in flight, 429s bounded by time."""

import json
import threading
import time

import pytest
import responses

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api import _retry
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._client import THROTTLED
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._throttle import PausedPastDeadline, Throttle
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import Vocabulary


def said(message):
    """A message of this layer as a playbook's own task says it: the options it marks, by their names."""
    return Vocabulary().say(str(message))


BASE = "http://api.test/marketplace/eu"


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_a_429_pauses_every_thread_not_only_the_one_throttled():
    clock = Clock()
    throttle = Throttle(8, clock=clock.monotonic, sleep=clock.sleep)
    with throttle.slot():
        throttle.throttled(2.0)
    # Another thread, which never saw the 429, waits out the same pause before its next request.
    other = []
    worker = threading.Thread(target=lambda: other.append(throttle.slot().__enter__()))
    worker.start()
    worker.join(5)
    assert clock.sleeps == [2.0]


def test_the_limit_halves_once_per_burst_and_grows_back_with_successes():
    clock = Clock()
    throttle = Throttle(8, clock=clock.monotonic, sleep=clock.sleep)
    held = [throttle.slot() for _slot in range(8)]
    for slot in held:
        slot.__enter__()
    throttle.throttled(1.0)
    throttle.throttled(1.0)  # the same burst: no second halving
    assert throttle.limit == 4.0
    for slot in held:
        slot.__exit__(None, None, None)
    clock.now += 1.0
    with throttle.slot():
        throttle.throttled(1.0)  # a new burst, one request in flight: the limit cannot go below 1
    assert throttle.limit == 1.0
    clock.now += 1.5
    throttle.succeeded()  # right after the pause: not yet, it would only spend the budget on more 429s
    assert throttle.limit == 1.0
    clock.now += 1.0
    for _success in range(20):
        throttle.succeeded()
    assert 5.0 < throttle.limit < 8.0  # about one more per round of successes
    for _success in range(200):
        throttle.succeeded()
    assert throttle.limit == 8.0


def test_no_more_requests_in_flight_than_the_limit():
    throttle = Throttle(8)
    throttle.limit = 2.0
    in_flight, peak, lock = [0], [0], threading.Lock()

    def request():
        with throttle.slot():
            with lock:
                in_flight[0] += 1
                peak[0] = max(peak[0], in_flight[0])
            time.sleep(0.02)
            with lock:
                in_flight[0] -= 1

    threads = [threading.Thread(target=request) for _thread in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert peak[0] == 2


@pytest.fixture
def rsps(rsps):
    """The faked HTTP layer (tests/unit/conftest.py), issuing tokens."""
    rsps.add(responses.POST, BASE + "/token", json={"token": "t-1", "expiresInSeconds": 1500})
    return rsps


def test_throttled_requests_are_retried_past_max_retries_until_retry_timeout(rsps, make_client, sleeps):
    for _attempt in range(12):
        rsps.add(responses.GET, BASE + "/products", status=429, headers={"Retry-After": "1"}, json={"message": "slow down"})
    rsps.add(responses.GET, BASE + "/products", json={"data": [], "pagination": {"offset": 0, "limit": 10, "total": 0}})
    client = make_client(max_retries=2, retry_timeout=60)
    assert client.get("/products")["data"] == []
    assert len(sleeps) == 12 and all(1.0 <= seconds <= 1.1 for seconds in sleeps)


def test_throttled_requests_give_up_after_retry_timeout_naming_it(rsps, make_client, sleeps):
    rsps.add(responses.GET, BASE + "/products", status=429, headers={"Retry-After": "2"}, json={"message": "slow down"})
    client = make_client(max_retries=50, retry_timeout=9)
    with pytest.raises(IMApiError) as err:
        client.get("/products")
    assert err.value.status == 429
    assert "retry_timeout" in str(err.value) and "INGRAM_RETRY_TIMEOUT" in str(err.value)
    assert 7 <= sum(sleeps) <= 9  # Retry-After steps, never a wait that would end after the budget


def test_a_pause_ending_after_the_deadline_refuses_the_request_without_sleeping():
    clock = Clock()
    throttle = Throttle(8, clock=clock.monotonic, sleep=clock.sleep)
    with throttle.slot():
        throttle.throttled(120.0, reason="the 429 of POST /orders")
    clock.now = 1.0
    with pytest.raises(PausedPastDeadline) as err:
        with throttle.slot(deadline=21.0):
            pytest.fail("sent during a pause that outlasts the deadline")
    assert clock.sleeps == [] and throttle.in_flight == 0
    assert err.value.reason == "the 429 of POST /orders" and err.value.resumes_in == 119.0
    with throttle.slot(deadline=125.0):  # a deadline after the pause: wait it out, then go
        pass
    assert clock.sleeps == [119.0]


def fake_latency(sleeps, seconds, status, body, headers=None):
    """A responses callback whose answer takes ``seconds`` on the fake clock (a real request is not instant)."""

    def callback(_request):
        sleeps.now += seconds
        return status, dict(headers or {}), json.dumps(body)

    return callback


def test_a_retry_after_beyond_retry_timeout_fails_at_once_for_the_request_and_for_those_after_it(rsps, make_client, sleeps):
    rsps.add_callback(responses.POST, BASE + "/orders", callback=fake_latency(
        sleeps, 0.2, 429, {"message": "Rate limit is exceeded; try again later."}, {"Retry-After": "3600"}))
    rsps.add_callback(responses.GET, BASE + "/subscriptions/1", callback=fake_latency(sleeps, 0.1, 200, {"id": "1"}))
    client = make_client(retry_timeout=20)
    client.token()
    started = sleeps.now
    with pytest.raises(IMApiError) as err:
        client.post("/orders", {"type": "change"})
    assert sleeps == [] and sleeps.now - started == pytest.approx(0.2)
    assert err.value.status == 429
    assert said(err.value) == (
        "POST /orders: HTTP 429 Rate limit is exceeded; try again later: the API asked to wait 3600s (Retry-After), longer than "
        "retry_timeout (20s) allows; gave up after 0.2s and 1 attempt. Run again later, or raise retry_timeout "
        "(INGRAM_RETRY_TIMEOUT), or run fewer tasks in parallel or with a lower concurrency")

    # Another thread, started later with the same retry_timeout: the shared pause (the Retry-After, capped at 120 s) ends
    # after its deadline, so it is neither sent nor put to sleep.
    sleeps.now += 5.0
    later = []
    worker = threading.Thread(target=lambda: later.append(pytest.raises(IMApiError, client.get, "/subscriptions/1")))
    worker.start()
    worker.join(5)
    assert sleeps == [] and len(rsps.calls) == 2  # the token and the one order
    assert later[0].value.status == 429
    assert said(later[0].value) == (
        "GET /subscriptions/1: HTTP 429 Rate limit is exceeded; try again later: not sent: POST /orders of this task was "
        "throttled and the API asked to wait 3600s (Retry-After), longer than retry_timeout (20s) allows; gave up after 0s and "
        "0 attempts. Run again later, or raise retry_timeout (INGRAM_RETRY_TIMEOUT), or run fewer tasks in parallel or with a "
        "lower concurrency")


def test_a_request_with_time_left_waits_out_the_pause_and_is_sent(rsps, make_client, sleeps):
    rsps.add(responses.POST, BASE + "/orders", status=429, headers={"Retry-After": "30"}, json={"message": "slow down"})
    rsps.add(responses.GET, BASE + "/subscriptions/1", json={"id": "1"})
    client = make_client(retry_timeout=20)
    with pytest.raises(IMApiError):
        client.post("/orders", {"type": "change"})  # 30 s > 20 s
    sleeps.now += 15.0
    client.config.retry_timeout = 60  # a later request allowed to wait: the pause ends before its deadline
    assert client.get("/subscriptions/1") == {"id": "1"}
    assert len(sleeps) == 1 and 15.0 <= sleeps[0] <= 15.1


def test_short_retry_afters_in_a_row_still_succeed_within_retry_timeout(rsps, make_client, sleeps):
    for _attempt in range(3):
        rsps.add(responses.GET, BASE + "/products", status=429, headers={"Retry-After": "1"}, json={"message": "slow down"})
    rsps.add(responses.GET, BASE + "/products", json={"data": [], "pagination": {"offset": 0, "limit": 10, "total": 0}})
    client = make_client(max_retries=0, retry_timeout=5)
    started = sleeps.now
    assert client.get("/products")["data"] == []
    assert len(sleeps) == 3 and all(1.0 <= seconds <= 1.1 for seconds in sleeps)
    assert sleeps.now - started <= 5
    assert client.retries[THROTTLED] == 3


def test_the_message_counts_the_seconds_and_attempts_of_a_request_throttled_repeatedly(rsps, make_client, sleeps):
    rsps.add(responses.GET, BASE + "/products", status=429, headers={"Retry-After": "4"}, json={"message": "slow down"})
    client = make_client(retry_timeout=10)
    client._backoff = _retry.Backoff(rng=lambda: 0.0)  # no jitter: exact numbers
    with pytest.raises(IMApiError) as err:
        client.get("/products")
    assert sleeps == [4.0, 4.0]  # a third wait would end at 12 s, after the 10 s
    assert "the API asked to wait 4s (Retry-After), longer than the 2s left of retry_timeout (10s); gave up after 8s and " \
           "3 attempts." in str(err.value)


def test_an_http_date_retry_after_is_shown_as_sent_with_its_seconds(rsps, make_client, sleeps):
    server_date = "Wed, 21 Oct 2015 07:28:00 GMT"
    asked = "Wed, 21 Oct 2015 08:28:00 GMT"
    rsps.add(responses.GET, BASE + "/products", status=429, headers={"Retry-After": asked, "Date": server_date})
    client = make_client(retry_timeout=20)
    with pytest.raises(IMApiError) as err:
        client.get("/products")
    assert sleeps == []
    assert "the API asked to wait until %s (Retry-After, 3600s), longer than retry_timeout (20s) allows" % asked in str(err.value)


def test_a_429_whose_own_wait_is_short_names_the_longer_pause_that_stopped_it(rsps, make_client, sleeps):
    client = make_client(retry_timeout=20)

    def answer(_request):
        # Meanwhile another thread's order was throttled for an hour (the pause is capped at 120 s).
        client._throttle.throttled(120.0, reason=("POST", "/orders", "Rate limit is exceeded", "3600", 3600.0))
        return 429, {"Retry-After": "1"}, json.dumps({"message": "slow down"})

    rsps.add_callback(responses.GET, BASE + "/products", callback=answer)
    with pytest.raises(IMApiError) as err:
        client.get("/products")
    assert sleeps == []
    assert "GET /products: HTTP 429 Rate limit is exceeded: POST /orders of this task was throttled and the API asked to wait " \
           "3600s (Retry-After), longer than retry_timeout (20s) allows; gave up after 0s and 1 attempt." in str(err.value)
