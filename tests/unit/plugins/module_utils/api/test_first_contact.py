"""First contact with the API on a bad network: each transport failure ends with its own cause, the host and port and
what to check, quickly (FIRST_CONTACT_SECONDS), and the retry warning says what happened, never that the API asked."""

import pytest
import requests
import responses
import urllib3

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api import _retry
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._client import FIRST_CONTACT_SECONDS
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError

BASE = "http://api.test/marketplace/eu"


def refused():
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(
        None, "/marketplace/eu/token", urllib3.exceptions.NewConnectionError(None, "[Errno 111] Connection refused")))


def unresolved():
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(
        None, "/marketplace/eu/token", urllib3.exceptions.NameResolutionError("api.test", None, OSError(-2, "Name or service not known"))))


def taking(sleeps, seconds, exception):
    """A responses callback that spends ``seconds`` of the fake clock (a timeout's wait) and then raises ``exception``."""

    def callback(_request):
        sleeps.now += seconds
        raise exception

    return callback


def token_calls(rsps):
    return [call for call in rsps.calls if call.request.url.endswith("/token")]


def test_a_refused_connection_names_the_host_and_port_and_what_to_check_never_the_credentials(rsps, make_client, sleeps):
    rsps.add(responses.POST, BASE + "/token", body=refused())
    client = make_client(max_retries=5)
    with pytest.raises(IMApiError) as err:
        client.token()
    message = str(err.value)
    assert message.startswith("cannot reach the Marketplace API: no answer from api.test:80 (connection refused), tried 6 times in ")
    assert "Check api_url (%s)" % BASE in message and "HTTP_PROXY" in message and "network" in message
    assert "the credentials were not checked" in message
    assert "password" not in message and "username" not in message
    assert err.value.status is None and err.value.code == "api_unreachable"
    assert client.retry_summary() == "no answer from api.test:80 (connection refused); retried 5 times"
    assert sum(sleeps) <= FIRST_CONTACT_SECONDS


def test_a_host_name_that_does_not_resolve_says_so(rsps, make_client):
    rsps.add(responses.POST, BASE + "/token", body=unresolved())
    with pytest.raises(IMApiError) as err:
        make_client(max_retries=1).token()
    assert str(err.value).startswith("cannot reach the Marketplace API: the host name api.test does not resolve (DNS), tried 2 times")


def test_a_host_that_takes_the_connection_and_never_answers_is_not_retried_before_it_has_answered(rsps, make_client, sleeps):
    rsps.add_callback(responses.POST, BASE + "/token", callback=taking(sleeps, 30, requests.exceptions.ReadTimeout("read timed out")))
    client = make_client(max_retries=5)
    with pytest.raises(IMApiError) as err:
        client.token()
    assert len(token_calls(rsps)) == 1 and sleeps == []
    assert str(err.value) == (
        "the Marketplace API did not answer: api.test:80 took the connection but sent no answer to POST /token within 30s "
        "(timeout). Check that api_url (%s) points at the Marketplace API (scheme and port), a proxy (HTTP_PROXY, NO_PROXY) "
        "and the network; on a slow network raise timeout (INGRAM_TIMEOUT); the credentials were not checked" % BASE)


def test_once_the_api_has_answered_a_timeout_is_retried_as_usual(rsps, make_client, sleeps):
    rsps.add(responses.POST, BASE + "/token", json={"token": "tok-1", "expiresInSeconds": 1500})
    rsps.add(responses.GET, BASE + "/customers/1", body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.add(responses.GET, BASE + "/customers/1", json={"id": "1"})
    client = make_client()
    assert client.get("/customers/1") == {"id": "1"}
    assert len(sleeps) == 1
    assert client.retry_summary() == "no answer from api.test:80 (timed out); retried 1 time"


def test_an_address_that_never_answers_to_connect_fails_within_the_first_contact_budget(rsps, make_client, sleeps):
    """A black-holed address: each attempt waits connect_timeout (10 s by default); no retry is sent that could not time
    out by FIRST_CONTACT_SECONDS, so the task fails within about 30 s rather than after max_retries x connect_timeout."""
    rsps.add_callback(responses.POST, BASE + "/token", callback=taking(sleeps, 10, requests.exceptions.ConnectTimeout("connect timed out")))
    client = make_client(max_retries=5)
    client._backoff = _retry.Backoff(rng=lambda: 1.0)  # the longest delays: 0.5, 1, 2, ...
    started = sleeps.now
    with pytest.raises(IMApiError) as err:
        client.token()
    assert len(token_calls(rsps)) == 2 and sleeps == [0.5]
    assert sleeps.now - started <= FIRST_CONTACT_SECONDS
    assert str(err.value).startswith("cannot reach the Marketplace API: no answer from api.test:80 to connect within 10s "
                                     "(connect_timeout), tried 2 times in 20.5s. Check api_url")
    assert "raise connect_timeout (INGRAM_CONNECT_TIMEOUT)" in str(err.value)


def test_once_the_api_has_answered_failures_to_connect_are_retried_up_to_max_retries(rsps, make_client, sleeps):
    rsps.add(responses.POST, BASE + "/token", json={"token": "tok-1", "expiresInSeconds": 1500})
    rsps.add_callback(responses.GET, BASE + "/orders", callback=taking(sleeps, 10, requests.exceptions.ConnectTimeout("connect timed out")))
    client = make_client(max_retries=5)
    with pytest.raises(IMApiError):
        client.get("/orders")
    assert len([call for call in rsps.calls if "/orders" in call.request.url]) == 6


@pytest.mark.parametrize("reason, words", [
    ("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)", "it does not speak TLS there (wrong version number): check the "
                                                                       "scheme and port of api_url (http:// or https://)"),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)",
     "its certificate is not trusted (self-signed certificate): behind a proxy that inspects TLS, give its CA in REQUESTS_CA_BUNDLE; "
     "set validate_certs: false (INGRAM_VALIDATE_CERTS=false) only against a test endpoint"),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'api.test'. (_ssl.c:1006)",
     "its certificate is not issued for this host name (hostname mismatch): check the host of api_url"),
])
def test_a_tls_failure_names_the_host_the_cause_and_the_fix_and_is_not_retried(rsps, make_client, sleeps, reason, words):
    rsps.add(responses.POST, BASE + "/token", body=requests.exceptions.SSLError(urllib3.exceptions.MaxRetryError(
        None, "/marketplace/eu/token", urllib3.exceptions.SSLError(reason))))
    with pytest.raises(IMApiError) as err:
        make_client().token()
    assert str(err.value) == "cannot reach the Marketplace API: TLS with api.test:80 failed: %s; the credentials were not checked" % words
    assert sleeps == [] and len(token_calls(rsps)) == 1


def test_a_proxy_that_does_not_answer_is_named_without_its_password(rsps, make_client, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxyuser:proxy-Secret-9@proxy.test:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    rsps.add(responses.POST, BASE + "/token", body=requests.exceptions.ProxyError(urllib3.exceptions.MaxRetryError(
        None, "/", urllib3.exceptions.ProxyError("Unable to connect to proxy", ConnectionRefusedError(111, "Connection refused")))))
    client = make_client(max_retries=0)
    with pytest.raises(IMApiError) as err:
        client.token()
    message = str(err.value)
    assert message.startswith("cannot reach the Marketplace API: no answer from the proxy proxy.test:3128 (HTTP_PROXY) on the way to "
                              "api.test:80 (connection refused). Check api_url (%s), the proxy proxy.test:3128 (HTTP_PROXY, NO_PROXY)" % BASE)
    assert "proxy-Secret-9" not in message and "proxyuser" not in message


def test_server_errors_and_throttling_say_that_the_api_answered(rsps, make_client, sleeps):
    rsps.add(responses.POST, BASE + "/token", json={"token": "tok-1", "expiresInSeconds": 1500})
    rsps.add(responses.GET, BASE + "/products", status=503, json={"message": "busy"})
    rsps.add(responses.GET, BASE + "/products", status=429, headers={"Retry-After": "1"}, json={"message": "slow down"})
    rsps.add(responses.GET, BASE + "/products", json={"data": []})
    client = make_client()
    client.get("/products")
    assert client.retry_summary() == ("the Marketplace API answered HTTP 503; retried 1 time. The Marketplace API throttled requests "
                                      "(HTTP 429) and asked to wait; retried 1 time")
