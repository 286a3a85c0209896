"""Fault injection settings (POST /_sim/faults) and the decisions taken from them.

Random decisions use one seedable RNG so a test run that sets `seed` is reproducible.
"""

import collections
import copy
import email.utils
import math
import numbers
import random
import re
import time

from .common import bad_request

DEFAULTS = {
    "latency_ms": 0,
    "rate_limit": None,
    "error_rate": 0.0,
    "error_next": 0,
    "error_status": 500,
    "drop_rate": 0.0,
    "drop_next": 0,
    "slow_ms": 0,
    "slow_rate": 0.0,
    "slow_next": 0,
    "token_ttl": 1500,
    "order_processing_seconds": 1.0,
    "change_quantity": "total",
    "estimate_details": True,
    "estimate_proration": 1.0,
    "lose_order_responses": 0,
    "order_error_next": 0,
    "report_error_next": 0,
    "decrease_window_days": None,
    "order_withdrawal": True,
    "unique_external_ids": False,
    "rendezvous_seconds": 0,
    "target": None,
    "max_page_size": None,
    "seed": 42,
}
RATE_LIMIT_FIELDS = ("requests", "window_seconds", "retry_after", "retry_after_format")


def _int(value, name, low, high=None):
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f">= {low}"
        raise bad_request(f"{name} must be an integer {bound}")
    return value


def _number(value, name, low, high=None):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f">= {low}"
        raise bad_request(f"{name} must be a number {bound}")
    return value


def _bool(value, name):
    if not isinstance(value, bool):
        raise bad_request(f"{name} must be true or false")
    return value


def _rate_limit(value):
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - set(RATE_LIMIT_FIELDS):
        raise bad_request(f"rate_limit must be null or an object with {', '.join(RATE_LIMIT_FIELDS)}")
    limit = {
        "requests": _int(value.get("requests"), "rate_limit.requests", 1),
        "window_seconds": _number(value.get("window_seconds", 1), "rate_limit.window_seconds", 0.001),
        # Left out: the real wait until the window frees a slot; null: no Retry-After header at all.
        "retry_after": value.get("retry_after", "computed"),
        "retry_after_format": value.get("retry_after_format", "seconds"),
    }
    if limit["retry_after"] not in (None, "computed"):
        _int(limit["retry_after"], "rate_limit.retry_after", 0)
    if limit["retry_after_format"] not in ("seconds", "http-date"):
        raise bad_request('rate_limit.retry_after_format must be "seconds" or "http-date"')
    return limit


def _target(value):
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"method", "path", "query"}:
        raise bad_request('target must be null or {"method": "GET", "path": "<regex on the path below the base>", '
                          '"query": "<regex on the query string>"}')
    method = value.get("method")
    if method is not None and not isinstance(method, str):
        raise bad_request("target.method must be a string")
    for key in ("path", "query"):
        if value.get(key) is not None:
            try:
                re.compile(value[key])
            except (TypeError, re.error) as exc:
                raise bad_request(f"target.{key} must be a regular expression: {exc}") from None
    return {"method": method.upper() if method else None, "path": value.get("path"), "query": value.get("query")}


def _change_quantity(value):
    if value not in ("total", "delta"):
        raise bad_request('change_quantity must be "total" or "delta"')
    return value


_VALIDATORS = {
    "latency_ms": lambda v: _int(v, "latency_ms", 0),
    "rate_limit": _rate_limit,
    "error_rate": lambda v: _number(v, "error_rate", 0, 1),
    "error_next": lambda v: _int(v, "error_next", 0),
    "error_status": lambda v: _int(v, "error_status", 500, 599),
    "drop_rate": lambda v: _number(v, "drop_rate", 0, 1),
    "drop_next": lambda v: _int(v, "drop_next", 0),
    "slow_ms": lambda v: _int(v, "slow_ms", 0),
    "slow_rate": lambda v: _number(v, "slow_rate", 0, 1),
    "slow_next": lambda v: _int(v, "slow_next", 0),
    "token_ttl": lambda v: _int(v, "token_ttl", 1),
    "order_processing_seconds": lambda v: _number(v, "order_processing_seconds", 0),
    "change_quantity": _change_quantity,
    "estimate_details": lambda v: _bool(v, "estimate_details"),
    "estimate_proration": lambda v: _number(v, "estimate_proration", 0.01, 1),
    "lose_order_responses": lambda v: _int(v, "lose_order_responses", 0),
    "order_error_next": lambda v: _int(v, "order_error_next", 0),
    "report_error_next": lambda v: _int(v, "report_error_next", 0),
    "decrease_window_days": lambda v: None if v is None else _int(v, "decrease_window_days", 0),
    "order_withdrawal": lambda v: _bool(v, "order_withdrawal"),
    "unique_external_ids": lambda v: _bool(v, "unique_external_ids"),
    "rendezvous_seconds": lambda v: _number(v, "rendezvous_seconds", 0, 60),
    "target": _target,
    "max_page_size": lambda v: None if v is None else _int(v, "max_page_size", 1, 1000),
    "seed": lambda v: _int(v, "seed", 0),
}


class Faults:
    """The current fault settings plus the state they need (RNG, rate-limit windows)."""

    def __init__(self):
        self.settings = {}
        self.rng = random.Random()
        self._windows = {}
        self.reset()

    def reset(self):
        self.settings = copy.deepcopy(DEFAULTS)
        self.rng = random.Random(self.settings["seed"])
        self._windows = {}

    def update(self, fields):
        """Merge the given fields into the settings (all validated before any is applied)."""
        if not isinstance(fields, dict):
            raise bad_request("faults must be a JSON object")
        unknown = sorted(set(fields) - set(_VALIDATORS))
        if unknown:
            raise bad_request(f"unknown fault field(s): {', '.join(unknown)}; known: {', '.join(_VALIDATORS)}")
        checked = {name: _VALIDATORS[name](value) for name, value in fields.items()}
        self.settings.update(checked)
        if "seed" in checked:
            self.rng = random.Random(checked["seed"])
        if "rate_limit" in checked:
            self._windows = {}
        return self.settings

    def targets(self, method, api_path, query_string=""):
        """Whether the error/drop/slow/rate-limit faults apply to this request."""
        target = self.settings["target"]
        if target is None:
            return True
        if target["method"] and target["method"] != method:
            return False
        if target.get("query") is not None and re.search(target["query"], query_string) is None:
            return False
        return target["path"] is None or re.search(target["path"], api_path) is not None

    def take(self, counter):
        """Consume one unit of a `*_next`-style counter; True when there was one."""
        if self.settings[counter] > 0:
            self.settings[counter] -= 1
            return True
        return False

    def fires(self, kind):
        """The error, drop or slow fault: the `<kind>_next` counter first, then the `<kind>_rate` dice."""
        if self.take(f"{kind}_next"):
            return True
        rate = self.settings[f"{kind}_rate"]
        return rate > 0 and self.rng.random() < rate

    def rate_limited(self, key, now):
        """None when the request fits the budget (and is counted), else the Retry-After value ('' for none).

        `now` is a monotonic clock reading.

        The budget is a sliding window per subscription key, like a gateway's rate-limit policy;
        rejected requests do not use budget.
        """
        limit = self.settings["rate_limit"]
        if limit is None:
            return None
        window = self._windows.setdefault(key, collections.deque())
        while window and window[0] <= now - limit["window_seconds"]:
            window.popleft()
        if len(window) < limit["requests"]:
            window.append(now)
            return None
        retry_after = limit["retry_after"]
        if retry_after is None:
            return ""
        if retry_after == "computed":
            retry_after = max(1, math.ceil(window[0] + limit["window_seconds"] - now))
        if limit["retry_after_format"] == "http-date":
            return email.utils.formatdate(time.time() + retry_after, usegmt=True)
        return str(retry_after)
