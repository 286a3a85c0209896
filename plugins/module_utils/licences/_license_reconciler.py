# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bulk licence reconciliation, the I/O half: read every affected subscription, price, prove, order and verify.

Private to this collection. ``_license_planner`` decides; this module reads what it decides from (as few listings as
possible, bounded concurrency over one session) and carries the decisions out through ``OrderDesk``:

- each change is ordered from the seats read under the subscription's lock, after every order on it has ended, so a
  stale count never reaches an order (``order_from_fresh_state``);
- before the first change order, the price estimates must not contradict the ``change_quantity`` setting, and, unless
  the reading is confirmed, one order (the canary) completes and is read back before the others are placed;
- between orders, the run stops placing orders when ``ansible-playbook`` is gone;
- every line ends completed (ordered and verified), none, deferred, submitted (``wait: false``) or failed.
"""

from __future__ import annotations

import collections

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import (
    IMApiError, IMError, IMOrderRaceError, IMSeatMismatchError, IMWaitError,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _license_planner as planner
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _quantity_reading as quantity_reading
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._canary import refutation
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._reading_record import ReadingRecord
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import (
    ENDED_SUBSCRIPTION_STATUSES, catalog_entry, customer_words, find_customer, find_products, find_subscriptions, list_by_statuses, path_id,
    subscription_mpns,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import FAILED_STATUSES, OPEN_STATUSES, describe, sales_order_of
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._waiter import Waiter

# Above this many distinct customers (or MPNs), one listing of all customers / subscriptions (or of the catalog) is
# cheaper than one lookup each.
LIST_ALL_THRESHOLD = 3
# In a real run without a cost guardrail, at most this many change lines are estimated to judge the quantity reading.
READING_ESTIMATES = 3


class Reconciler:
    """Reads, plans, prices and applies licence lines over one client."""

    def __init__(self, client, desk, warn, concurrency=8, today=None):
        self.client = client
        self.desk = desk
        self.warn = warn
        self.concurrency = concurrency
        self.today = today
        self.canary_line = None  # the index of the line whose order served as the canary, after apply()

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
        """``{id: what the plan uses of the subscription, or None}``: each answer trimmed as it arrives (bounded memory)."""
        return dict(zip(ids, self._map(lambda sid: _seats.planning_record(self.client.get_or_none("/subscriptions/%s" % path_id(sid))), ids)))

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
                        if all((spec["customer"], spec["mpn"], not spec["subscription_id"], customers.get(spec["customer"]),
                                (customers.get(spec["customer"]) or {}).get("id")))})
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
            return catalog_entry(products, subscription)
        return products[0] if len(products) == 1 else None

    def _state(self, index, spec, by_id, catalog, customers, held):
        state = {"index": index, "customer": spec["customer"], "customer_id": None, "customer_name": None, "mpn": spec["mpn"],
                 "subscription_id": spec["subscription_id"], "desired": spec["quantity"], "window_days": spec["decrease_window_days"],
                 "parameters": spec.get("parameters"), "po_number": spec.get("po_number"), "subscription": None, "product": None,
                 "problem": None, "source": spec.get("source"), "derivation": spec.get("derivation")}
        columns = spec.get("columns") or {}

        def column(field):
            # A row of a licence CSV names the column at fault, as the spreadsheet shows it.
            return "column %s: " % columns[field] if field in columns else ""

        customer = customers.get(spec["customer"]) if spec["customer"] else None
        if customer is not None and customer.get("problem"):
            state["problem"] = column("customer") + customer["problem"]
            return state
        if spec["customer"] and customer is None:
            state["problem"] = column("customer") + "customer %s not found: no customer has this external id or id" % spec["customer"]
            return state
        if customer is not None:
            state.update(customer_id=customer["id"], customer_name=customer.get("name"))
        if spec["subscription_id"]:
            subscription = by_id.get(spec["subscription_id"])
            if subscription is None:
                state["problem"] = column("subscription_id") + "subscription id %s not found" % spec["subscription_id"]
                return state
            if customer is not None and subscription.get("customerId") != customer["id"]:
                state["problem"] = column("customer") + "subscription %s belongs to %s, not to %s" % (
                    subscription["id"], customer_words(self.client, subscription.get("customerId")), spec["customer"])
                return state
            state["customer_id"] = state["customer_id"] or subscription.get("customerId")
            try:
                state["mpn"] = spec["mpn"] or _seats.product_line(subscription)["mpn"]
                _seats.product_line(subscription, state["mpn"])
            except IMError as exc:
                state["problem"] = column("mpn") + str(exc)
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
            state["problem"] = column("mpn") + "customer %s holds no subscription of %s, and %s is not in the catalog" % (
                spec["customer"], spec["mpn"], spec["mpn"])
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
                elif not subscription_id and order.get("customerId") == state["customer_id"] and sales_order_of(order, state["mpn"]):
                    matches.append(order)
            if matches:
                found[state["index"]] = matches
        return found

    # ------------------------------------------------------------------ pricing and proving

    def order_body(self, state, line, change_quantity):
        """The order the plan would place for ``line`` (from the planned seats; a real order is built from fresh ones)."""
        if line["action"] == _seats.CREATE:
            item = {"mpn": state["mpn"], "quantity": line["desired"]}
            if state.get("parameters"):
                item["parameters"] = [{"name": parameter["name"], "value": parameter["value"]} for parameter in state["parameters"]]
            return _seats.with_po_number({"type": "sales", "customerId": state["customer_id"], "products": [item]}, state.get("po_number"))
        return _seats.change_order(state["subscription"], state["mpn"], line["current"], line["desired"], change_quantity,
                                   state.get("po_number"))

    def price(self, states, lines, change_quantity):
        """Attach each ordering line's estimated price change (``POST /orders/estimate``, which creates nothing); the
        estimate is kept in the line's state for ``judge_reading``."""
        pairs = [(state, line) for state, line in zip(states, lines) if line["action"] in _seats.ORDERING]

        def estimate(pair):
            state, line = pair
            try:
                state["estimate"] = self.desk.estimate(self.order_body(state, line, change_quantity))
            except IMApiError as exc:
                if exc.status is None or exc.status >= 500:
                    raise
                line.update(action=_seats.BLOCKED, reason="the API refused to price this change: %s" % (exc.api_message or exc))
                return
            line["price_change"] = _seats.price_change(state["estimate"], billing_period(state))

        self._map(estimate, pairs)

    def judge_reading(self, states, lines, change_quantity):
        """``(verdict, evidence)`` of the estimates on how the platform reads change quantities, or ``None`` without change
        lines. Lines priced already are judged from their estimates; otherwise up to READING_ESTIMATES are estimated."""
        changes = [(state, line) for state, line in zip(states, lines) if line["action"] in (_seats.INCREASE, _seats.DECREASE)]
        verdicts = []
        for state, line in changes:
            if "estimate" not in state:
                # Estimated only for this check: stop at the first conclusive one, or after READING_ESTIMATES.
                if len(verdicts) >= READING_ESTIMATES or any(verdict != quantity_reading.INCONCLUSIVE for verdict, _e in verdicts):
                    break
                try:
                    state["estimate"] = self.desk.estimate(self.order_body(state, line, change_quantity))
                except IMApiError as exc:
                    if exc.status is None or exc.status >= 500:
                        raise
                    verdicts.append((quantity_reading.INCONCLUSIVE, "the API refused to estimate %s: %s"
                                     % (planner.line_label(line), exc.api_message or exc)))
                    continue
            held = _seats.product_line(state["subscription"], state["mpn"])
            unit_price = held.get("unitPrice") or ((state.get("product") or {}).get("prices") or [None])[0]
            verdicts.append(quantity_reading.judge_estimate(state["estimate"], state["mpn"], line["current"], line["desired"],
                                                            change_quantity, unit_price, state.get("product")))
            if verdicts[-1][0] == quantity_reading.CONTRADICTS:
                break
        return quantity_reading.summarize_verdicts(verdicts) if changes else None

    def prove_reading(self, states, lines, config):
        """``(reading, refusal or None)``: the change_quantity setting checked against what the API says before anything
        is bought (see _quantity_reading). ``reading`` also says whether a real run needs a canary order (its line)."""
        reading = {"change_quantity": config.change_quantity, "verdict": None, "evidence": None, "confirmed": None, "canary": None}
        changes = [line for line in lines if line["action"] in (_seats.INCREASE, _seats.DECREASE)]
        if not changes:
            return reading, None
        store = ReadingRecord(config)
        record = store.load()
        if record is not None and record["change_quantity"] != config.change_quantity:
            return reading, refutation(record, store, config.change_quantity)
        reading["verdict"], reading["evidence"] = self.judge_reading(states, lines, config.change_quantity)
        if reading["verdict"] == quantity_reading.CONTRADICTS:
            return reading, quantity_reading.contradiction(config.change_quantity, reading["evidence"])
        if config.change_quantity_confirmed:
            reading["confirmed"] = "confirmed by you (change_quantity_confirmed is true), so no canary order is placed"
        elif record is not None:
            reading["confirmed"] = "confirmed by %s on subscription %s, completed on %s" % (
                record.get("order"), record.get("subscription_id"), record.get("confirmed_at"))
        else:
            # Even a single change order is the canary: the hosts of a playbook run share the turn (see _canary).
            reading["canary"] = changes[0]["index"]
        return reading, None

    # ------------------------------------------------------------------ ordering

    def apply(self, states, lines, change_quantity, waiter, gate=None, mark=None):
        """Order the plan's changes and verify them; record each line's result.

        With a ``gate`` (a CanaryGate: the reading is not confirmed yet), the first change order is placed, completed
        and read back under the gate's turn before any other is placed (the canary); unless it confirms the reading, no
        other change order is placed. Then the rest are placed (at most ``concurrency`` at a time) and waited for
        together, which keeps the total wait near one order's processing time. Returns ``(line, order)`` of a change
        verified with the seats asked for (it confirms the reading), or ``None``. ``mark(name)`` is told as each step
        ends (placing, waiting, reading back).
        """
        mark = mark or (lambda name: None)
        pairs = [(state, line) for state, line in zip(states, lines) if line["action"] in _seats.ORDERING]
        for line in lines:
            if line["action"] in (_seats.NONE, _seats.DEFERRED):
                line["result"] = line["action"]
        confirmation = None
        if gate is not None and any(line["action"] != _seats.CREATE for _state, line in pairs):
            confirmation, pairs = self._through_gate(gate, pairs, change_quantity, waiter)
        placed = [(state, line, order) for (state, line), order
                  in zip(pairs, self._map(lambda pair: self._place_line(pair[0], pair[1], change_quantity, waiter), pairs))
                  if order is not None]
        mark("place the orders (lock, open-order check, fresh read, POST)")
        if not waiter.active:
            for _state, line, _order in placed:
                line["result"] = planner.SUBMITTED
            return confirmation
        finished = self.desk.wait_all([order for _state, _line, order in placed], waiter)
        mark("wait for the orders (platform processing)")
        self._map(lambda item: self._finish_line(item[0][0], item[0][1], item[1], change_quantity, waiter), list(zip(placed, finished)))
        mark("read the seats back")
        if confirmation is None:
            confirmation = next(((line, order) for _state, line, order in placed
                                 if line["result"] == planner.COMPLETED and line["action"] != _seats.CREATE), None)
        return confirmation

    def _through_gate(self, gate, pairs, change_quantity, waiter):
        """The canary, in the gate's turn: ``(confirmation or None, pairs still to order)``.

        The turn is shared by every run on this machine (the hosts of one playbook run among them), so they wait for one
        canary instead of each placing one. When the reading was settled meanwhile, no canary is needed; when it cannot
        be trusted (refuted, or a canary not settled), every change line fails without an order.
        """
        with gate.turn() as blocked:
            stop = blocked or gate.stop_reason()
            if stop is None and not gate.needs_canary():
                return None, pairs
            if stop is None:
                confirmation, pairs, stop = self._canary(gate, pairs, change_quantity, waiter)
                if stop is None:
                    return confirmation, pairs
        for _state, line in pairs:
            if line["action"] != _seats.CREATE:
                failed(line, "not ordered: %s" % stop, "canary_stop")
        return None, [(state, line) for state, line in pairs if line["action"] == _seats.CREATE]

    def _canary(self, gate, pairs, change_quantity, waiter):
        """Order change lines one at a time, each completed and read back, until one has the seats asked for.

        Returns ``(confirmation or None, pairs still to order, why nothing more may be ordered or None)``. A canary
        that did not end verified - it timed out, ended in error, could not be read back, showed the other reading or
        raced another run's order - stops every other change order of the run: at most one order can be wrong.
        """
        canary_waiter = waiter if waiter.active else Waiter(waiter.timeout)  # the canary is waited for even with wait: false
        remaining = list(pairs)
        for state, line in [pair for pair in pairs if pair[1]["action"] != _seats.CREATE]:
            remaining.remove((state, line))
            order = self._place_line(state, line, change_quantity, canary_waiter, gate=gate)
            if order is None:
                ours = line.get("order") or {}
                if ours.get("status") == "cancelled":
                    gate.cleared()  # withdrawn after a race with another run: it changed nothing
                elif ours and line["result"] == planner.LINE_FAILED:
                    # An order of this run stands for the line (its race with another run could not be settled).
                    return None, remaining, "the first change order of this run (%s) did not end verified; see that line" % (
                        planner.line_label(line))
                continue  # nothing needed ordering after all, or the line failed before ordering: try the next one
            self.canary_line = line["index"]
            ((order, error),) = self.desk.wait_all([order], canary_waiter)
            self._finish_line(state, line, (order, error), change_quantity, canary_waiter)
            if line["result"] == planner.COMPLETED:
                gate.confirmed(order, line["subscription_id"])
                return (line, order), remaining, None
            if state.get("mismatch") in (quantity_reading.TOTAL, quantity_reading.DELTA):
                gate.refuted(state["mismatch"], order, line["subscription_id"])
            elif order.get("status") in FAILED_STATUSES:
                gate.cleared()  # it changed nothing: there is nothing left to settle
            settled = order.get("status") in FAILED_STATUSES or state.get("mismatch")
            return None, remaining, ("the canary (%s, order %s, %s) did not end with the seats asked for%s" % (
                line["source"], order.get("orderNumber") or order.get("id"), order.get("status"),
                "" if settled else "; no change order is placed on this machine until it has been settled: run again once it has completed"))
        return None, remaining, None

    def _place_line(self, state, line, change_quantity, waiter, gate=None):
        """The line's order once placed, or ``None`` when the line ended here (nothing to order any more, or failed).

        With ``gate``, the order is the canary: it is recorded as pending as soon as it exists, so that a run killed
        while waiting for it leaves it to be settled by the next one."""
        try:
            if line["action"] == _seats.CREATE:
                order, overtaken = self._place_new_subscription(state, self.order_body(state, line, change_quantity))
                if overtaken is not None:
                    self._overtaken(state, line, overtaken, waiter, "nothing was ordered")
                    return None
            else:
                placed = self.desk.order_from_fresh_state(
                    state["subscription"]["id"], lambda fresh: self._change_from(state, line, fresh, change_quantity), waiter,
                    on_placed=(lambda order, body: gate.placed(order, body, state["ordered_from"])) if gate is not None else None)
                order, fresh, waited, state["claim"] = placed
                if order is None:
                    by = ", ".join(describe(other) for other in waited) or "another order"
                    line.update(result=_seats.NONE, message="%s brought subscription %s to %d seats while this run worked; nothing "
                                                            "was ordered" % (by, fresh["id"], line["desired"]))
                    return None
        except IMOrderRaceError as race:
            line["order"] = _order_summary(race.order)
            if race.withdrawn:
                self._overtaken(state, line, race.rivals[:1], waiter, "this run's %s was withdrawn" % describe(race.order))
            else:
                failed(line, str(race), race.code)
            return None
        except IMError as exc:
            # Refused (4xx), throttled past retry_timeout, an open order that did not end, seats moved since the plan,
            # ansible-playbook gone: this line failed, the others go on.
            failed(line, str(exc), exc.code)
            return None
        line["order"] = _order_summary(order)
        line["price_change"] = line["price_change"] or _seats.price_change(order, billing_period(state))
        return order

    @staticmethod
    def _change_from(state, line, fresh, change_quantity):
        state["ordered_from"] = _seats.seats(fresh, state["mpn"])
        return _seats.change_from_fresh(fresh, state["mpn"], line["current"], line["desired"], change_quantity, state.get("po_number"))

    def _finish_line(self, state, line, finished, change_quantity, waiter):
        """Settle a line whose order has ended: no other run's order raced it, and the seats are what was asked."""
        order, error = finished
        line["order"] = _order_summary(order)
        if error is not None:
            failed(line, left_behind(line, order, error), error.code)
            return
        try:
            if state.get("claim") is not None:
                self.desk.confirm_alone(state["claim"], order, waiter)
            self._verify(state, line, order, change_quantity)
        except IMSeatMismatchError as exc:
            state["mismatch"] = exc.reading or True
            failed(line, str(exc), exc.code)
            return
        except IMError as exc:
            failed(line, str(exc), exc.code)
            return
        line["result"] = planner.COMPLETED

    def _place_new_subscription(self, state, body):
        """Order a new subscription unless, checked under the lock for this customer and product, another run has an
        order for it in progress or has already created it. Returns ``(order, None)`` or ``(None, orders found)``."""
        customer_id, mpn = state["customer_id"], state["mpn"]
        with self.desk.exclusive(("new subscription", customer_id, mpn)):
            claim = self.desk.claim_products(customer_id, [mpn])
            found = [order for order in self.desk.details(self.desk.open_orders(customerId=customer_id)) if sales_order_of(order, mpn)]
            if found or self._current_subscription(state):
                return None, found
            state["claim"] = claim
            return self.desk.place_alone(body, claim), None

    def _current_subscription(self, state):
        if state["subscription"] is not None:
            return self.client.get("/subscriptions/%s" % path_id(state["subscription"]["id"]))
        names = {(state.get("product") or {}).get("name")}
        found = find_subscriptions(self.client, state["customer_id"], state["mpn"], names)
        return found[0] if found else None

    def _overtaken(self, state, line, orders, waiter, outcome):
        """Another run ordered for this line while this one worked (``outcome`` says what became of this run's order):
        wait for that order, then report what the seats are."""
        names = ", ".join(describe(order) for order in orders) or "another order"
        if orders and not waiter.active:
            failed(line, "%s, placed by another run, is open for this subscription; %s (wait is off: run again when it has "
                         "completed)" % (names, outcome), "order_still_open")
            return
        for order in orders:
            try:
                self.desk.wait(order, waiter)
            except IMWaitError as exc:
                self.warn(str(exc))
        subscription = self._current_subscription(state)
        seats = _seats.seats(subscription, state["mpn"]) if subscription else None
        if seats == line["desired"]:
            line.update(result=_seats.NONE, subscription_id=subscription["id"],
                        message="%s, placed by another run while this one worked, reached the seats; %s" % (names, outcome))
        else:
            failed(line, "%s, placed by another run while this one worked, left %s seats; %s: run again to plan from there"
                   % (names, seats, outcome), "seats_moved")

    def _verify(self, state, line, order, change_quantity):
        if line["action"] != _seats.CREATE:
            subscription = self.client.get("/subscriptions/%s" % path_id(line["subscription_id"]))
            _seats.verify_seats(subscription, state["mpn"], line["desired"], describe(order), change_quantity, state["ordered_from"])
            return
        subscription_id = next((item.get("subscriptionId") for item in order.get("products") or [] if item.get("mpn") == state["mpn"]),
                               None) or order.get("subscriptionId")
        line["subscription_id"] = subscription_id
        if not subscription_id:
            raise IMError("%s completed without naming the subscription it created, so its seats could not be checked; look "
                          "for it with ingrammicro.marketplace.im_subscription_info" % describe(order), code="unverified")
        seats = _seats.seats(self.client.get("/subscriptions/%s" % path_id(subscription_id)), state["mpn"])
        if seats != line["desired"]:
            raise IMError("%s created subscription %s with %d seats instead of the %d ordered"
                          % (describe(order), subscription_id, seats, line["desired"]), code="seats_differ")


def failed(line, message, code):
    """End ``line`` as failed: ``message`` for the user, ``code`` (see _errors.IMError.code) for programs."""
    line.update(result=planner.LINE_FAILED, message=message, failure=code)


def left_behind(line, order, error):
    """The message of a line whose order did not complete: what exists now, and whether a rerun is safe."""
    target = ("subscription %s" % line["subscription_id"] if line.get("subscription_id")
              else "a new subscription of %s for %s" % (line.get("mpn"), line.get("customer") or line.get("customer_id")))
    what = "%s for %s (%s -> %d seats)" % (describe(order), target, line.get("current") or 0, line["desired"])
    if order.get("status") in OPEN_STATUSES:
        return ("%s was placed and is still %s (%s); it may still complete. A rerun is safe: it waits for this order and "
                "orders nothing on top of it" % (what, order.get("status"), error))
    return "%s ended in status %s, so its seats were not changed; a rerun orders them again" % (what, order.get("status"))


def billing_period(state):
    """The billing period a line's price is charged for: its subscription's, or the product's for a new one."""
    return (state.get("subscription") or state.get("product") or {}).get("billingPeriod")


def _order_summary(order):
    return {"id": order.get("id"), "order_number": order.get("orderNumber"), "status": order.get("status")}
