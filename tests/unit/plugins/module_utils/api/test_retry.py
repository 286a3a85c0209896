"""The retry policy: which failures are retried, Retry-After, backoff bounds."""

import datetime
import email.utils

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api import _retry


@pytest.mark.parametrize("method, path, status, failure, expected", [
    # reads: connection errors, timeouts and 429/5xx-transient
    ("GET", "/customers", None, _retry.CONNECT, True),
    ("GET", "/customers", None, _retry.READ, True),
    ("GET", "/customers", 429, None, True),
    ("GET", "/customers", 500, None, True),
    ("GET", "/customers", 502, None, True),
    ("GET", "/customers", 503, None, True),
    ("GET", "/customers", 504, None, True),
    ("GET", "/customers", 400, None, False),
    ("GET", "/customers", 404, None, False),
    ("GET", "/customers", 401, None, False),
    ("GET", "/customers", 501, None, False),
    # writes: only when the server certainly did not act
    ("POST", "/orders", None, _retry.CONNECT, True),
    ("POST", "/orders", 429, None, True),
    ("POST", "/orders", 503, None, True),
    ("POST", "/orders", None, _retry.READ, False),
    ("POST", "/orders", 500, None, False),
    ("POST", "/orders", 502, None, False),
    ("POST", "/orders", 504, None, False),
    ("POST", "/customers", None, _retry.READ, False),
    ("PATCH", "/customers/1", 500, None, False),
    ("PATCH", "/customers/1", 429, None, True),
    ("PATCH", "/customers/1", None, _retry.READ, False),
    # POSTs that change nothing are retried like reads
    ("POST", "/token", None, _retry.READ, True),
    ("POST", "/token", 502, None, True),
    ("POST", "/orders/estimate", 500, None, True),
    ("POST", "/validation/parameters", None, _retry.READ, True),
    ("post", "/orders/estimate/", 504, None, True),
])
def test_should_retry(method, path, status, failure, expected):
    assert _retry.should_retry(method, path, status=status, failure=failure) is expected


def test_retry_after_seconds():
    assert _retry.parse_retry_after("7") == 7.0
    assert _retry.parse_retry_after(" 0 ") == 0.0


def test_retry_after_http_date():
    now = datetime.datetime(2026, 11, 26, 12, 0, 0, tzinfo=datetime.timezone.utc)
    later = email.utils.format_datetime(now + datetime.timedelta(seconds=42), usegmt=True)
    # HTTP dates have a resolution of one second and are truncated: the second is added.
    assert _retry.parse_retry_after(later, now=now) == pytest.approx(43.0)
    earlier = email.utils.format_datetime(now - datetime.timedelta(seconds=42), usegmt=True)
    assert _retry.parse_retry_after(earlier, now=now) == 1.0


def test_retry_after_http_date_is_read_against_the_servers_own_date():
    local_now = datetime.datetime(2026, 11, 26, 12, 0, 0, tzinfo=datetime.timezone.utc)
    server_now = local_now + datetime.timedelta(minutes=7)  # the local clock is 7 minutes behind
    later = email.utils.format_datetime(server_now + datetime.timedelta(seconds=5), usegmt=True)
    server_date = email.utils.format_datetime(server_now, usegmt=True)
    assert _retry.parse_retry_after(later, now=local_now, server_date=server_date) == pytest.approx(5.0)


@pytest.mark.parametrize("value", [None, "", "soon", "-3", "Mon, 99 Foo 2026"])
def test_retry_after_unusable(value):
    assert _retry.parse_retry_after(value) is None


def test_backoff_full_jitter_is_bounded_and_capped():
    top = _retry.Backoff(base=0.5, cap=4.0, rng=lambda: 0.999999)
    bottom = _retry.Backoff(base=0.5, cap=4.0, rng=lambda: 0.0)
    assert [round(top.delay(attempt), 3) for attempt in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert all(bottom.delay(attempt) == 0.0 for attempt in range(6))


def test_backoff_honours_retry_after_with_small_jitter_and_cap():
    backoff = _retry.Backoff(base=0.5, rng=lambda: 1.0)
    assert backoff.delay(0, retry_after=10) == 10 + _retry.RETRY_AFTER_JITTER
    assert backoff.delay(3, retry_after=10_000) == _retry.MAX_RETRY_AFTER + _retry.RETRY_AFTER_JITTER
