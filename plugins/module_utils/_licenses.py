# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bulk licence reconciliation: read every affected subscription, plan, guard, price, and apply. Private to this collection.

``plan_lines`` and the summary/fingerprint helpers are pure functions (state + desired + guardrails -> plan), so they
are unit- and property-tested on their own. ``Reconciler`` does the I/O around them: it reads with as few listings
as possible and bounded concurrency over one session, prices the changes with the order estimate, and applies them
through ``OrderDesk`` (open orders waited for, lost answers looked up, seats read back).
"""

from __future__ import annotations

import collections
import hashlib
import json
from decimal import Decimal

from ansible_collections.ingrammicro.marketplace.plugins.module_utils import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._errors import IMApiError, IMConfigError, IMError, IMWaitError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._lookup import (
    ENDED_SUBSCRIPTION_STATUSES, find_customer, find_products, find_subscriptions, list_by_statuses, path_id, subscription_mpns,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._orders import OPEN_STATUSES, describe

# Above this many distinct customers (or MPNs), one listing of all customers / subscriptions (or of the catalog) is
# cheaper than one lookup each.
LIST_ALL_THRESHOLD = 3


# ---------------------------------------------------------------------------------------------------- pure planning

def line_label(line):
    """How a line is named in messages: ``line 3 (ACME-001 CFQ7TTC0LDPB:0001:P1Y 30 -> 20)``."""
    who = line.get("customer") or line.get("customer_id") or "subscription %s" % line.get("subscription_id")
    seats = "%s -> %s" % ("none" if line.get("current") is None else line["current"], line.get("desired"))
    return "line %d (%s %s %s)" % (line["index"], who, line.get("mpn") or "", seats)


def plan_lines(states, guardrails, window_days=None, today=None):
    """The plan: one line per state, in order. Pure.

    Each state is a dict with ``index``, ``customer`` (as given), ``customer_id``, ``customer_name``, ``mpn``,
    ``desired``, ``window_days`` (per-line override or ``None``), ``subscription`` (full record or ``None`` when the
    customer holds none of the product), ``product`` (the catalog entry, for limits) and ``problem`` (why the line
    cannot be planned, or ``None``).
    """
    lines = []
    seen = {}
    for state in states:
        subscription = state.get("subscription")
        line = {
            "index": state["index"], "customer": state.get("customer"), "customer_id": state.get("customer_id"),
            "customer_name": state.get("customer_name"), "subscription_id": (subscription or {}).get("id") or state.get("subscription_id"),
            "mpn": state.get("mpn"), "product": (state.get("product") or {}).get("name"), "current": None,
            "desired": state["desired"], "delta": None, "action": _seats.BLOCKED, "reason": state.get("problem"),
            "deferred_until": None, "price_change": None, "result": None, "order": None, "message": None,
        }
        lines.append(line)
        if subscription is not None:
            line["product"] = _seats.product_line(subscription, state["mpn"]).get("name") or line["product"]
            line["current"] = _seats.seats(subscription, state["mpn"])
        line["delta"] = line["desired"] - (line["current"] or 0)
        key = (line["subscription_id"] or line["customer_id"], line["mpn"])
        if key in seen and line["reason"] is None:
            line["reason"] = "declares the same subscription as line %d" % seen[key]
        seen.setdefault(key, line["index"])
        if line["reason"] is not None:
            continue
        if subscription is not None and subscription.get("status") != "active":
            line["reason"] = "subscription %s is %s; only active subscriptions can be changed" % (subscription["id"], subscription.get("status"))
            continue
        window = state.get("window_days") if state.get("window_days") is not None else window_days
        start, renewal = _seats.term_dates(subscription) if subscription else (None, None)
        action, reason, until = _seats.decide(line["current"], line["desired"], guardrails, window, start, renewal, today)
        line.update(action=action, reason=reason, deferred_until=until)
        if action in _seats.ORDERING and state.get("product"):
            try:
                _seats.check_limits(state["product"], line["desired"], "quantity")
            except IMConfigError as exc:
                line.update(action=_seats.BLOCKED, reason=str(exc))
    return lines


def add_amounts(amounts):
    """``{"amount", "currency"}`` totals per currency of ``amounts`` (dicts with string amounts)."""
    totals = collections.OrderedDict()
    for price in amounts:
        if price and price.get("amount") is not None:
            totals[price.get("currency")] = totals.get(price.get("currency"), Decimal(0)) + Decimal(str(price["amount"]))
    return [{"amount": str(amount), "currency": currency} for currency, amount in totals.items()]


def cost_violation(lines, max_cost_delta):
    """A message when the plan's estimated price change exceeds ``max_cost_delta`` in any currency, else ``None``."""
    if max_cost_delta is None:
        return None
    for total in add_amounts(line["price_change"] for line in lines if line["action"] in _seats.ORDERING):
        if Decimal(total["amount"]) > Decimal(str(max_cost_delta)):
            costly = [line for line in lines if line["price_change"] and Decimal(line["price_change"]["amount"]) > 0]
            return "the plan's estimated price change of %s %s exceeds max_cost_delta %s; lines adding cost: %s" % (
                total["amount"], total["currency"] or "", max_cost_delta,
                "; ".join("%s: %s %s" % (line_label(line), line["price_change"]["amount"], line["price_change"].get("currency") or "")
                          for line in costly))
    return None


def summarize(lines, outcome):
    """Counts, total price change and fingerprint of ``lines``, with the run's ``outcome`` (see im_licenses' RETURN)."""
    counts = collections.Counter(line["action"] for line in lines)
    results = collections.Counter(line["result"] for line in lines if line["result"])
    totals = add_amounts(line["price_change"] for line in lines if line["action"] in _seats.ORDERING)
    return {
        "outcome": outcome,
        "lines": len(lines),
        "increase": counts[_seats.INCREASE], "decrease": counts[_seats.DECREASE], "create": counts[_seats.CREATE],
        "none": counts[_seats.NONE], "deferred": counts[_seats.DEFERRED], "blocked": counts[_seats.BLOCKED],
        "refused": results["refused"], "failed": results["failed"],
        "price_change": totals[0] if len(totals) == 1 else (totals or None),
        "fingerprint": fingerprint(lines),
    }


def fingerprint(lines):
    """A digest of what the plan was computed from and decided: seats, subscriptions and actions (prices excluded,
    since estimates move with proration while the state stays the same)."""
    keys = ("index", "customer_id", "subscription_id", "mpn", "current", "desired", "action", "deferred_until")
    material = json.dumps([[line.get(key) for key in keys] for line in lines], sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def plan_differences(saved_lines, lines):
    """Human-readable differences between a saved plan and the recomputed one."""
    keys = ("customer_id", "subscription_id", "mpn", "current", "desired", "action")
    differences = []
    if len(saved_lines) != len(lines):
        differences.append("the saved plan has %d lines, the current input %d" % (len(saved_lines), len(lines)))
    for saved, line in zip(saved_lines, lines):
        changed = ["%s %s -> %s" % (key, saved.get(key), line.get(key)) for key in keys if saved.get(key) != line.get(key)]
        if changed:
            differences.append("%s: %s" % (line_label(line), ", ".join(changed)))
    return differences


# ---------------------------------------------------------------------------------------------------- I/O

class Reconciler:
    """Reads, plans, prices and applies licence lines over one client."""

    def __init__(self, client, desk, warn, concurrency=8, today=None):
        self.client = client
        self.desk = desk
        self.warn = warn
        self.concurrency = concurrency
        self.today = today

    def _map(self, func, items):
        return self.client.map_concurrent(func, list(items), self.concurrency)

    # ------------------------------------------------------------------ reading

    def read(self, specs):
        """A planning state per input line (see ``plan_lines``)."""
        by_id = self._subscriptions_by_id(sorted({spec["subscription_id"] for spec in specs if spec["subscription_id"]}))
        mpns = {spec["mpn"] for spec in specs if spec["mpn"]}
        for spec in specs:
            subscription = by_id.get(spec["subscription_id"])
            if subscription and not spec["mpn"] and len(subscription.get("products") or []) == 1:
                mpns.add(subscription["products"][0].get("mpn"))
        mpns = sorted(mpn for mpn in mpns if mpn)
        catalog = self._catalog(mpns)
        customers = self._customers(sorted({spec["customer"] for spec in specs if spec["customer"]}))
        wanted = {customer["id"] for customer in customers.values() if customer and customer.get("id")}
        rows = self._subscription_rows(wanted)
        held = self._holdings(specs, customers, rows, catalog)
        return [self._state(index, spec, by_id, catalog, customers, held) for index, spec in enumerate(specs, start=1)]

    def _catalog(self, mpns):
        """``{mpn: [catalog entries]}``; one listing of the whole catalog when there are many MPNs."""
        if len(mpns) <= LIST_ALL_THRESHOLD:
            return dict(zip(mpns, self._map(lambda mpn: find_products(self.client, mpn), mpns)))
        catalog = {mpn: [] for mpn in mpns}
        for product in self.client.paginate("/products"):
            if product.get("mpn") in catalog:
                catalog[product["mpn"]].append(product)
        return catalog

    def _subscriptions_by_id(self, ids):
        return dict(zip(ids, self._map(lambda sid: self.client.get_or_none("/subscriptions/%s" % path_id(sid)), ids)))

    def _customers(self, refs):
        """``{reference: customer or None}``; one listing of all customers when there are many references."""
        if len(refs) <= LIST_ALL_THRESHOLD:
            def lookup(ref):
                try:
                    return find_customer(self.client, ref)
                except IMError as exc:
                    return {"problem": str(exc)}
            return dict(zip(refs, self._map(lookup, refs)))
        everyone = self.client.paginate("/customers")
        by_external = collections.defaultdict(list)
        for customer in everyone:
            by_external[customer.get("externalId")].append(customer)
        by_id = {customer.get("id"): customer for customer in everyone}
        found = {}
        for ref in refs:
            matches = by_external.get(ref) or []
            if len(matches) > 1:
                found[ref] = {"problem": "customer external_id %s matches %d customers (ids %s); give the Marketplace id instead"
                                         % (ref, len(matches), ", ".join(str(match.get("id")) for match in matches))}
            else:
                found[ref] = matches[0] if matches else by_id.get(ref)
        return found

    def _subscription_rows(self, customer_ids):
        """``{customer_id: [subscription list rows]}`` of live subscriptions."""
        if not customer_ids:
            return {}
        if len(customer_ids) > LIST_ALL_THRESHOLD:
            listing = self.client.paginate("/subscriptions")
        else:
            ids = sorted(customer_ids)
            listing = [row for rows in self._map(lambda cid: self.client.paginate("/subscriptions", {"customerId": cid}), ids) for row in rows]
        rows = collections.defaultdict(list)
        for row in listing:
            if row.get("customerId") in customer_ids and row.get("status") not in ENDED_SUBSCRIPTION_STATUSES:
                rows[row["customerId"]].append(row)
        return rows

    def _holdings(self, specs, customers, rows, catalog):
        """``{(customer_id, mpn): [full subscription records]}``: list rows have no MPN, so details are read, first for
        rows named like the product, then (only when none matches) for the customer's other rows."""
        pairs = sorted({(customers[spec["customer"]]["id"], spec["mpn"]) for spec in specs
                        if spec["customer"] and spec["mpn"] and not spec["subscription_id"]
                        and customers.get(spec["customer"]) and customers[spec["customer"]].get("id")})
        details = {}

        def fetch(row_ids):
            missing = sorted(set(row_ids) - set(details))
            details.update(zip(missing, self._map(lambda sid: self.client.get_or_none("/subscriptions/%s" % path_id(sid)), missing)))

        names = {mpn: {product.get("name") for product in products} for mpn, products in catalog.items()}
        fetch(row["id"] for customer_id, mpn in pairs for row in rows.get(customer_id, []) if row.get("name") in names.get(mpn, ()))
        held = {}
        for customer_id, mpn in pairs:
            found = [details[row["id"]] for row in rows.get(customer_id, []) if details.get(row["id"]) and mpn in subscription_mpns(details[row["id"]])]
            held[(customer_id, mpn)] = found
        unmatched = [pair for pair, found in held.items() if not found]
        fetch(row["id"] for customer_id, _mpn in unmatched for row in rows.get(customer_id, []))
        for customer_id, mpn in unmatched:
            held[(customer_id, mpn)] = [details[row["id"]] for row in rows.get(customer_id, [])
                                        if details.get(row["id"]) and mpn in subscription_mpns(details[row["id"]])]
        return held

    @staticmethod
    def _catalog_entry(products, subscription):
        if subscription is not None:
            same_term = [product for product in products if product.get("subscriptionPeriod") == subscription.get("subscriptionPeriod")]
            return (same_term or products or [None])[0]
        return products[0] if len(products) == 1 else None

    def _state(self, index, spec, by_id, catalog, customers, held):
        state = {"index": index, "customer": spec["customer"], "customer_id": None, "customer_name": None, "mpn": spec["mpn"],
                 "subscription_id": spec["subscription_id"], "desired": spec["quantity"], "window_days": spec["decrease_window_days"],
                 "parameters": spec.get("parameters"), "po_number": spec.get("po_number"), "subscription": None, "product": None,
                 "problem": None}
        customer = customers.get(spec["customer"]) if spec["customer"] else None
        if customer is not None and customer.get("problem"):
            state["problem"] = customer["problem"]
            return state
        if spec["customer"] and customer is None:
            state["problem"] = "customer %s not found: no customer has this external id or id" % spec["customer"]
            return state
        if customer is not None:
            state.update(customer_id=customer["id"], customer_name=customer.get("name"))
        if spec["subscription_id"]:
            subscription = by_id.get(spec["subscription_id"])
            if subscription is None:
                state["problem"] = "subscription id %s not found" % spec["subscription_id"]
                return state
            if customer is not None and subscription.get("customerId") != customer["id"]:
                state["problem"] = "subscription %s belongs to customer %s, not to %s" % (subscription["id"], subscription.get("customerId"), spec["customer"])
                return state
            state["customer_id"] = state["customer_id"] or subscription.get("customerId")
            try:
                state["mpn"] = spec["mpn"] or _seats.product_line(subscription)["mpn"]
                _seats.product_line(subscription, state["mpn"])
            except IMError as exc:
                state["problem"] = str(exc)
                return state
            state.update(subscription=subscription, product=self._catalog_entry(catalog.get(state["mpn"]) or [], subscription))
            return state
        found = held.get((customer["id"], spec["mpn"])) or []
        products = catalog.get(spec["mpn"]) or []
        if len(found) > 1:
            state["problem"] = "customer %s holds %d subscriptions of %s (ids %s); give subscription_id to pick one" % (
                spec["customer"], len(found), spec["mpn"], ", ".join(subscription["id"] for subscription in found))
        elif found:
            state.update(subscription=found[0], product=self._catalog_entry(products, found[0]))
        elif not products:
            state["problem"] = "customer %s holds no subscription of %s, and %s is not in the catalog" % (spec["customer"], spec["mpn"], spec["mpn"])
        elif len(products) > 1:
            state["problem"] = ("customer %s holds no subscription of %s, which the catalog offers with several terms; buy it with "
                                "ingrammicro.marketplace.im_order, which can pick the term" % (spec["customer"], spec["mpn"]))
        else:
            state["product"] = products[0]
        return state

    def open_orders(self, states, lines):
        """``{line index: [open orders]}`` for the lines that would order: one listing per open status for everyone."""
        ordering = [state for state, line in zip(states, lines) if line["action"] in _seats.ORDERING]
        if not ordering:
            return {}
        customers = {state["customer_id"] for state in ordering}
        rows = [row for row in list_by_statuses(self.client, "/orders", {}, OPEN_STATUSES) if row.get("customerId") in customers]
        orders = [order for order in self._map(lambda row: self.client.get_or_none("/orders/%s" % path_id(row["id"])), rows) if order]
        found = {}
        for state in ordering:
            subscription_id = (state["subscription"] or {}).get("id")
            matches = []
            for order in orders:
                targets = {order.get("subscriptionId")} | {item.get("subscriptionId") for item in order.get("products") or []}
                if subscription_id and subscription_id in targets:
                    matches.append(order)
                elif not subscription_id and order.get("customerId") == state["customer_id"] and (order.get("type") or "sales") == "sales" \
                        and state["mpn"] in {item.get("mpn") for item in order.get("products") or []}:
                    matches.append(order)
            if matches:
                found[state["index"]] = matches
        return found

    # ------------------------------------------------------------------ ordering

    def order_body(self, state, line, change_quantity):
        if line["action"] == _seats.CREATE:
            item = {"mpn": state["mpn"], "quantity": line["desired"]}
            if state.get("parameters"):
                item["parameters"] = [{"name": parameter["name"], "value": parameter["value"]} for parameter in state["parameters"]]
            return _seats.with_po_number({"type": "sales", "customerId": state["customer_id"], "products": [item]}, state.get("po_number"))
        return _seats.change_order(state["subscription"], state["mpn"], line["current"], line["desired"], change_quantity,
                                   state.get("po_number"))

    def price(self, states, lines, change_quantity):
        """Attach each ordering line's estimated price change (``POST /orders/estimate``, which creates nothing)."""
        pairs = [(state, line) for state, line in zip(states, lines) if line["action"] in _seats.ORDERING]

        def estimate(pair):
            state, line = pair
            try:
                line["price_change"] = _seats.price_change(self.desk.estimate(self.order_body(state, line, change_quantity)))
            except IMApiError as exc:
                if exc.status is None or exc.status >= 500:
                    raise
                line.update(action=_seats.BLOCKED, reason="the API refused to price this change: %s" % (exc.api_message or exc))

        self._map(estimate, pairs)

    def apply(self, states, lines, change_quantity, waiter):
        """Place the lines' orders (at most ``concurrency`` at a time), then wait for all of them together, then read
        the seats back; record each line's result. Waiting for all at once keeps the total wait near one order's
        processing time instead of one per batch of ``concurrency`` lines."""
        pairs = [(state, line) for state, line in zip(states, lines) if line["action"] in _seats.ORDERING]
        for line in lines:
            if line["action"] in (_seats.NONE, _seats.DEFERRED):
                line["result"] = line["action"]
        placed = [pair + (order,) for pair, order in zip(pairs, self._map(lambda pair: self._place_line(pair[0], pair[1], change_quantity, waiter), pairs))
                  if order is not None]
        if not placed:
            return
        if not waiter.active:
            for _state, line, _order in placed:
                line["result"] = "submitted"
            return
        finished = self.desk.wait_all([order for _state, _line, order in placed], waiter)
        self._map(lambda item: self._finish_line(item[0][0], item[0][1], item[1], change_quantity), list(zip(placed, finished)))

    def _place_line(self, state, line, change_quantity, waiter):
        """The line's order once placed, or ``None`` when the line ended here (refused, failed, or overtaken)."""
        body = self.order_body(state, line, change_quantity)
        try:
            if line["action"] == _seats.CREATE:
                order, overtaken = self._place_new_subscription(state, body)
            else:
                order, overtaken = self.desk.place_on_subscription(body)
        except IMApiError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                # The platform said no to this line (for example a decrease outside its window): the other lines go on.
                line.update(result="refused", message=exc.api_message or str(exc))
                self.warn("%s was refused by the API: %s" % (line_label(line), line["message"]))
            else:
                line.update(result="failed", message=str(exc))
            return None
        if overtaken is not None:
            self._overtaken(state, line, overtaken, waiter)
            return None
        line["order"] = _order_summary(order)
        line["price_change"] = line["price_change"] or _seats.price_change(order)
        return order

    def _finish_line(self, state, line, finished, change_quantity):
        order, error = finished
        line["order"] = _order_summary(order)
        if error is not None:
            line.update(result="failed", message=str(error))
            return
        try:
            self._verify(state, line, order, change_quantity)
        except IMError as exc:
            line.update(result="failed", message=str(exc))
            return
        line["result"] = "completed"

    def _place_new_subscription(self, state, body):
        """Order a new subscription unless, checked under the lock for this customer and product, another run has an
        order for it in progress or has already created it. Returns ``(order, None)`` or ``(None, orders found)``."""
        customer_id, mpn = state["customer_id"], state["mpn"]
        with self.desk.exclusive(("new subscription", customer_id, mpn)):
            found = [order for order in self.desk.details(self.desk.open_orders(customerId=customer_id))
                     if (order.get("type") or "sales") == "sales" and mpn in {item.get("mpn") for item in order.get("products") or []}]
            if found or self._current_subscription(state):
                return None, found
            return self.desk.place(body), None

    def _current_subscription(self, state):
        if state["subscription"] is not None:
            return self.client.get("/subscriptions/%s" % path_id(state["subscription"]["id"]))
        names = {(state.get("product") or {}).get("name")}
        found = find_subscriptions(self.client, state["customer_id"], state["mpn"], names)
        return found[0] if found else None

    def _overtaken(self, state, line, orders, waiter):
        """Another run ordered for this line after it was planned: wait for that, then report what the seats are."""
        names = ", ".join(describe(order) for order in orders) or "another order"
        if orders and not waiter.active:
            line.update(result="failed", message="%s is open for this subscription; nothing was ordered (wait is off)" % names)
            return
        for order in orders:
            try:
                self.desk.wait(order, waiter)
            except IMWaitError as exc:
                self.warn(str(exc))
        subscription = self._current_subscription(state)
        seats = _seats.seats(subscription, state["mpn"]) if subscription else None
        if seats == line["desired"]:
            line.update(result="none", subscription_id=subscription["id"],
                        message="%s, placed by another run while this one worked, reached the seats; nothing was ordered" % names)
        else:
            line.update(result="failed", message="%s, placed by another run while this one worked, left %s seats; nothing was "
                                                 "ordered: run again to plan from there" % (names, seats))

    def _verify(self, state, line, order, change_quantity):
        subscription_id = line["subscription_id"]
        if line["action"] == _seats.CREATE:
            subscription_id = next((item.get("subscriptionId") for item in order.get("products") or [] if item.get("mpn") == state["mpn"]),
                                   None) or order.get("subscriptionId")
            line["subscription_id"] = subscription_id
            if not subscription_id:
                return
        subscription = self.client.get("/subscriptions/%s" % path_id(subscription_id))
        _seats.verify_seats(subscription, state["mpn"], line["desired"], describe(order), change_quantity)


def _order_summary(order):
    return {"id": order.get("id"), "order_number": order.get("orderNumber"), "status": order.get("status")}
