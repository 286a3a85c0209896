"""Helpers shared by the simulator modules: errors, money, dates, body fields, list envelopes."""

import calendar
import datetime
import re
from decimal import Decimal, InvalidOperation

MAX_LIMIT = 1000
DEFAULT_LIMIT = 10
CURRENCY = "USD"
CENT = Decimal("0.01")


class ApiError(Exception):
    """An error answered to the client with the API's error body."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message):
    return ApiError(400, message)


def not_found(message):
    return ApiError(404, message)


def public(record):
    """The record without its internal bookkeeping keys (those starting with an underscore)."""
    return {key: value for key, value in record.items() if not key.startswith("_")}


# --- money ---------------------------------------------------------------------------------------

def money(amount, currency=CURRENCY):
    """A {currency, amount} object; amounts are strings on this API."""
    return {"currency": currency, "amount": str(Decimal(amount).quantize(CENT))}


def parse_amount(value, where):
    if not isinstance(value, str):
        raise bad_request(f"{where} must be a decimal string such as \"12.50\"")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise bad_request(f"{where} must be a decimal string such as \"12.50\", got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise bad_request(f"{where} must be a non-negative amount, got {value!r}")
    return amount


# --- dates ---------------------------------------------------------------------------------------

def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def iso_datetime(moment):
    """ISO 8601 date-time in UTC with a Z and without fractions, as the API sends them."""
    return moment.astimezone(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def add_period(day, period, times=1):
    """The date `times` periods ({type: day|month|year, duration}) after `day`, clamping the day of month."""
    count = period["duration"] * times
    if period["type"] == "day":
        return day + datetime.timedelta(days=count)
    months = count * 12 if period["type"] == "year" else count
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def period_months(period):
    return period["duration"] * (12 if period["type"] == "year" else 1)


def parse_datetime(value, where):
    """Parse an ISO 8601 date-time (or date) given as a filter or field; naive values are UTC."""
    try:
        moment = datetime.datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except (AttributeError, TypeError, ValueError):
        raise bad_request(f"{where} must be an ISO 8601 date-time such as 2024-01-31T12:00:00Z, got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def parse_date(value, where):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise bad_request(f"{where} must be a date such as 2024-01-31, got {value!r}") from None


# --- request bodies ------------------------------------------------------------------------------

def require_object(body, where="request body"):
    if not isinstance(body, dict):
        raise bad_request(f"{where} must be a JSON object")
    return body


def get_str(obj, key, where="", required=False):
    """A string field; `where` is the path prefix used in messages (e.g. "address.")."""
    value = obj.get(key)
    if value is None or (required and value == ""):
        if required:
            raise bad_request(f"{where}{key} is required")
        return None
    if not isinstance(value, str):
        raise bad_request(f"{where}{key} must be a string")
    return value


def get_bool(obj, key, where=""):
    value = obj.get(key)
    if value is not None and not isinstance(value, bool):
        raise bad_request(f"{where}{key} must be true or false")
    return value


def get_list(obj, key, where="", required=False):
    value = obj.get(key)
    if value is None or (required and value == []):
        if required:
            raise bad_request(f"{where}{key} is required")
        return None
    if not isinstance(value, list):
        raise bad_request(f"{where}{key} must be a list")
    return value


def get_attributes(obj, where=""):
    """The free `attributes` map: string keys to string values."""
    value = obj.get("attributes")
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
        raise bad_request(f"{where}attributes must be an object of string values")
    return value


def reject_unknown(body, allowed, what, hint=""):
    for key in body:
        if key not in allowed:
            raise bad_request(f"{key} cannot be set on {what}; allowed fields: {', '.join(sorted(allowed))}{hint}")


def get_period(obj, key, where):
    """An optional Period {type, duration} used to tell catalog entries apart."""
    value = obj.get(key)
    if value is None:
        return None
    if (not isinstance(value, dict) or value.get("type") not in ("day", "month", "year", "statement_day")
            or not isinstance(value.get("duration"), int) or isinstance(value.get("duration"), bool)):
        raise bad_request(f"{where}{key} must be an object like {{\"type\": \"month\", \"duration\": 1}}")
    return {"type": value["type"], "duration": value["duration"]}


# --- lists ---------------------------------------------------------------------------------------

def _query_int(query, name, default, minimum):
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"\d+", raw) or int(raw) < minimum:
        raise bad_request(f"{name} must be an integer >= {minimum}, got {raw!r}")
    return int(raw)


def paginate(items, query, max_limit=None):
    """The {data, pagination} envelope: offset default 0, limit default 10, limit clamped to 1000 (or `max_limit`)."""
    offset = _query_int(query, "offset", 0, 0)
    limit = min(_query_int(query, "limit", DEFAULT_LIMIT, 1), max_limit or MAX_LIMIT)
    return {"data": items[offset:offset + limit], "pagination": {"offset": offset, "limit": limit, "total": len(items)}}


def one_value(query, name, allowed):
    """A filter that takes exactly one value (the live API answers 400 to `status=a,b`)."""
    values = query.getall(name, [])
    if not values:
        return None
    if len(values) > 1 or "," in values[0]:
        raise bad_request(f"{name} takes exactly one value; send one request per {name}")
    if values[0] not in allowed:
        raise bad_request(f"{name} must be one of {', '.join(allowed)}, got {values[0]!r}")
    return values[0]
