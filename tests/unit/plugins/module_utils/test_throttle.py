"""The shared throttle: one pause for every thread, an adaptive limit on requests in flight, 429s bounded by time."""

import threading
import time

import pytest
import responses

from ansible_collections.ingrammicro.marketplace.plugins.module_utils._errors import IMApiError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._throttle import Throttle

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
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, BASE + "/token", json={"token": "t-1", "expiresInSeconds": 1500})
        yield mock


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
