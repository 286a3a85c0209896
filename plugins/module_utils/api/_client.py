# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Marketplace API client shared by every module and plugin. Private to this collection.

One ``requests.Session`` per process (keep-alive across pages, polls and tasks' threads), token auth with
an on-disk cache shared by tasks and forks, one re-authentication on 401, the retry policy of ``_retry``,
full pagination that cannot loop forever, and one error type. No secret (password, subscription key,
token) ever appears in a message this module produces.
"""

from __future__ import annotations

import collections
import concurrent.futures
import re
import threading
import time
import traceback
import urllib.parse

try:
    import requests
    import urllib3
except ImportError:  # pragma: no cover - reported to the user by the module base
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api import _retry
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._throttle import PausedPastDeadline, Throttle
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._token_cache import TokenCache, refresh_margin
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError, IMNotFoundError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._version import COLLECTION_VERSION

USER_AGENT = "ingrammicro.marketplace/%s (Ansible collection)" % COLLECTION_VERSION
THROTTLED = "the Marketplace API throttled requests (HTTP 429) and asked to wait"

# The API documents no maximum page size; the simulator and observed clients accept 1000. Termination
# never depends on the server honouring it (see paginate).
PAGE_SIZE = 1000
MAX_PAGES = 10000
MAX_MESSAGE = 500
CONNECTION_POOL_SIZE = 32
# Until the API has answered once, failures to connect are retried for this long only: a wrong api_url, proxy or network
# is then reported in seconds, not after every retry a network blip mid-run deserves (see _send).
FIRST_CONTACT_SECONDS = 30.0


def _root_cause(exc):
    """The innermost exception of a requests/urllib3 error chain."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if inner is None and getattr(exc, "args", None) and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        if inner is None:
            inner = exc.__cause__ or exc.__context__
        if not isinstance(inner, BaseException):
            break
        exc = inner
    return exc


def _chain_text(exc):
    """Every message of an error chain in lower case, to recognise a cause whichever layer reported it."""
    texts, seen = [], set()
    while isinstance(exc, BaseException) and id(exc) not in seen:
        seen.add(id(exc))
        texts.append("%s %s" % (type(exc).__name__, exc))
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException):
            inner = exc.args[0] if getattr(exc, "args", None) and isinstance(exc.args[0], BaseException) else None
        exc = inner if inner is not None else exc.__cause__ or exc.__context__
    return " ".join(texts).lower()


# Causes of a failed request that got no answer, in the user's words (see describe_failure).
REFUSED = "connection refused"
UNRESOLVED = "the host name does not resolve"
CONNECT_TIMEOUT = "connecting timed out"
READ_TIMEOUT = "timed out"
RESET = "connection reset by the server"
CLOSED = "the server closed the connection without answering"


def describe_failure(exc):
    """A short, library-free description of a transport failure."""
    text = _chain_text(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout) or "connecttimeout" in text:
        return CONNECT_TIMEOUT
    if isinstance(exc, requests.exceptions.Timeout):
        return READ_TIMEOUT
    if "name or service not known" in text or "nodename nor servname" in text or "failed to resolve" in text \
            or "temporary failure in name resolution" in text or "nameresolutionerror" in text:
        return UNRESOLVED
    cause = _root_cause(exc)
    if isinstance(cause, ConnectionRefusedError) or "connection refused" in text:
        return REFUSED
    if isinstance(cause, ConnectionResetError) or "reset by peer" in text:
        return RESET
    if "remote end closed" in text or "remotedisconnected" in text:
        return CLOSED
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return type(cause).__name__


def describe_tls_failure(exc):
    """What went wrong in a TLS handshake, and what to do about it, in words."""
    text = _chain_text(exc)
    if "wrong version number" in text or "unknown protocol" in text or "record layer failure" in text or "packet length too long" in text:
        return "it does not speak TLS there (%s): check the scheme and port of api_url (http:// or https://)" % (
            "wrong version number" if "wrong version number" in text else "not a TLS answer")
    if "hostname mismatch" in text or "doesn't match" in text or "not valid for" in text:
        return "its certificate is not issued for this host name (hostname mismatch): check the host of api_url"
    if "certificate verify failed" in text or "certificate_verify_failed" in text:
        detail = re.search(r"certificate verify failed: ([^(]*?)\s*(\(|$)", text)
        return ("its certificate is not trusted (%s): behind a proxy that inspects TLS, give its CA in REQUESTS_CA_BUNDLE; "
                "set validate_certs: false (INGRAM_VALIDATE_CERTS=false) only against a test endpoint"
                % (detail.group(1).strip() if detail else "certificate verify failed"))
    return "the TLS handshake failed (%s)" % describe_failure(exc)


def classify_failure(exc):
    """CONNECT when the request certainly never reached the server, READ otherwise."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return _retry.CONNECT
    if isinstance(exc, requests.exceptions.ConnectionError):
        cause = _root_cause(exc)
        if isinstance(exc.args[0] if exc.args else None, urllib3.exceptions.MaxRetryError) and \
                isinstance(exc.args[0].reason, urllib3.exceptions.NewConnectionError):
            return _retry.CONNECT
        if isinstance(cause, (ConnectionRefusedError, urllib3.exceptions.NameResolutionError)):
            return _retry.CONNECT
        if describe_failure(exc) in (REFUSED, UNRESOLVED, CONNECT_TIMEOUT):
            return _retry.CONNECT
    return _retry.READ


class Endpoint:
    """Where requests to ``api_url`` go: the API's host and port, and the proxy in between if the environment sets one
    (requests honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY). Names them in messages, never a proxy's password."""

    def __init__(self, api_url):
        parsed = urllib.parse.urlsplit(api_url)
        self.api_url = api_url
        self.host = parsed.hostname
        self.address = "%s:%s" % (parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80))
        self.proxy = self.proxy_host = None
        proxy = requests.utils.select_proxy(api_url, requests.utils.get_environ_proxies(api_url))
        if proxy:
            proxied = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
            self.proxy_host = proxied.hostname
            self.proxy = "%s:%s" % (proxied.hostname, proxied.port or (443 if proxied.scheme == "https" else 80))
        self.proxy_variable = "HTTPS_PROXY" if parsed.scheme == "https" else "HTTP_PROXY"

    def where(self, exc=None):
        """The host and port that did not answer: the proxy's when the failure was reaching the proxy."""
        if self.proxy and (exc is None or isinstance(exc, requests.exceptions.ProxyError)):
            return "the proxy %s (%s) on the way to %s" % (self.proxy, self.proxy_variable, self.address)
        return self.address

    def host_name(self, exc=None):
        """The host name that did not resolve: the proxy's when the failure was reaching the proxy."""
        if self.proxy and (exc is None or isinstance(exc, requests.exceptions.ProxyError)):
            return "%s (the proxy, from %s)" % (self.proxy_host, self.proxy_variable)
        return self.host

    def checks(self):
        """What to check when the API cannot be reached."""
        proxy = ("the proxy %s (%s, NO_PROXY)" % (self.proxy, self.proxy_variable) if self.proxy
                 else "a proxy if the network needs one (%s, NO_PROXY; none is set)" % self.proxy_variable)
        return "check api_url (%s), %s and the network" % (self.api_url, proxy)


class MarketplaceClient:
    """A session with the Marketplace API for one set of connection settings (a ``ConnectionConfig``)."""

    def __init__(self, config, sleep=time.sleep, clock=time.time, backoff=None, token_cache_dir=None, warn=None,
                 monotonic=time.monotonic):
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._monotonic = monotonic
        # Shared by every thread of this client: a 429 slows the whole run down (see _throttle).
        self._throttle = Throttle(CONNECTION_POOL_SIZE, clock=monotonic, sleep=sleep)
        self._backoff = backoff or _retry.Backoff()
        self._warn = warn or (lambda message: None)
        self._token_lock = threading.Lock()
        self._token = None
        self._token_expires_at = 0.0
        self._cache = TokenCache(config.cache_key(), directory=token_cache_dir, clock=clock) if config.token_cache else None
        self.server_date = None  # the Date header of the last response: the API's clock, used to find orders by age
        self.retries = collections.Counter()  # reason -> number of retried attempts, reported by the modules
        self.requests_sent = collections.Counter()  # method -> count, for diagnostics and benchmarks
        self.endpoint = Endpoint(config.api_url)
        self.answered = False  # whether the API has answered any request of this client yet (see FIRST_CONTACT_SECONDS)
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=CONNECTION_POOL_SIZE, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "X-Subscription-Key": config.subscription_key,
        })
        if config.client_id:
            self.session.headers["X-Client-Id"] = config.client_id

    # ----------------------------------------------------------------- secrets

    def scrub(self, text):
        """Remove every secret this client knows from ``text``."""
        text = str(text)
        for secret in self.config.secrets() + ([self._token] if self._token else []):
            if secret and len(secret) >= 4:
                text = text.replace(secret, "********")
        return text

    # ----------------------------------------------------------------- tokens

    def _fetch_token(self):
        body = self._send("POST", "/token", body={"marketplace": self.config.marketplace}, authenticated=False)
        if not isinstance(body, dict) or not body.get("token"):
            raise IMApiError("POST /token returned no token: check api_url (it must point at the Marketplace API, "
                             "for example https://api.cloud.im/marketplace/eu)", status=200, method="POST", path="/token")
        try:
            ttl = float(body.get("expiresInSeconds") or 1500)
        except (TypeError, ValueError):
            ttl = 1500.0
        return body["token"], ttl

    def _disable_cache(self, exc):
        self._warn("token cache disabled for this task: %s (%s); set token_cache: false to silence this"
                   % (self._cache.directory, getattr(exc, "strerror", None) or exc))
        self._cache = None

    def token(self):
        """A valid bearer token: from memory, from the shared cache, or freshly issued."""
        with self._token_lock:
            if self._token and self._clock() < self._token_expires_at:
                return self._token
            cached = None
            if self._cache is not None:
                try:
                    with self._cache.locked():
                        cached = self._cache.load()
                        if cached is None:
                            token, ttl = self._fetch_token()
                            cached = (token, self._clock() + ttl - refresh_margin(ttl))
                            self._cache.store(token, ttl)
                except OSError as exc:
                    self._disable_cache(exc)
            if cached is None:
                token, ttl = self._fetch_token()
                cached = (token, self._clock() + ttl - refresh_margin(ttl))
            self._token, self._token_expires_at = cached
            return self._token

    def _invalidate(self, token):
        with self._token_lock:
            if self._token == token:
                self._token = None
                self._token_expires_at = 0.0
            if self._cache is not None:
                try:
                    with self._cache.locked():
                        self._cache.discard(token)
                except OSError as exc:
                    self._disable_cache(exc)

    # ----------------------------------------------------------------- requests

    def request(self, method, path, query=None, body=None):
        """Send an authenticated request; return the decoded JSON body (``None`` when empty).

        ``path`` is relative to ``api_url`` (``/customers``). Raises IMApiError (IMNotFoundError for 404).
        """
        return self._send(method.upper(), path, query=query, body=body, authenticated=True)

    def get(self, path, query=None):
        return self.request("GET", path, query=query)

    def post(self, path, body=None):
        return self.request("POST", path, body=body)

    def patch(self, path, body=None):
        return self.request("PATCH", path, body=body)

    def get_or_none(self, path, query=None):
        """GET an object; ``None`` when the API answers 404."""
        try:
            return self.get(path, query=query)
        except IMNotFoundError:
            return None

    def _send(self, method, path, query=None, body=None, authenticated=True):
        url = self.config.api_url + path
        query = {key: value for key, value in (query or {}).items() if value is not None}
        started = self._monotonic()
        deadline = started + self.config.retry_timeout  # no wait of this request, shared pause or backoff, ends later
        attempt = 0  # retries after failures other than 429, limited by max_retries
        throttled = 0  # retries after 429, limited only by retry_timeout
        sent = 0  # attempts that really went out, for the messages
        reauthenticated = False
        while True:
            headers = {}
            token = None
            if authenticated:
                token = self.token()
                headers["Authorization"] = "Bearer " + token
            auth = (self.config.username, self.config.password) if not authenticated else None
            response = failure = own_429 = None
            try:
                with self._throttle.slot(deadline):
                    self.requests_sent[method] += 1
                    sent += 1
                    try:
                        response = self.session.request(method, url, params=query or None, json=body, headers=headers, auth=auth,
                                                        timeout=(self.config.connect_timeout, self.config.timeout),
                                                        verify=self.config.validate_certs)
                    except requests.exceptions.SSLError as exc:
                        raise IMApiError(self.scrub("cannot reach the Marketplace API: TLS with %s failed: %s%s" % (
                            self.endpoint.where(), describe_tls_failure(exc), self._not_checked(path))), method=method, path=path) from None
                    except requests.exceptions.RequestException as exc:
                        failure = exc
                    if response is not None and response.status_code == 429:
                        asked = response.headers.get("Retry-After")
                        wait = _retry.parse_retry_after(asked, server_date=response.headers.get("Date"))
                        own_429 = (method, path, self._api_message(response), asked, wait)
                        self._throttle.throttled(self._backoff.delay(throttled, wait), reason=own_429)
                    elif response is not None:
                        self._throttle.succeeded()
            except PausedPastDeadline as exc:
                # A 429 paused this client past this request's deadline: sleeping would not help, it could not be sent in time.
                raise self._paused_error(method, path, exc.reason, started, sent)

            if failure is not None:
                kind = classify_failure(failure)
                if self._may_retry(attempt, started) and _retry.should_retry(method, path, failure=kind) \
                        and self._may_retry_unanswered(failure, started) \
                        and self._pause(attempt, "no answer from %s (%s)" % (self.endpoint.where(failure), describe_failure(failure)),
                                        self._unanswered_deadline(deadline, started)):
                    attempt += 1
                    continue
                raise self._transport_error(method, path, failure, kind, attempt + throttled, started)

            self.answered = True
            self.server_date = response.headers.get("Date") or self.server_date
            if response.status_code == 401 and authenticated and not reauthenticated:
                # The token expired or was revoked: re-authenticate once and send the call again.
                self._invalidate(token)
                reauthenticated = True
                continue
            if response.status_code == 429 and _retry.should_retry(method, path, status=429) \
                    and self._throttle.paused_until <= deadline:
                # Certainly not acted on: wait (the throttle pauses every thread of this client) and send it again.
                self.retries[THROTTLED] += 1
                throttled += 1
                continue
            if response.status_code >= 400:
                if response.status_code != 429 and self._may_retry(attempt, started) \
                        and _retry.should_retry(method, path, status=response.status_code) \
                        and self._pause(attempt, "the Marketplace API answered HTTP %s" % response.status_code, deadline,
                                        _retry.parse_retry_after(response.headers.get("Retry-After"), server_date=response.headers.get("Date"))):
                    attempt += 1
                    continue
                if response.status_code == 429 and self._throttle.reason not in (None, own_429):
                    # Another thread's 429 set the longer pause: name the wait that really stopped this request.
                    raise self._paused_error(method, path, self._throttle.reason, started, sent)
                raise self._api_error(method, path, response, authenticated, sent - 1 if response.status_code == 429 else attempt + throttled,
                                      started)
            return self._decode(method, path, response)

    def _may_retry(self, attempt, started):
        return attempt < self.config.max_retries and self._monotonic() - started < self.config.retry_timeout

    def _may_retry_unanswered(self, failure, started):
        """Before the API has answered once, a host that took the connection and then sent nothing within ``timeout``
        is not answering: trying again would only make the user wait another ``timeout`` for the same message."""
        return self.answered or not isinstance(failure, requests.exceptions.ReadTimeout)

    def _unanswered_deadline(self, deadline, started):
        """The time by which a retry must have connected: within FIRST_CONTACT_SECONDS of the first attempt as long as
        the API has never answered (a retry is sent only if it can still time out connecting by then)."""
        if self.answered:
            return deadline
        return min(deadline, started + FIRST_CONTACT_SECONDS - self.config.connect_timeout)

    def _pause(self, attempt, reason, deadline, retry_after=None):
        """Sleep before a retry; ``False`` (no sleep) when the retry could only be sent after ``deadline``."""
        delay = self._backoff.delay(attempt, retry_after)
        if self._monotonic() + delay > deadline:
            return False
        self.retries[reason] += 1
        self._sleep(delay)
        return True

    def _decode(self, method, path, response):
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise IMApiError(
                "%s %s returned a non-JSON answer (HTTP %s, %s): check api_url, it must point at the Marketplace API, "
                "for example https://api.cloud.im/marketplace/eu"
                % (method, path, response.status_code, response.headers.get("Content-Type") or "no content type"),
                status=response.status_code, method=method, path=path,
                correlation_id=response.headers.get("X-Correlation-ID"))

    def _not_checked(self, path):
        """Said when the token request got no answer: a newcomer should not reset a password over a network problem."""
        return "; the credentials were not checked" if path == "/token" and not self.answered else ""

    def _transport_error(self, method, path, exc, failure, retries, started):
        """The error of a request that got no answer: the host and port, the cause in words, what to check."""
        reason = describe_failure(exc)
        where = self.endpoint.where(exc)
        tries = ", tried %d times in %ss" % (retries + 1, _seconds(self._monotonic() - started)) if retries else ""
        first = self._not_checked(path)
        if reason == CONNECT_TIMEOUT:
            message = "cannot reach the Marketplace API: no answer from %s to connect within %ss (connect_timeout)%s. %s; on a " \
                      "slow network raise connect_timeout (INGRAM_CONNECT_TIMEOUT)%s" % (
                          where, _number(self.config.connect_timeout), tries, _capital(self.endpoint.checks()), first)
        elif reason == UNRESOLVED:
            message = "cannot reach the Marketplace API: the host name %s does not resolve (DNS)%s. %s%s" % (
                self.endpoint.host_name(exc), tries, _capital(self.endpoint.checks()), first)
        elif failure == _retry.CONNECT:
            message = "cannot reach the Marketplace API: no answer from %s (%s)%s. %s%s" % (
                where, reason, tries, _capital(self.endpoint.checks()), first)
        elif isinstance(exc, requests.exceptions.Timeout) and not self.answered:
            message = "the Marketplace API did not answer: %s took the connection but sent no answer to %s %s within %ss (timeout)%s. " \
                      "Check that api_url (%s) points at the Marketplace API (scheme and port), a proxy (%s, NO_PROXY) and the " \
                      "network; on a slow network raise timeout (INGRAM_TIMEOUT)%s" % (
                          where, method, path, _number(self.config.timeout), tries, self.endpoint.api_url, self.endpoint.proxy_variable,
                          first)
        elif isinstance(exc, requests.exceptions.Timeout):
            message = "%s %s: no answer from %s within %ss (timeout)%s" % (method, path, where, _number(self.config.timeout), tries)
        else:
            message = "%s %s: no answer from %s (%s)%s" % (method, path, where, reason, tries)
        ambiguous = failure == _retry.READ and not _retry.is_safe(method, path)
        if ambiguous:
            message += "; the server may have acted on the request"
        return IMApiError(self.scrub(message), method=method, path=path, ambiguous=ambiguous)

    def _api_message(self, response):
        """The API's own message in an error answer (scrubbed, bounded), else the HTTP reason."""
        api_message = None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            api_message = payload.get("message") or payload.get("error")
        if not api_message:
            api_message = response.reason or "no message"
        return self.scrub(str(api_message))[:MAX_MESSAGE]

    def _api_error(self, method, path, response, authenticated, retries=0, started=None):
        status = response.status_code
        correlation_id = response.headers.get("X-Correlation-ID")
        api_message = self._api_message(response)
        said = api_message.rstrip(" .")  # the API's sentence, followed by ours: one full stop, not two
        if status == 401:
            hint = ("the API rejected the username, password or subscription key" if not authenticated
                    else "the API rejected the token again after re-authenticating; check the subscription key and the API user")
            message = "%s %s: HTTP 401 %s; %s" % (method, path, said, hint)
        elif status == 403:
            message = "%s %s: HTTP 403 %s; the API user or subscription key is not allowed to do this" % (method, path, said)
        elif status == 404 and path == "/token":
            message = "POST /token: HTTP 404: check api_url, it must point at the Marketplace API, for example " \
                      "https://api.cloud.im/marketplace/eu"
        elif status == 429:
            asked = response.headers.get("Retry-After")
            wait = _retry.parse_retry_after(asked, server_date=response.headers.get("Date"))
            message = self._throttled_message(method, path, api_message, asked, wait, started, retries + 1)
        else:
            message = "%s %s: HTTP %s %s" % (method, path, status, said if retries or correlation_id else api_message)
            if retries:
                message += " (after %d attempts)" % (retries + 1)
        if correlation_id:
            message += " (correlation id %s)" % correlation_id
        error_class = IMNotFoundError if status == 404 else IMApiError
        # A write answered by a server error other than 503 may have been acted on (a gateway timeout in particular).
        ambiguous = status in (500, 502, 504) and not _retry.is_safe(method, path)
        return error_class(message, status=status, method=method, path=path, api_message=api_message,
                           correlation_id=correlation_id, ambiguous=ambiguous)

    def _paused_error(self, method, path, reason, started, sent):
        """The 429 error of a request the shared pause stopped (see Throttle.slot); ``reason`` is the 429 behind the pause."""
        by_method, by_path, api_message, asked, wait = reason or (None, None, "Too Many Requests", None, None)
        by = None
        if by_method and (by_method, by_path) != (method, path):
            by = "%s %s" % (by_method, by_path)
        elif by_method and not sent:
            by = "another %s %s" % (by_method, by_path)
        message = self._throttled_message(method, path, api_message, asked, wait, started, sent, by=by)
        return IMApiError(message, status=429, method=method, path=path, api_message=api_message)

    def _throttled_message(self, method, path, api_message, asked, wait, started, sent, by=None):
        """Why a throttled request gave up, in numbers the user can check (its own time and attempts, the wait the API
        asked for as the API put it), and what to change.

        ``asked`` is the Retry-After header as sent, ``wait`` its seconds (``None`` when absent or unusable), ``sent``
        the attempts that went out, ``by`` the other request whose 429 paused this one.
        """
        now = self._monotonic()
        started = now if started is None else started
        limit = self.config.retry_timeout
        asked = str(asked).strip() if asked is not None else None
        if wait is None:
            what = "the API gave no usable Retry-After" if by else "the API kept throttling without a usable Retry-After"
        elif asked.isdigit():
            what = "the API asked to wait %ss (Retry-After)" % asked
        else:
            what = "the API asked to wait until %s (Retry-After, %ss)" % (asked, _number(round(wait)))
        if by:
            what = "%s of this task was throttled and %s" % (by, what)
        if not sent:
            what = "not sent: " + what
        if wait is not None and wait > limit:
            what += ", longer than retry_timeout (%ss) allows" % _number(limit)
        elif wait is not None:
            what += ", longer than the %ss left of retry_timeout (%ss)" % (_seconds(max(0.0, started + limit - now)), _number(limit))
        else:
            what += ", and waiting more would pass retry_timeout (%ss)" % _number(limit)
        return ("%s %s: HTTP 429 %s: %s; gave up after %ss and %d attempt%s. Run again later, or raise retry_timeout "
                "(INGRAM_RETRY_TIMEOUT), or run fewer tasks in parallel or with a lower %s"
                % (method, path, api_message.rstrip(". "), what, _seconds(now - started), sent, "" if sent == 1 else "s", option("concurrency")))

    # ----------------------------------------------------------------- lists

    def paginate(self, path, query=None, page_size=PAGE_SIZE, max_items=None):
        """Every item of a ``{data, pagination}`` list, across all pages.

        Stops on an empty page, when ``offset`` reaches ``pagination.total``, or (without a total) on a page
        shorter than its limit. A server that repeats a page, or never ends, raises IMApiError rather than
        looping or returning duplicated rows: a partial listing must never look complete.
        """
        query = dict(query or {})
        items = []
        offset = 0
        previous_ids = None
        for _page in range(MAX_PAGES):
            page = self.get(path, query=dict(query, offset=offset, limit=page_size))
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise IMApiError("GET %s did not return a {data, pagination} list" % path, method="GET", path=path)
            if not data:
                return items
            ids = [item.get("id") if isinstance(item, dict) else item for item in data]
            if ids == previous_ids:
                raise IMApiError("GET %s returned the same page again at offset %d; stopping instead of looping "
                                 "(the listing would be incomplete or duplicated)" % (path, offset), method="GET", path=path)
            previous_ids = ids
            items.extend(data)
            offset += len(data)
            if max_items is not None and len(items) >= max_items:
                return items[:max_items]
            pagination = page.get("pagination") or {}
            total = pagination.get("total")
            if isinstance(total, int):
                if offset >= total:
                    return items
            elif len(data) < (pagination.get("limit") or page_size):
                return items
        raise IMApiError("GET %s: more than %d pages; stopping" % (path, MAX_PAGES), method="GET", path=path)

    # ----------------------------------------------------------------- concurrency

    def map_concurrent(self, func, items, concurrency=8):
        """``[func(item) for item in items]`` with at most ``concurrency`` requests in flight, over this session."""
        items = list(items)
        if concurrency <= 1 or len(items) <= 1:
            return [func(item) for item in items]
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(concurrency, len(items), CONNECTION_POOL_SIZE)) as pool:
            return list(pool.map(func, items))

    def retry_summary(self):
        """What made this client retry, one sentence per cause ("no answer from HOST:PORT (connection refused); retried 5
        times"), or ``None``."""
        if not self.retries:
            return None
        text = " ".join("%s; retried %d time%s." % (_capital(reason), count, "" if count == 1 else "s")
                        for reason, count in sorted(self.retries.items()))
        return text[:1].lower() + text[1:-1]


def _capital(text):
    return text[:1].upper() + text[1:]


def _number(value):
    return ("%f" % value).rstrip("0").rstrip(".")


def _seconds(value):
    """A measured duration, precise enough that a failure within milliseconds does not read as 0s."""
    return _number(round(value, 3 if value < 1 else 2 if value < 10 else 1))
