# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The exceptions the collection raises on purpose. Private to this collection."""

from __future__ import annotations

import json


class IMError(Exception):
    """Base class: every error the collection raises deliberately. ``str()`` is the user-facing message; ``code`` says
    what kind of failure it is in a word a program can test (it lands in the ``failure`` of a licence line)."""

    code = "error"

    def __init__(self, message, code=None):
        super().__init__(message)
        if code:
            self.code = code


class IMConfigError(IMError):
    """A connection setting or module option is missing or invalid. Raised before any request is sent.

    ``problems`` are the same as data, one per problem found (``where``, ``field``, ``given``, ``message``): modules
    return them besides ``msg``.
    """

    code = "invalid_input"

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.problems = problems


class IMApiError(IMError):
    """A request to the Marketplace API failed.

    Carries what a user or Ingram Micro support needs: the HTTP status (``None`` when no response arrived),
    the API's own message, the method and path (never the query string or headers) and the
    ``X-Correlation-ID`` of the response.
    """

    def __init__(self, message, status=None, method=None, path=None, api_message=None, correlation_id=None, ambiguous=False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.api_message = api_message
        self.correlation_id = correlation_id
        # True when the request may have reached the server and been acted on although no answer arrived
        # (timeout, connection reset). A write in that state must be looked up, never blindly resent.
        self.ambiguous = ambiguous

    def __str__(self):
        return self.message

    @property
    def code(self):
        if self.ambiguous:
            return "answer_lost"
        if self.status is None:
            return "api_unreachable"
        if self.status == 429:
            return "throttled"
        if self.status in (401, 403):
            return "not_authorised"
        return "refused_by_api" if self.status < 500 else "api_error"

    def details(self):
        """The structured fields modules add to ``fail_json``."""
        return {
            "status": self.status,
            "path": self.path,
            "method": self.method,
            "api_message": self.api_message,
            "correlation_id": self.correlation_id,
        }


class IMNotFoundError(IMApiError):
    """HTTP 404: the object does not exist (or is not visible to this reseller)."""


class IMWaitError(IMError):
    """Waiting for an asynchronous object (order, report) ended in a failure state or timed out."""

    code = "ended_in_failure"

    def __init__(self, message, last=None):
        super().__init__(message)
        self.last = last


class IMWaitTimeout(IMWaitError):
    """Time ran out while the object was still pending: ``last`` is not in a final state."""

    code = "wait_timed_out"


class IMSeatMismatchError(IMError):
    """A completed change order left other seats than asked for. ``reading`` is the change-quantity reading that
    explains the seats found (``total`` or ``delta``), or ``None`` when neither does."""

    code = "seats_differ"

    def __init__(self, message, reading=None):
        super().__init__(message)
        self.reading = reading


class IMOrderRaceError(IMError):
    """Another run ordered for the same target at the same moment as this one (see _orders.OrderDesk.place_alone).

    ``order`` is this run's order, ``rivals`` the other runs' orders, first created first (the first is the one that
    stands), and ``withdrawn`` whether this run's order was withdrawn, leaving the target ordered once.
    """

    code = "ordered_twice"

    def __init__(self, message, order=None, rivals=(), withdrawn=False):
        super().__init__(message)
        self.order = order
        self.rivals = list(rivals)
        self.withdrawn = withdrawn


def problem(where, field, given, text, columns=None):  # pylint: disable=too-many-arguments
    """A problem of a declaration line: where it is, the field, what was given, and the message naming all of it."""
    column = (columns or {}).get(field) if field else None
    return {"where": where, "field": field, "given": given,
            "message": "%s, column %s: %s" % (where, column, text) if column else "%s: %s" % (where, text)}


def shown(value):
    """A value as the user typed it, for messages: JSON-like, short."""
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
