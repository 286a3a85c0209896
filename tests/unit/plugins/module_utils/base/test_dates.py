"""Date and date-time options."""

import datetime

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._dates import api_datetime, parse_date, parse_datetime
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError

UTC = datetime.timezone.utc


@pytest.mark.parametrize("value, expected", [
    ("2024-01-31T12:00:00Z", "2024-01-31T12:00:00Z"),
    ("2024-01-31T12:00:00z", "2024-01-31T12:00:00Z"),
    ("2024-01-31T13:30:00+01:30", "2024-01-31T12:00:00Z"),
    ("2024-01-31T12:00:00.123456+00:00", "2024-01-31T12:00:00Z"),
    ("2024-01-31 12:00", "2024-01-31T12:00:00Z"),
])
def test_datetime_in_the_api_form(value, expected):
    assert api_datetime(parse_datetime(value, "when")) == expected


def test_date_only_where_allowed():
    assert parse_datetime("2024-01-31", "start", allow_date=True) == datetime.datetime(2024, 1, 31, tzinfo=UTC)
    with pytest.raises(IMConfigError) as err:
        parse_datetime("2024-01-31", "creation_time_from")
    assert str(err.value).startswith("creation_time_from must be an ISO 8601 date-time")


@pytest.mark.parametrize("value", ["31/01/2024", "2024-02-30T00:00:00Z", "2024-01-31T25:00:00Z", "soon", ""])
def test_invalid_datetimes_name_the_option(value):
    with pytest.raises(IMConfigError) as err:
        parse_datetime(value, "start_date", allow_date=True)
    assert str(err.value).startswith("start_date must be an ISO 8601 date-time") and "(or a date)" in str(err.value)


def test_dates():
    assert parse_date("2024-02-29", "day") == datetime.date(2024, 2, 29)
    for value in ("2023-02-29", "2024-2-1", "20240201", "2024-02-01T00:00:00Z"):
        with pytest.raises(IMConfigError) as err:
            parse_date(value, "creation_date_to")
        assert "creation_date_to must be a date in the form YYYY-MM-DD" in str(err.value)
