# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Placing, finding and waiting for orders without ever buying twice. Private to this collection.

Orders have no idempotency key: a ``POST /orders`` resent after a lost answer creates a second order. So a write
whose outcome is unknown (timeout, dropped connection) is never resent blindly: the orders created since just
before the attempt are read and compared with what was sent; only when none matches is the order sent once more.
"""

from __future__ import annotations

import collections
import datetime
import email.utils

from ansible_collections.ingrammicro.marketplace.plugins.module_utils._errors import IMApiError, IMError, IMWaitError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._locks import intent_lock
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._lookup import list_by_statuses, path_id

OPEN_STATUSES = ("submitted", "processing")
FAILED_STATUSES = ("error", "cancelled")
# How far before the attempt (by the API's own clock) orders count as possibly ours after a lost answer.
LOOKUP_MARGIN = datetime.timedelta(seconds=5)
# Without a Date header from the API, our clock is used with this margin for skew.
LOCAL_CLOCK_MARGIN = datetime.timedelta(minutes=10)


def describe(order):
    """``order SO000123 (id 4000012)``: how orders are named in messages."""
    if order.get("orderNumber"):
        return "order %s (id %s)" % (order["orderNumber"], order.get("id"))
    return "order %s" % order.get("id")


def _line_key(line, with_quantity):
    key = (line.get("mpn") or line.get("id"),)
    return key + (float(line.get("quantity") or 0),) if with_quantity else key


def same_intent(body, order):
    """Whether ``order`` (a full record) is what ``body`` asked for.

    Change orders are recorded with the signed change rather than the quantity sent, so only their products and
    subscription are compared; sales orders are compared with their quantities and PO number too.
    """
    if (order.get("type") or "sales") != (body.get("type") or "sales") or order.get("customerId") != body.get("customerId"):
        return False
    if body.get("subscriptionId"):
        held = {order.get("subscriptionId")} | {line.get("subscriptionId") for line in order.get("products") or []}
        if body["subscriptionId"] not in held:
            return False
    if body.get("poNumber") and order.get("poNumber") != body["poNumber"]:
        return False
    with_quantity = (body.get("type") or "sales") == "sales"
    wanted = collections.Counter(_line_key(line, with_quantity) for line in body.get("products") or [])
    found = collections.Counter(_line_key(line, with_quantity) for line in order.get("products") or [])
    return wanted == found


class OrderDesk:
    """Order operations over one client, with the module's ``warn``."""

    def __init__(self, client, warn, concurrency=8):
        self.client = client
        self.warn = warn
        self.concurrency = concurrency

    def get(self, order_id):
        return self.client.get("/orders/%s" % path_id(order_id))

    def details(self, rows):
        """Full records of order list rows (rows carry no products and no PO number)."""
        return self.client.map_concurrent(lambda row: self.get(row["id"]), rows, self.concurrency)

    def open_orders(self, **query):
        """Orders still ``submitted`` or ``processing`` matching the list filters.

        The API takes one status per request; a subscription has few orders, so for one subscription a single listing
        filtered here is cheaper than one listing per open status.
        """
        if query.get("subscriptionId"):
            return [row for row in self.client.paginate("/orders", query) if row.get("status") in OPEN_STATUSES]
        return list_by_statuses(self.client, "/orders", query, OPEN_STATUSES)

    def exclusive(self, key):
        """A context holding the machine-wide lock for ordering on ``key`` (see _locks)."""
        return intent_lock(self.client.config, key, self.warn)

    def order_from_fresh_state(self, subscription_id, build, waiter):
        """Order on a subscription from its state as it is now, never from a stale read.

        Under the subscription's lock (shared by every process using this cache directory): wait for every order still
        open on it, read it again (orders completed since any earlier read are in its seats now), and let
        ``build(fresh subscription)`` return the order body, or ``None`` when nothing needs ordering any more.
        Returns ``(order or None, fresh subscription, orders waited for)``. An order still open when waiting is off, or
        after ``wait_timeout``, raises: nothing is ordered on top of it.
        """
        with self.exclusive(("subscription", subscription_id)):
            found = self.open_orders(subscriptionId=subscription_id)
            if found and not waiter.active:
                raise IMError("%s is still open on subscription %s; nothing was ordered on top of it (waiting is off: run again "
                              "when it has completed)" % (", ".join(describe(order) for order in found), subscription_id))
            for order in found:
                try:
                    self.wait(order, waiter)
                except IMWaitError as exc:
                    if exc.last is None or exc.last.get("status") not in FAILED_STATUSES:
                        raise  # still open: nothing may be ordered on top of it
                    self.warn(str(exc))
            subscription = self.client.get("/subscriptions/%s" % path_id(subscription_id))
            body = build(subscription)
            return (self.place(body) if body is not None else None), subscription, found

    def estimate(self, body):
        """The price of an order, from ``POST /orders/estimate`` (which persists nothing)."""
        return self.client.post("/orders/estimate", body)

    def _lookup_start(self):
        server_date = None
        if self.client.server_date:
            try:
                server_date = email.utils.parsedate_to_datetime(self.client.server_date)
            except (TypeError, ValueError):
                server_date = None
        if server_date is not None:
            return server_date - LOOKUP_MARGIN
        return datetime.datetime.now(datetime.timezone.utc) - LOCAL_CLOCK_MARGIN

    def place(self, body):
        """``POST /orders`` once; after an answer that was lost, find the order instead of sending it again."""
        since = self._lookup_start()
        for attempt in (1, 2):
            try:
                return self.client.post("/orders", body)
            except IMApiError as exc:
                if not exc.ambiguous:
                    raise
                # A 5xx is worded as one: the server answered, but may still have acted.
                what = "got no answer" if exc.status is None else "was answered with HTTP %s" % exc.status
                placed = self.find_placed(body, since)
                if placed is not None:
                    self.warn("POST /orders %s, but %s had been created; using it instead of ordering again" % (what, describe(placed)))
                    return placed
                if attempt == 2:
                    raise IMApiError("%s; no order had been created after the first attempt either, so it was not sent a third "
                                     "time" % exc.message, status=exc.status, method=exc.method, path=exc.path,
                                     correlation_id=exc.correlation_id, ambiguous=True)
                self.warn("POST /orders %s (%s) and no order had been created; sent it once more" % (what, exc.message))
        raise AssertionError("unreachable")  # pragma: no cover

    def find_placed(self, body, since):
        """The newest order created since ``since`` that matches ``body``, or ``None``."""
        query = {"customerId": body["customerId"], "creationTimeFrom": since.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if body.get("subscriptionId"):
            query["subscriptionId"] = body["subscriptionId"]
        rows = [row for row in self.client.paginate("/orders", query) if (row.get("type") or "sales") == (body.get("type") or "sales")]
        matches = [order for order in self.details(rows) if same_intent(body, order)]
        return matches[0] if matches else None

    def wait_all(self, orders, waiter):
        """``[(order, error or None)]`` once every order is final: all polled together, ``concurrency`` at a time."""
        return waiter.wait_all(orders, lambda pending: self.client.map_concurrent(lambda order: self.get(order["id"]), pending, self.concurrency),
                               success=("completed",), failure=FAILED_STATUSES, what=describe)

    def wait(self, order, waiter):
        """The order once ``completed``; IMWaitError naming it when it ends in ``error``/``cancelled`` or time runs out.

        The error's ``last`` is the order as last read, so the module can return it with the failure.
        """
        if not order.get("id"):
            return order
        try:
            return waiter.wait(order, lambda: self.get(order["id"]), success=("completed",), failure=FAILED_STATUSES,
                               what=describe(order))
        except IMWaitError as exc:
            exc.last = exc.last or order
            raise
