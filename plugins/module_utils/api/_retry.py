# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry policy of the API client: which failures may be retried, and how long to wait.

Private to this collection. Kept free of HTTP-library imports so the policy can be tested on its own.

The policy depends on the path as well as the method, which is why it is not delegated to urllib3's ``Retry``:
``POST /orders`` has no idempotency key, so resending it after an ambiguous failure buys twice, while
``POST /token``, ``POST /orders/estimate`` and ``POST /validation/parameters`` change nothing and are retried
like reads.
"""

from __future__ import annotations

import datetime
import email.utils
import random

# Failure kinds, decided by the client from the exception it caught.
CONNECT = "connect"  # the request never left: connection refused, DNS failure, connect timeout
READ = "read"  # the request was sent, the answer did not come: read timeout, connection reset or dropped

READ_RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# Statuses that mean the gateway rejected a write before the backend acted on it.
WRITE_RETRY_STATUSES = frozenset((429, 503))

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
# POST operations that create nothing: retried like reads.
SAFE_POST_PATHS = frozenset(("/token", "/orders/estimate", "/validation/parameters"))

DEFAULT_BASE_DELAY = 0.5
DEFAULT_MAX_DELAY = 30.0
# Longest Retry-After we honour; a server asking for more is treated as asking for this much.
MAX_RETRY_AFTER = 120.0
# Jitter added to a server's Retry-After: enough to spread parallel processes, small next to a one-second window.
RETRY_AFTER_JITTER = 0.1


def is_safe(method, path):
    """True when repeating the request cannot change anything on the server."""
    method = method.upper()
    return method in SAFE_METHODS or (method == "POST" and path.rstrip("/") in SAFE_POST_PATHS)


def should_retry(method, path, status=None, failure=None):
    """Decide whether a failed attempt may be sent again.

    ``status`` is the HTTP status of the response, or ``None`` when there was none; ``failure`` is
    ``CONNECT`` or ``READ`` when no response arrived.
    """
    if failure == CONNECT:
        return True  # nothing reached the server
    if is_safe(method, path):
        return failure == READ or status in READ_RETRY_STATUSES
    # A write: only when the server certainly did not act on it.
    return failure is None and status in WRITE_RETRY_STATUSES


def parse_retry_after(value, now=None, server_date=None):
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date form); ``None`` if absent or unusable.

    An HTTP date is compared with the response's own ``Date`` header when there is one: a skewed local clock does not
    matter, and both are truncated to the second alike. Against the local clock (``now``), one second is added for the
    truncation of the date: retrying at the truncated moment would be throttled again.
    """
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    reference = _http_date(server_date) if server_date else None
    if reference is not None:
        return max(0.0, (when - reference).total_seconds())
    return max(0.0, (when - (now or now_utc())).total_seconds()) + 1.0


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def _http_date(value):
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when


class Backoff:
    """Exponential backoff with full jitter, capped; a server's Retry-After takes precedence."""

    def __init__(self, base=DEFAULT_BASE_DELAY, cap=DEFAULT_MAX_DELAY, rng=random.random):
        self.base = base
        self.cap = cap
        self.rng = rng

    def delay(self, attempt, retry_after=None):
        """Seconds to sleep before retry number ``attempt`` (0 for the first retry)."""
        if retry_after is not None:
            # A little jitter on top keeps forks that were throttled together from returning together.
            return min(retry_after, MAX_RETRY_AFTER) + self.rng() * RETRY_AFTER_JITTER
        return self.rng() * min(self.cap, self.base * (2 ** attempt))
