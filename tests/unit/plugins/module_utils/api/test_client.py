"""The API client against a faked HTTP layer (responses): auth, retries, errors, pagination, secrets."""

import json

import pytest
import requests
import responses
import urllib3

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api import _retry
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError, IMNotFoundError

BASE = "http://api.test/marketplace/eu"
SECRETS = ("s3cret-Passw0rd", "key-0123456789")


def token_ok(rsps, token="tok-1", ttl=1500):
    return rsps.add(responses.POST, BASE + "/token", json={"token": token, "expiresInSeconds": ttl})


def calls_to(rsps, method, path):
    return [call for call in rsps.calls if call.request.method == method and call.request.url.split("?")[0] == BASE + path]


def test_token_request_and_headers(rsps, make_client):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/customers/1", json={"id": "1"})
    client = make_client(client_id="app-7")
    assert client.get("/customers/1") == {"id": "1"}
    token_call = rsps.calls[0].request
    assert token_call.headers["Authorization"].startswith("Basic ")
    assert token_call.headers["X-Subscription-Key"] == "key-0123456789"
    assert json.loads(token_call.body) == {"marketplace": "us"}
    api_call = rsps.calls[1].request
    assert api_call.headers["Authorization"] == "Bearer tok-1"
    assert api_call.headers["X-Subscription-Key"] == "key-0123456789"
    assert api_call.headers["X-Client-Id"] == "app-7"
    assert api_call.headers["User-Agent"].startswith("ingrammicro.marketplace/")


def test_one_token_for_many_calls(rsps, make_client):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/customers/1", json={"id": "1"})
    client = make_client()
    for _call in range(5):
        client.get("/customers/1")
    assert len(calls_to(rsps, "POST", "/token")) == 1


def test_401_triggers_exactly_one_reauthentication(rsps, make_client):
    rsps.add(responses.POST, BASE + "/token", json={"token": "old", "expiresInSeconds": 1500})
    rsps.add(responses.POST, BASE + "/token", json={"token": "new", "expiresInSeconds": 1500})
    rsps.add(responses.GET, BASE + "/customers/1", status=401, json={"message": "token expired"})
    rsps.add(responses.GET, BASE + "/customers/1", json={"id": "1"})
    client = make_client()
    assert client.get("/customers/1") == {"id": "1"}
    api_calls = calls_to(rsps, "GET", "/customers/1")
    assert [call.request.headers["Authorization"] for call in api_calls] == ["Bearer old", "Bearer new"]
    assert len(calls_to(rsps, "POST", "/token")) == 2


def test_401_twice_fails_without_looping(rsps, make_client):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/customers/1", status=401, json={"message": "denied"})
    client = make_client()
    with pytest.raises(IMApiError) as err:
        client.get("/customers/1")
    assert err.value.status == 401
    assert len(calls_to(rsps, "GET", "/customers/1")) == 2
    assert len(calls_to(rsps, "POST", "/token")) == 2
    assert "re-authenticating" in str(err.value)


def test_bad_credentials_name_the_settings(rsps, make_client):
    rsps.add(responses.POST, BASE + "/token", status=401, json={"message": "Unauthorized"})
    client = make_client()
    with pytest.raises(IMApiError) as err:
        client.get("/customers")
    assert "username, password or subscription key" in str(err.value)
    assert len(calls_to(rsps, "POST", "/token")) == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_get_retried_on_transient_status(rsps, make_client, sleeps, status):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/products", status=status, json={"message": "busy"})
    rsps.add(responses.GET, BASE + "/products", json={"data": [], "pagination": {"offset": 0, "limit": 10, "total": 0}})
    client = make_client()
    assert client.get("/products")["data"] == []
    assert len(sleeps) == 1
    assert client.retry_summary() and str(status) in client.retry_summary()


def test_get_gives_up_after_max_retries(rsps, make_client, sleeps):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/products", status=503, json={"message": "maintenance"}, headers={"X-Correlation-ID": "c-9"})
    client = make_client(max_retries=2)
    with pytest.raises(IMApiError) as err:
        client.get("/products")
    assert len(calls_to(rsps, "GET", "/products")) == 3
    assert len(sleeps) == 2
    assert err.value.status == 503 and err.value.correlation_id == "c-9"
    assert "maintenance" in str(err.value) and "c-9" in str(err.value)


def test_retry_after_seconds_is_honoured(rsps, make_client, sleeps):
    token_ok(rsps)
    rsps.add(responses.POST, BASE + "/orders", status=429, headers={"Retry-After": "3"}, json={"message": "slow down"})
    rsps.add(responses.POST, BASE + "/orders", json={"id": "9", "status": "submitted"})
    client = make_client()
    assert client.post("/orders", {"type": "sales"})["id"] == "9"
    assert len(calls_to(rsps, "POST", "/orders")) == 2
    assert 3.0 <= sleeps[0] <= 3.5


def test_retry_after_http_date_is_honoured(rsps, make_client, sleeps):
    import email.utils
    import time

    token_ok(rsps)
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    rsps.add(responses.GET, BASE + "/orders", status=429, headers={"Retry-After": when})
    rsps.add(responses.GET, BASE + "/orders", json={"data": [], "pagination": {"offset": 0, "limit": 10, "total": 0}})
    make_client().get("/orders")
    assert 18.0 <= sleeps[0] <= 22.0  # 20 s, plus the second an HTTP date may have been truncated by


def test_backoff_never_sleeps_past_retry_timeout(rsps, make_client, sleeps):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/products", status=503, json={"message": "maintenance"})
    client = make_client(max_retries=10, retry_timeout=2)
    client._backoff = _retry.Backoff(rng=lambda: 1.0)  # the longest delays full jitter can draw: 0.5, 1, 2, ...
    with pytest.raises(IMApiError) as err:
        client.get("/products")
    assert sleeps == [0.5, 1.0]  # the next, 2 s, would end at 3.5 s: stop rather than sleep past the 2 s
    assert err.value.status == 503 and "after 3 attempts" in str(err.value)


def test_a_read_timeout_is_not_retried_when_the_backoff_would_end_after_retry_timeout(rsps, make_client, sleeps):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/customers/1", body=requests.exceptions.ReadTimeout("read timed out"))
    client = make_client(retry_timeout=0.4)
    client._backoff = _retry.Backoff(rng=lambda: 1.0)
    with pytest.raises(IMApiError) as err:
        client.get("/customers/1")
    assert sleeps == [] and "timeout" in str(err.value)
    assert len(calls_to(rsps, "GET", "/customers/1")) == 1


def test_a_503_retry_after_beyond_retry_timeout_is_not_slept(rsps, make_client, sleeps):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/products", status=503, headers={"Retry-After": "60"}, json={"message": "maintenance"})
    client = make_client(retry_timeout=20)
    with pytest.raises(IMApiError) as err:
        client.get("/products")
    assert sleeps == [] and err.value.status == 503
    assert len(calls_to(rsps, "GET", "/products")) == 1


@pytest.mark.parametrize("status", [500, 502, 504])
def test_post_order_not_retried_when_server_may_have_acted(rsps, make_client, sleeps, status):
    token_ok(rsps)
    rsps.add(responses.POST, BASE + "/orders", status=status, json={"message": "oops"})
    client = make_client()
    with pytest.raises(IMApiError) as err:
        client.post("/orders", {"type": "sales"})
    assert len(calls_to(rsps, "POST", "/orders")) == 1
    assert sleeps == []
    assert err.value.status == status
    assert err.value.ambiguous is True  # the caller must look the order up before trying again


def test_post_order_read_timeout_is_ambiguous_and_not_retried(rsps, make_client, sleeps):
    token_ok(rsps)
    rsps.add(responses.POST, BASE + "/orders", body=requests.exceptions.ReadTimeout("read timed out"))
    client = make_client()
    with pytest.raises(IMApiError) as err:
        client.post("/orders", {"type": "sales"})
    assert err.value.ambiguous is True
    assert err.value.status is None
    assert "may have acted" in str(err.value)
    assert len(calls_to(rsps, "POST", "/orders")) == 1
    assert sleeps == []


def test_post_dropped_connection_is_ambiguous(rsps, make_client):
    token_ok(rsps)
    dropped = requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")))
    rsps.add(responses.POST, BASE + "/orders", body=dropped)
    with pytest.raises(IMApiError) as err:
        make_client().post("/orders", {"type": "sales"})
    assert err.value.ambiguous is True
    assert "connection reset" in str(err.value)


def test_connection_refused_is_retried_even_for_post(rsps, make_client, sleeps):
    token_ok(rsps)
    refused = requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(
        None, "/marketplace/eu/orders", urllib3.exceptions.NewConnectionError(None, "[Errno 111] Connection refused")))
    rsps.add(responses.POST, BASE + "/orders", body=refused)
    rsps.add(responses.POST, BASE + "/orders", json={"id": "7"})
    assert make_client().post("/orders", {"type": "sales"}) == {"id": "7"}
    assert len(sleeps) == 1


def test_get_read_timeout_is_retried(rsps, make_client, sleeps):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/customers/1", body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.add(responses.GET, BASE + "/customers/1", json={"id": "1"})
    assert make_client().get("/customers/1") == {"id": "1"}
    assert len(sleeps) == 1


def test_estimate_and_token_posts_are_retried_like_reads(rsps, make_client):
    rsps.add(responses.POST, BASE + "/token", status=502)
    token_ok(rsps)
    rsps.add(responses.POST, BASE + "/orders/estimate", status=500)
    rsps.add(responses.POST, BASE + "/orders/estimate", json={"total": {"amount": "1", "currency": "USD"}})
    assert make_client().post("/orders/estimate", {"type": "sales"})["total"]["amount"] == "1"


def test_error_mapping_uses_message_or_error_and_correlation_id(rsps, make_client):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/customers/404", status=404, json={"message": "customer 404 not found"},
             headers={"X-Correlation-ID": "a8n-1"})
    rsps.add(responses.PATCH, BASE + "/customers/1", status=400, json={"error": "address.countryCode is invalid"},
             headers={"X-Correlation-ID": "a8n-2"})
    client = make_client()
    with pytest.raises(IMNotFoundError) as err:
        client.get("/customers/404")
    assert (err.value.status, err.value.path, err.value.correlation_id) == (404, "/customers/404", "a8n-1")
    assert str(err.value) == "GET /customers/404: HTTP 404 customer 404 not found (correlation id a8n-1)"
    assert client.get_or_none("/customers/404") is None
    with pytest.raises(IMApiError) as err:
        client.patch("/customers/1", {"address": {}})
    assert err.value.api_message == "address.countryCode is invalid"
    assert err.value.details()["correlation_id"] == "a8n-2"


def test_secrets_never_appear_in_errors(rsps, make_client):
    token_ok(rsps, token="tok-SECRET-123")
    echo = "bad request for user with password s3cret-Passw0rd, key key-0123456789 and token tok-SECRET-123"
    rsps.add(responses.GET, BASE + "/customers", status=400, json={"message": echo})
    client = make_client()
    with pytest.raises(IMApiError) as err:
        client.get("/customers", {"name": "x"})
    text = str(err.value) + json.dumps(err.value.details())
    for secret in SECRETS + ("tok-SECRET-123",):
        assert secret not in text
    assert "********" in text


def test_non_json_answer_points_at_api_url(rsps, make_client):
    rsps.add(responses.POST, BASE + "/token", body="<html>login</html>", content_type="text/html")
    with pytest.raises(IMApiError) as err:
        make_client().get("/customers")
    assert "check api_url" in str(err.value)


def test_tls_failure_names_validate_certs(rsps, make_client, sleeps):
    rsps.add(responses.POST, BASE + "/token", body=requests.exceptions.SSLError("CERTIFICATE_VERIFY_FAILED"))
    with pytest.raises(IMApiError) as err:
        make_client().get("/customers")
    assert "validate_certs" in str(err.value)
    assert sleeps == []


# ----------------------------------------------------------------------------- pagination

def page(items, offset, total, limit):
    return {"data": items, "pagination": {"offset": offset, "limit": limit, "total": total}}


def test_paginate_reads_every_page(rsps, make_client):
    token_ok(rsps)
    rows = [{"id": str(i)} for i in range(25)]

    def callback(request):
        query = dict(pair.split("=") for pair in request.url.split("?")[1].split("&"))
        offset, limit = int(query["offset"]), int(query["limit"])
        return 200, {}, json.dumps(page(rows[offset:offset + limit], offset, len(rows), limit))

    rsps.add_callback(responses.GET, BASE + "/customers", callback=callback)
    assert make_client().paginate("/customers", {"name": "a"}, page_size=10) == rows
    assert len(calls_to(rsps, "GET", "/customers")) == 3
    assert "name=a" in calls_to(rsps, "GET", "/customers")[0].request.url


def test_paginate_continues_when_the_server_clamps_the_page_size(rsps, make_client):
    token_ok(rsps)
    rows = [{"id": str(i)} for i in range(250)]

    def callback(request):
        query = dict(pair.split("=") for pair in request.url.split("?")[1].split("&"))
        offset = int(query["offset"])
        return 200, {}, json.dumps(page(rows[offset:offset + 100], offset, len(rows), 1000))  # claims 1000, sends 100

    rsps.add_callback(responses.GET, BASE + "/subscriptions", callback=callback)
    assert make_client().paginate("/subscriptions") == rows


def test_paginate_stops_on_a_server_that_repeats_the_same_page(rsps, make_client):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/orders", json=page([{"id": "1"}, {"id": "2"}], 0, 10 ** 9, 2))
    with pytest.raises(IMApiError) as err:
        make_client().paginate("/orders", page_size=2)
    assert "same page" in str(err.value)
    assert len(calls_to(rsps, "GET", "/orders")) == 2


def test_paginate_stops_on_empty_page_and_short_page_without_total(rsps, make_client):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/plans", json={"data": [{"id": "1"}, {"id": "2"}], "pagination": {"offset": 0, "limit": 5}})
    rsps.add(responses.GET, BASE + "/reports", json=page([], 0, 5, 5))
    client = make_client()
    assert len(client.paginate("/plans", page_size=5)) == 2
    assert client.paginate("/reports") == []
    assert len(calls_to(rsps, "GET", "/plans")) == 1


def test_paginate_max_items(rsps, make_client):
    token_ok(rsps)
    rsps.add(responses.GET, BASE + "/products", json=page([{"id": str(i)} for i in range(5)], 0, 50, 5))
    assert len(make_client().paginate("/products", page_size=5, max_items=3)) == 3


@pytest.mark.parametrize("status, ambiguous, code", [
    (None, False, "api_unreachable"), (None, True, "answer_lost"), (400, False, "refused_by_api"), (404, False, "refused_by_api"),
    (401, False, "not_authorised"), (429, False, "throttled"), (503, False, "api_error"),
])
def test_an_api_failure_says_its_kind_in_a_word(status, ambiguous, code):
    assert IMApiError("GET /customers: failed", status=status, ambiguous=ambiguous).code == code
