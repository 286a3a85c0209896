# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Placing, finding and waiting for orders without ever buying twice. Private to this collection.

Orders have no idempotency key: a ``POST /orders`` resent after a lost answer creates a second order. So a write
whose outcome is unknown (timeout, dropped connection) is never resent blindly: the orders created since just
before the attempt are read and compared with what was sent; only when none matches is the order sent once more.

Runs on other machines (AWX jobs have a container each) share no lock with this one, and the API has no conditional
write, so two runs can both find no open order and both order. After its ``POST /orders`` a run therefore reads the
target's orders again (``Claim``): the orders created after its own look, other than its own, raced it. The earliest
order of a race stands; every later one is withdrawn by the run that placed it (``PATCH statusCode CL`` while it is
not completed), and the run that placed the earliest one checks, once its order has ended, that every later one was
withdrawn. What cannot be withdrawn is reported by every run involved as a failure naming the orders.
"""

from __future__ import annotations

import collections
import datetime
import email.utils

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._locks import intent_lock
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._dates import api_datetime, parse_datetime
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import (
    IMApiError, IMConfigError, IMError, IMOrderRaceError, IMWaitError, IMWaitTimeout,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import id_key, list_by_statuses, path_id
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._waiter import Waiter

OPEN_STATUSES = ("submitted", "processing")
FAILED_STATUSES = ("error", "cancelled")
# The order types that compete for a subscription's seats (renewals are the platform's own and change no seats).
SEAT_ORDER_TYPES = ("change", "cancellation")
# The statusCode that withdraws an order not completed yet (the contract's PATCH example; see docs/reliability.md).
WITHDRAW_STATUS_CODE = "CL"
# How far before the attempt (by the API's own clock) orders count as possibly ours after a lost answer.
LOOKUP_MARGIN = datetime.timedelta(seconds=5)
# Without a Date header from the API, our clock is used with this margin for skew.
LOCAL_CLOCK_MARGIN = datetime.timedelta(minutes=10)
# How long a run whose order won a race gives the other runs to withdraw theirs.
WITHDRAW_GRACE = 20


def sales_order_of(order, mpn):
    """Whether ``order`` is a sales order (a new subscription) with a product of ``mpn``."""
    return (order.get("type") or "sales") == "sales" and mpn in {item.get("mpn") for item in order.get("products") or []}


def parameter_problems(results, labels):
    """One text per parameter in error in the ``data`` of a ``POST /validation/parameters`` answer (as the API spells
    it): the product (``labels[i]`` for the i-th result, else its MPN), the parameter, the API's messages and the
    allowed values where the API gives them."""
    problems = []
    for index, result in enumerate(results):
        where = labels[index] if index < len(labels) else result.get("mpn") or "?"
        for parameter in result.get("parameters") or []:
            if parameter.get("result") != "error":
                continue
            text = "%s parameter %s: %s" % (where, parameter.get("name"), parameter.get("message") or "not valid")
            if parameter.get("valueError"):
                text += " (%s)" % parameter["valueError"]
            choices = [str(choice.get("value")) for choice in parameter.get("valueChoices") or [] if isinstance(choice, dict)]
            if choices:
                text += ", allowed values: %s" % ", ".join(choices)
            problems.append(text)
    return problems


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


def order_target(body):
    """What an order body is for, in words: ``subscription 3000001`` or ``customer 1000002 (CFQ7TTC0LH18:0001:P1M)``."""
    if body.get("subscriptionId"):
        return "subscription %s" % body["subscriptionId"]
    return "customer %s (%s)" % (body.get("customerId"), ", ".join(str(item.get("mpn")) for item in body.get("products") or []))


def _timestamp(value):
    """An API date-time as a POSIX time, or ``None``."""
    try:
        return parse_datetime(value, "date").timestamp() if value else None
    except IMConfigError:
        return None


def precedence(order):
    """Where ``order`` stands in the order the API created orders: creation time, then id (as a number when it is one)."""
    created = _timestamp(order.get("creationDate"))
    return (float("inf") if created is None else created), id_key(order.get("id"))


class Claim:
    """What a run saw of a target's orders just before ordering on it: the orders then (``known``) and since when to look.

    ``query`` lists the target's orders (``{"subscriptionId": ...}`` or ``{"customerId": ...}``); another order competes
    when its type is one of ``types`` and, for sales orders, when it holds one of ``mpns``. ``target`` names it in
    messages.
    """

    def __init__(self, target, query, since, known, types, mpns=None):
        self.target = target
        self.query = query
        self.since = since
        self.known = set(known)
        self.types = tuple(types)
        self.mpns = set(mpns or ())


class OrderDesk:
    """Order operations over one client, with the module's ``warn``."""

    def __init__(self, client, warn, concurrency=8, watch=None):
        self.client = client
        self.warn = warn
        self.concurrency = concurrency
        self.watch = watch  # a ControllerWatch: no order is placed once ansible-playbook is gone

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

    def order_from_fresh_state(self, subscription_id, build, waiter, on_placed=None):
        """Order on a subscription from its state as it is now, never from a stale read, and alone.

        Under the subscription's lock (shared by every process using this cache directory): wait for every order still
        open on it, read it again (orders completed since any earlier read are in its seats now), and let
        ``build(fresh subscription)`` return the order body, or ``None`` when nothing needs ordering any more; the order
        is placed with ``place_alone``, so a run on another machine racing this one is caught.
        Returns ``(order or None, fresh subscription, orders waited for, claim)``. An order still open when waiting is
        off, or after ``wait_timeout``, raises: nothing is ordered on top of it. ``on_placed(order, body)`` is called as
        soon as the order exists.
        """
        with self.exclusive(("subscription", subscription_id)):
            since = self._lookup_start()
            listing = self.client.paginate("/orders", {"subscriptionId": subscription_id})
            found = [row for row in listing if row.get("status") in OPEN_STATUSES]
            if found and not waiter.active:
                raise IMError("%s is still open on subscription %s; nothing was ordered on top of it (waiting is off: run again "
                              "when it has completed)" % (", ".join(describe(order) for order in found), subscription_id), code="order_still_open")
            for order in found:
                try:
                    self.wait(order, waiter)
                except IMWaitError as exc:
                    if exc.last is None or exc.last.get("status") not in FAILED_STATUSES:
                        raise  # still open: nothing may be ordered on top of it
                    self.warn(str(exc))
            subscription = self.client.get("/subscriptions/%s" % path_id(subscription_id))
            body = build(subscription)
            if body is None:
                return None, subscription, found, None
            claim = Claim("subscription %s" % subscription_id, {"subscriptionId": subscription_id}, since,
                          [row.get("id") for row in listing], SEAT_ORDER_TYPES)
            return self.place_alone(body, claim, on_placed), subscription, found, claim

    def claim_products(self, customer_id, mpns):
        """A claim on new subscriptions of ``mpns`` for a customer: its orders created lately, seen before ordering."""
        since = self._lookup_start()
        rows = self.client.paginate("/orders", {"customerId": customer_id, "creationTimeFrom": api_datetime(since)})
        return Claim("customer %s (%s)" % (customer_id, ", ".join(sorted(mpns))), {"customerId": customer_id}, since,
                     [row.get("id") for row in rows], ("sales",), mpns)

    def competitors(self, claim, order_id):
        """Orders for the claim's target created since its look, other than ``order_id`` and those seen then."""
        rows = [row for row in self.client.paginate("/orders", dict(claim.query, creationTimeFrom=api_datetime(claim.since)))
                if row.get("id") not in claim.known and row.get("id") != order_id and (row.get("type") or "sales") in claim.types]
        if claim.mpns:
            rows = [order for order in self.details(rows) if claim.mpns & {item.get("mpn") for item in order.get("products") or []}]
        return rows

    def place_alone(self, body, claim, on_placed=None):
        """``POST /orders`` (see ``place``), then make sure no other run's order for the same target raced it.

        When an order created before ours is found, ours is withdrawn and IMOrderRaceError raised (its ``withdrawn``
        says whether that worked). Later ones are for their own runs to withdraw; ``confirm_alone`` checks that they were.
        """
        order = self.place(body)
        if on_placed is not None:
            on_placed(order, body)
        earlier = sorted((rival for rival in self.competitors(claim, order.get("id")) if precedence(rival) < precedence(order)),
                         key=precedence)
        if earlier:
            raise self._withdraw(order, earlier, claim)
        return order

    def _withdraw(self, order, earlier, claim):
        """Withdraw ``order``, which lost a race to ``earlier``; the IMOrderRaceError that says how it went."""
        theirs = ", ".join(describe(rival) for rival in earlier)
        race = "another run placed %s for %s at the same moment as this run's %s" % (theirs, claim.target, describe(order))
        why = None
        try:
            answer = self.client.patch("/orders/%s" % path_id(order.get("id")), {"statusCode": WITHDRAW_STATUS_CODE}) or {}
            if answer.get("status") != "cancelled":
                answer = self.get(order["id"])
            why = None if answer.get("status") == "cancelled" else "it is %s" % answer.get("status")
        except IMApiError as exc:
            why = str(exc)
        if why is None:
            return IMOrderRaceError("%s; this run withdrew its own order (now cancelled), so it is ordered once" % race,
                                    order=dict(order, status="cancelled"), rivals=earlier, withdrawn=True)
        return IMOrderRaceError("%s, and this run's order could not be withdrawn (%s): %s may be ordered twice. Check it once "
                                "both orders have ended; a rerun is safe then (it plans from what it finds)" % (race, why, claim.target),
                                order=order, rivals=earlier, withdrawn=False)

    def confirm_alone(self, claim, order, waiter):
        """After ``order`` ended: every other order that raced it must have been withdrawn by the run that placed it.

        Orders created after ours ended are not rivals: their runs saw ours. Rivals still open are given until
        ``WITHDRAW_GRACE`` seconds (their runs withdraw them right after placing them); IMOrderRaceError names those that
        went through or stayed open.
        """
        ended = _timestamp(order.get("provisioningDate")) or self._server_now()
        rivals = [rival for rival in self.competitors(claim, order.get("id")) if precedence(rival)[0] <= ended]
        still_open = [rival for rival in rivals if rival.get("status") in OPEN_STATUSES]
        if still_open:
            grace = Waiter(min(WITHDRAW_GRACE, waiter.timeout))
            finished = dict((rival["id"], last) for rival, (last, _error) in zip(still_open, self.wait_all(still_open, grace)))
            rivals = [finished.get(rival["id"], rival) for rival in rivals]
        standing = [rival for rival in rivals if rival.get("status") != "cancelled" and rival.get("status") != "error"]
        if standing:
            raise IMOrderRaceError(
                "%s, placed by another run for %s at the same moment as this run's %s, was not withdrawn (%s): %s may have "
                "been ordered twice. Check it once every order has ended; a rerun is safe then (it plans from what it finds)"
                % (", ".join(describe(rival) for rival in standing), claim.target, describe(order),
                   ", ".join("%s" % rival.get("status") for rival in standing), claim.target),
                order=order, rivals=standing, withdrawn=False)

    def _server_now(self):
        """The API's clock now (its last Date header), as a POSIX time; our clock when it sent none."""
        if self.client.server_date:
            try:
                return email.utils.parsedate_to_datetime(self.client.server_date).timestamp()
            except (TypeError, ValueError):
                pass
        return datetime.datetime.now(datetime.timezone.utc).timestamp()

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
        gone = self.watch.gone() if self.watch is not None else None
        if gone:
            raise IMError("not ordered: %s, so this run stopped placing orders" % gone, code="controller_gone")
        since = self._lookup_start()
        for attempt in (1, 2):
            try:
                return self.client.post("/orders", body)
            except IMApiError as exc:
                if not exc.ambiguous:
                    raise
                # A 5xx is worded as one: the server answered, but may still have acted.
                what = "got no answer" if exc.status is None else "was answered with HTTP %s" % exc.status
                try:
                    placed = self.find_placed(body, since)
                except IMApiError as lookup:
                    raise IMApiError("POST /orders %s (%s), and looking for the order it may have created failed too (%s): an "
                                     "order for %s may exist. A rerun is safe: it looks for open orders before ordering" % (
                                         what, exc.message, lookup, order_target(body)),
                                     status=exc.status, method=exc.method, path=exc.path, correlation_id=exc.correlation_id,
                                     ambiguous=True) from None
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

    def settle(self, orders, waiter, where):
        """Wait until ``orders``, open before this run (``where``: on which subscriptions), have ended: nothing may be
        ordered on top of them. One that ends in a failure state is someone else's and only a warning; one still open
        when ``waiter`` gives up, or with waiting turned off, stops the run before anything is ordered."""
        names = ", ".join(describe(order) for order in orders)
        if not waiter.active:
            raise IMError("%s is still open on %s; rerun when it has completed, or set %s: true to wait for it" % (names, where, option("wait")),
                          code="order_still_open")

        def settle_one(order):
            try:
                self.wait(order, waiter)
            except IMWaitTimeout as exc:
                target = order.get("subscriptionId") or exc.last.get("subscriptionId")
                raise IMError("%s, already open on subscription %s before this run, is still %s after %s (%ss); nothing was ordered. "
                              "Run again once it has completed" % (describe(order), target, exc.last.get("status"), option("wait_timeout"),
                                                                   waiter.timeout), code="order_still_open") from None
            except IMWaitError as exc:
                self.warn(str(exc))

        self.client.map_concurrent(settle_one, list(orders), self.concurrency)
        self.warn("waited for %s, already open on %s, before planning" % (names, where))

    def settled_subscription(self, subscription, waiter, check_mode=False):
        """``subscription`` read afresh once every order still open on it has ended (see ``settle``). In check mode it is
        returned as it is, with a warning naming the open orders: a plan never waits."""
        found = self.open_orders(subscriptionId=subscription["id"])
        if not found:
            return subscription
        if check_mode:
            self.warn("%s is still open on subscription %s; a real run would wait for it first, and this plan assumes the "
                      "subscription as it is now" % (", ".join(describe(order) for order in found), subscription["id"]))
            return subscription
        self.settle(found, waiter, "subscription %s" % subscription["id"])
        return self.client.get("/subscriptions/%s" % path_id(subscription["id"]))

    def order_alone(self, subscription_id, build, waiter, follow=True):
        """One order on a subscription, from its fresh state (``order_from_fresh_state``), followed to completion when
        ``follow``. Returns ``(order, withdrawn)``: ``order`` is ``None`` when ``build`` found nothing left to order, or
        when another run's order raced this one and this one was withdrawn (``withdrawn``, after that order ended).
        A race that could not be settled and an order that did not complete raise, carrying the order."""
        try:
            order, _fresh, _waited, claim = self.order_from_fresh_state(subscription_id, build, waiter)
        except IMOrderRaceError as race:
            if not race.withdrawn:
                raise
            # Another run's order came first and this one was withdrawn: what counts is where that order leaves the seats.
            self.warn(str(race))
            self.wait(race.rivals[0], waiter)
            return None, race.order
        if order is not None and follow:
            order = self.wait(order, waiter)
            self.confirm_alone(claim, order, waiter)
        return order, None

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
