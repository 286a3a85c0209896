# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What several ``*_info`` modules share: lookups by id, the ``details`` / ``concurrency`` options, and the
validation of date and date-time filters. Private to this collection.
"""

from __future__ import annotations

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._dates import api_datetime, parse_date, parse_datetime
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import path_id


def details_argument_spec():
    """The ``details`` and ``concurrency`` options of info modules whose list rows are thinner than the full record."""
    return dict(
        details=dict(type="bool", default=False),
        concurrency=dict(type="int", default=8),
    )


def check_concurrency(params):
    """Fail (before any request) when ``concurrency`` cannot work."""
    if params["concurrency"] < 1:
        raise IMConfigError("concurrency must be 1 or more, got %d" % params["concurrency"])


def get_one(client, path, object_id):
    """``[object]`` for ``GET path/{id}``, or ``[]`` when the API answers 404."""
    found = client.get_or_none("%s/%s" % (path, path_id(object_id)))
    return [found] if found else []


def fetch_details(client, path, rows, concurrency):
    """The full record (``GET path/{id}``) of every list row, at most ``concurrency`` requests at a time.

    A row whose object disappeared between the listing and the detail request is left out.
    """
    details = client.map_concurrent(lambda row: client.get_or_none("%s/%s" % (path, path_id(row["id"]))), rows, concurrency)
    return [detail for detail in details if detail]


def unique(values):
    """``values`` without repetitions, in their order (e.g. a list of statuses, one request each)."""
    seen = []
    for value in values or []:
        if value not in seen:
            seen.append(value)
    return seen


def _period(params, start_option, end_option, parse, text):
    """The two options of a period, validated (start not after end) and in the API's form."""
    start, end = (None if params[option] is None else parse(params[option], option) for option in (start_option, end_option))
    if start is not None and end is not None and start > end:
        raise IMConfigError("%s (%s) is after %s (%s); swap them or widen the period"
                            % (start_option, params[start_option], end_option, params[end_option]))
    return tuple(None if value is None else text(value) for value in (start, end))


def date_period(params, start_option, end_option):
    """The two ``YYYY-MM-DD`` options of a period, validated (format, real dates, start not after end), as given."""
    return _period(params, start_option, end_option, parse_date, lambda day: day.isoformat())


def date_time_period(params, start_option, end_option):
    """The two ISO 8601 date-time options of a period, validated and in the API's form (``2024-01-31T12:00:00Z``)."""
    return _period(params, start_option, end_option, parse_datetime, api_datetime)


def list_accounts(client, params, records, listing=None):
    """Customers or resellers (``records``: ``/customers``, ``/resellers``) as their info modules find them: one by
    ``id``, else a listing (``listing``, default ``records``) filtered by external id, name and e-mail, exact on the
    external id, with full records when ``details`` is asked for or an external id is given."""
    check_concurrency(params)
    if params["id"]:
        return get_one(client, records, params["id"])
    rows = client.paginate(listing or records, {"externalId": params["external_id"], "name": params["name"], "email": params["email"]})
    if params["external_id"]:
        rows = [row for row in rows if row.get("externalId") == params["external_id"]]
    if params["details"] or params["external_id"]:
        rows = fetch_details(client, records, rows, params["concurrency"])
    return rows
