"""Property-based tests (hypothesis) of the client's pagination and retry policy, and of argument handling."""

import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
import urllib3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api import _retry
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._client import MarketplaceClient
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError, IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._seats import Guardrails
from tests.unit.conftest import Sleeps

BASE = "http://api.test/marketplace/eu"
PASSWORD = "Pw-7c1f3a9e-secret"


def client(max_retries=3, sleeps=None):
    config = ConnectionConfig.from_params(dict(api_url=BASE, username="u", password=PASSWORD, subscription_key="k-123456",
                                               marketplace="us", max_retries=max_retries, token_cache=False))
    sleeps = Sleeps() if sleeps is None else sleeps
    return MarketplaceClient(config, sleep=sleeps, monotonic=sleeps.monotonic)


def query(request):
    return {key: int(values[0]) for key, values in parse_qs(urlparse(request.url).query).items()}


# ---------------------------------------------------------------------------------------------------- pagination

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(total=st.integers(min_value=0, max_value=2500), server_max=st.integers(min_value=1, max_value=1200),
       report_asked_limit=st.booleans())
def test_pagination_returns_every_item_once_whatever_the_server_page_size(total, server_max, report_asked_limit):
    items = [{"id": str(number)} for number in range(total)]

    def page(request):
        asked = query(request)
        served = min(asked["limit"], server_max)
        body = {"data": items[asked["offset"]:asked["offset"] + served],
                "pagination": {"offset": asked["offset"], "limit": asked["limit"] if report_asked_limit else served, "total": total}}
        return 200, {}, json.dumps(body)

    with responses.RequestsMock() as mock:
        mock.add(responses.POST, BASE + "/token", json={"token": "t", "expiresInSeconds": 1500})
        mock.add_callback(responses.GET, BASE + "/customers", callback=page)
        found = client().paginate("/customers")
        calls = len(mock.calls) - 1
    assert found == items
    per_page = min(server_max, 1000)
    assert calls == max(1, -(-total // per_page))


@settings(max_examples=40, deadline=None)
@given(total=st.integers(min_value=1, max_value=50), honest_pages=st.integers(min_value=0, max_value=5))
def test_a_server_that_repeats_itself_never_makes_pagination_loop(total, honest_pages):
    """After some honest pages, the server sends the same page forever while claiming more: an error, not a loop."""
    def page(request):
        offset = query(request)["offset"]
        start = min(offset, honest_pages * 2)
        data = [{"id": "i%d" % number} for number in range(start, start + 2)]
        return 200, {}, json.dumps({"data": data, "pagination": {"offset": offset, "limit": 2, "total": 10 ** 9 + total}})

    with responses.RequestsMock() as mock:
        mock.add(responses.POST, BASE + "/token", json={"token": "t", "expiresInSeconds": 1500})
        mock.add_callback(responses.GET, BASE + "/orders", callback=page)
        with pytest.raises(IMApiError) as err:
            client().paginate("/orders", page_size=2)
        assert len(mock.calls) - 1 <= honest_pages + 2
    assert "same page" in str(err.value)


# ---------------------------------------------------------------------------------------------------- retries

OUTCOMES = st.sampled_from([200, 400, 404, 429, 500, 502, 503, 504, "refused", "reset", "timeout"])
AMBIGUOUS_FOR_WRITES = (500, 502, 504, "reset", "timeout")


def failure(outcome):
    if outcome == "refused":
        return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(
            None, "/", urllib3.exceptions.NewConnectionError(None, "[Errno 111] Connection refused")))
    if outcome == "reset":
        return requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError("aborted", ConnectionResetError(104, "reset")))
    return requests.exceptions.ReadTimeout("read timed out")


@settings(max_examples=200, deadline=None)
@given(outcomes=st.lists(OUTCOMES, min_size=1, max_size=8), max_retries=st.integers(min_value=0, max_value=5),
       write=st.booleans())
def test_retry_policy(outcomes, max_retries, write):
    method, path = ("POST", "/orders") if write else ("GET", "/customers/1")
    sleeps = Sleeps()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, BASE + "/token", json={"token": "t", "expiresInSeconds": 1500})
        for outcome in outcomes + [200] * 10:
            if isinstance(outcome, int):
                mock.add(method, BASE + path, status=outcome, json={"id": "1"} if outcome == 200 else {"message": "no"},
                         headers={"Retry-After": "1"} if outcome == 429 else {})
            else:
                mock.add(method, BASE + path, body=failure(outcome))
        try:
            answer = client(max_retries, sleeps).request(method, path, body={"type": "sales"} if write else None)
        except IMApiError as exc:
            answer = exc
        attempts = len([call for call in mock.calls if call.request.url.startswith(BASE + path)])
    sent = (outcomes + [200] * 10)[:attempts]
    # Throttled attempts (429) are bounded by retry_timeout, not counted against max_retries.
    assert len([outcome for outcome in sent[:-1] if outcome != 429]) <= max_retries
    assert sent[-1] != 429  # within retry_timeout, a throttled request is always sent again
    assert len(sleeps) == attempts - 1
    assert all(0 <= delay <= _retry.MAX_RETRY_AFTER + _retry.DEFAULT_BASE_DELAY for delay in sleeps)
    if write:
        # A write is never sent again after an answer that may mean it was acted on.
        assert not any(outcome in AMBIGUOUS_FOR_WRITES for outcome in sent[:-1])
    if isinstance(answer, dict):
        assert sent[-1] == 200
    else:
        assert sent[-1] != 200
        if write and sent[-1] in AMBIGUOUS_FOR_WRITES:
            assert answer.ambiguous


# ---------------------------------------------------------------------------------------------------- arguments

SETTING_VALUES = st.one_of(st.none(), st.text(max_size=30), st.integers(min_value=-10, max_value=10 ** 6),
                           st.floats(allow_nan=False, allow_infinity=False), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={name: SETTING_VALUES for name in (
    "api_url", "username", "subscription_key", "marketplace", "client_id", "timeout", "max_retries", "change_quantity")}))
def test_connection_settings_are_accepted_or_refused_cleanly(params):
    params = dict(params, password=PASSWORD)
    try:
        config = ConnectionConfig.from_params(params)
    except IMConfigError as exc:
        assert PASSWORD not in str(exc)
        return
    assert config.api_url.startswith(("http://", "https://"))
    assert config.timeout > 0 and config.max_retries >= 0 and config.change_quantity in ("total", "delta")
    assert PASSWORD not in repr(config)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.integers(min_value=-5, max_value=50)), st.one_of(st.none(), st.integers(min_value=-5, max_value=50)),
       st.booleans(), st.integers(min_value=1, max_value=300), st.integers(min_value=1, max_value=300))
def test_guardrails_refuse_negative_limits_and_judge_every_change(max_increase, max_decrease, allow, current, desired):
    try:
        guardrails = Guardrails(allow, max_increase, max_decrease)
    except IMConfigError as exc:
        assert (max_increase or 0) < 0 or (max_decrease or 0) < 0
        assert "must be 0 or more" in str(exc)
        return
    action, reason = guardrails.judge(current, desired)
    assert action in ("increase", "decrease", "none", "blocked")
    assert (reason is None) == (action != "blocked")
