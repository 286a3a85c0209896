# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Date and date-time options: validated with the standard library, sent in the API's form. Private to this collection."""

from __future__ import annotations

import datetime

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError

DATETIME_EXAMPLE = "2024-01-31T12:00:00Z or 2024-01-31T12:00:00+01:00"


def parse_date(value, option):
    """A ``YYYY-MM-DD`` option as a date; IMConfigError naming ``option`` when it is not one."""
    text = str(value).strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise IMConfigError("%s must be a date in the form YYYY-MM-DD, for example 2024-01-31, got %r" % (option, value)) from None


def parse_datetime(value, option, allow_date=False):
    """An ISO 8601 date-time option as an aware UTC datetime (no zone means UTC).

    A bare date is accepted (as midnight UTC) only with ``allow_date``; elsewhere it would silently mean midnight.
    """
    text = str(value).strip()
    try:
        if len(text) <= 10:
            if not allow_date or len(text) != 10:
                raise ValueError(text)
            return datetime.datetime.combine(datetime.date.fromisoformat(text), datetime.time(0), datetime.timezone.utc)
        # fromisoformat understands a trailing Z only from Python 3.11 on.
        moment = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in ("z", "Z") else text)
    except ValueError:
        raise IMConfigError("%s must be an ISO 8601 date-time such as %s%s, got %r"
                            % (option, DATETIME_EXAMPLE, " (or a date)" if allow_date else "", value)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def api_datetime(moment):
    """The API's form of a date-time: UTC, to the second, with a Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def today_utc():
    """Today's date in UTC, the calendar the API's dates follow."""
    return datetime.datetime.now(datetime.timezone.utc).date()
