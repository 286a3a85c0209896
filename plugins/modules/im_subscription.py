#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_subscription
short_description: Declare the seat count, auto-renewal, attributes and prices of a Marketplace subscription
version_added: 1.0.0
description:
  - Brings an existing subscription to the state you declare. It is identified by its O(id), or by the O(customer)
    that holds it and the product O(mpn).
  - O(quantity) is the number of seats the subscription should have. A difference is ordered as a C(change) order
    (the API cannot change seats any other way), guarded by O(allow_decrease), O(max_increase) and O(max_decrease),
    checked against the product's minimum and maximum before anything is ordered, and verified after the order
    completes by reading the subscription back.
  - Before ordering, an order still open (C(submitted) or C(processing)) on the subscription is waited for, never
    duplicated. After ordering, the subscription's orders are read again; when a run on another machine ordered on it
    at the same moment, the later order is withdrawn by the run that placed it, and one that cannot be withdrawn fails
    the task naming both orders.
  - O(auto_renew), O(attributes) and O(prices) are updated in place, without an order.
  - O(state=absent) cancels the subscription with a C(cancellation) order.
  - In check mode nothing is ordered or updated; the change is priced with the API's order estimate and returned in
    RV(estimate).
  - To buy a product the customer does not hold yet, use M(ingrammicro.marketplace.im_order).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.wait
  - ingrammicro.marketplace.attributes
attributes:
  check_mode:
    support: full
    details: Seat changes and cancellations are priced with C(POST /orders/estimate), which orders nothing.
  diff_mode:
    support: full
options:
  id:
    description:
      - Marketplace id of the subscription.
      - One of O(id) or O(customer) with O(mpn) is required.
    type: str
  customer:
    description:
      - The customer holding the subscription, by external id or Marketplace id. Used with O(mpn).
      - With O(id), it is checked that the subscription belongs to this customer.
    type: str
  mpn:
    description:
      - The product (manufacturer part number) of the subscription. With O(customer), it selects the customer's active
        subscription of this product; more than one is an error (give O(id) then).
      - With O(id), it selects the product line whose seats O(quantity) applies to; it can be left out when the
        subscription has a single product line.
    type: str
  state:
    description:
      - V(present) keeps the subscription and applies the options; V(absent) cancels it with a cancellation order.
    type: str
    choices: [present, absent]
    default: present
  quantity:
    description:
      - The number of seats the subscription should have (1 or more). A difference from the current count is ordered as
        a C(change) order carrying the new total (or the difference, see the O(change_quantity) connection option).
    type: int
  allow_decrease:
    description:
      - Allow O(quantity) to be lower than the current seat count. Off by default, so a typo cannot remove seats.
      - Many licence programmes (Microsoft NCE among them) accept decreases only shortly after purchase or renewal.
    type: bool
    default: false
  max_increase:
    description:
      - The most seats this task may add. A larger increase fails before anything is ordered.
    type: int
  max_decrease:
    description:
      - The most seats this task may remove (with O(allow_decrease=true)). A larger decrease fails before anything is
        ordered.
    type: int
  decrease_window_days:
    description:
      - Many licence programmes (Microsoft NCE among them) accept seat decreases only within a few days of purchase or
        renewal. With this set, a decrease more than this many days after the start of the current term is not ordered;
        the task reports it as deferred (RV(plan.action=deferred)) with the date from which it becomes possible, the
        next renewal, and a warning.
    type: int
  auto_renew:
    description:
      - Whether the subscription renews automatically at the end of its term (the API's C(renewalStatus)).
    type: bool
  attributes:
    description:
      - Custom attributes (string keys and values). Keys not listed are kept unless O(purge_attributes=true).
    type: dict
  purge_attributes:
    description:
      - Remove the attributes that are not listed in O(attributes).
    type: bool
    default: false
  prices:
    description:
      - Unit price, cost and provider cost of the subscription's product line (the one selected by O(mpn)). Amounts are
        decimal strings; only the ones given are compared and changed.
    type: dict
    suboptions:
      unit_price:
        description: Price per seat charged to the customer.
        type: str
      unit_cost:
        description: Cost per seat.
        type: str
      unit_provider_cost:
        description: Provider cost per seat.
        type: str
      currency:
        description: Currency of the amounts; defaults to the subscription's current currency.
        type: str
  special_pricing:
    description:
      - Set O(prices) through the special-pricing endpoint (C(POST /subscriptions/{id}/specialPricing)) instead of
        the subscription update (C(PATCH /subscriptions/{id})).
    type: bool
    default: false
  po_number:
    description:
      - Purchase order number (free text, for example your PSA ticket number) put on the change or cancellation order
        this task places. It is not compared with anything, so a rerun with nothing left to change places no order.
    type: str
notes:
  - The vendor contract does not say whether a change order's quantity is the new total or the difference; see the
    O(change_quantity) connection option. The change's price estimate is checked against that setting before the order
    (a contradiction fails the task, naming the setting that matches), and after the order the seats are read back;
    the task fails naming both numbers and the order if they are not what was asked.
  - The change order is computed from the seats read under a lock on the subscription, after every order still open on
    it has ended, so a concurrent run or an earlier run with O(wait=false) never makes it buy the same seats twice.
seealso:
  - module: ingrammicro.marketplace.im_subscription_info
  - module: ingrammicro.marketplace.im_order
"""

EXAMPLES = r"""
- name: Acme should have 30 seats of Microsoft 365 Business Standard
  ingrammicro.marketplace.im_subscription:
    customer: ACME-001
    mpn: CFQ7TTC0LDPB:0001:P1Y
    quantity: 30
    max_increase: 10
    po_number: TICKET-4711  # your PSA ticket, on the change order
  register: acme_m365

- name: Show what it cost
  ansible.builtin.debug:
    msg: "{{ acme_m365.plan.current }} -> {{ acme_m365.plan.desired }} seats, {{ acme_m365.estimate.total | default('no change') }}"

- name: Reduce seats, explicitly allowed, and switch auto-renewal off
  ingrammicro.marketplace.im_subscription:
    customer: ACME-001
    mpn: CFQ7TTC0LDPB:0001:P1Y
    quantity: 28
    allow_decrease: true
    auto_renew: false

- name: Tag a subscription and set the price charged per seat
  ingrammicro.marketplace.im_subscription:
    customer: GLOBEX-002
    mpn: SH3AMCLOS
    attributes:
      cost_center: "4711"
    prices:
      unit_price: "9.50"

- name: Cancel a subscription
  ingrammicro.marketplace.im_subscription:
    customer: INITECH-003
    mpn: DBX-BUS-STD-A
    state: absent
"""

RETURN = r"""
subscription:
  description:
    - The subscription after the task (full record, keys in snake_case). In check mode, the current record with the
      planned changes applied.
  returned: when the subscription exists
  type: dict
  sample:
    id: "3000001"
    customer_id: "1000001"
    name: Microsoft 365 Business Standard
    status: active
    renewal_status: true
    attributes: {}
    products: [{"mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 30, "unit_price": {"amount": "12.50", "currency": "USD"}}]
plan:
  description: The seat change worked out for the subscription.
  returned: when O(quantity) is set or O(state=absent)
  type: dict
  contains:
    customer_id:
      description: Id of the customer.
      type: str
    subscription_id:
      description: Id of the subscription.
      type: str
    mpn:
      description: The product line.
      type: str
    current:
      description: Seats before the task.
      type: int
    desired:
      description: Seats asked for (V(0) when cancelling).
      type: int
    delta:
      description: V(desired) minus V(current).
      type: int
    action:
      description: V(increase), V(decrease), V(none), V(deferred) or V(cancel).
      type: str
    reason:
      description: Why a decrease is deferred.
      type: str
    deferred_until:
      description: For a V(deferred) decrease, the date (YYYY-MM-DD) from which it becomes possible.
      type: str
    price_change:
      description:
        - The estimated price of the change (C(amount), C(currency), and C(per), the billing period it is charged for),
          from the order estimate.
      type: dict
  sample: {"customer_id": "1000001", "subscription_id": "3000001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "current": 25,
           "desired": 30, "delta": 5, "action": "increase", "price_change": {"amount": "62.50", "currency": "USD", "per": "month"}}
order:
  description:
    - The change or cancellation order placed (or found open and waited for), keys in snake_case.
    - Not returned in check mode, and not when nothing had to be ordered.
  returned: when an order was placed
  type: dict
  sample: {"id": "4000014", "order_number": "SO000014", "type": "change", "status": "completed", "subscription_id": "3000001"}
estimate:
  description: The API's price estimate of the change or cancellation (C(total), C(details), C(products)).
  returned: when seats change or the subscription is cancelled
  type: dict
  sample: {"total": {"amount": "62.50", "currency": "USD"}, "details": [{"type": "recurring", "quantity": 5}]}
quantity_reading:
  description:
    - What the estimate says about the O(change_quantity) setting - C(change_quantity), C(verdict) (V(holds) or
      V(inconclusive); a contradiction fails the task before any order) and C(evidence) in words.
  returned: when seats change
  type: dict
  sample: {"change_quantity": "total", "verdict": "holds",
           "evidence": "the estimate of CFQ7TTC0LDPB:0001:P1Y 25 -> 30 (quantity 30 sent as change_quantity=total) shows a change of +5 seats, as intended"}
"""

import copy
from decimal import Decimal, InvalidOperation

from ansible_collections.ingrammicro.marketplace.plugins.module_utils import _quantity_reading as quantity_reading
from ansible_collections.ingrammicro.marketplace.plugins.module_utils import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._canary import record_confirmation
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._dates import today_utc
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._errors import IMConfigError, IMError, IMOrderRaceError, IMWaitError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._lookup import (
    ENDED_SUBSCRIPTION_STATUSES, catalog_entry, find_products, find_subscriptions, path_id, require_customer,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._module import WAIT_ARGUMENT_SPEC
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._orders import describe
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._resource import IMResource

PRICE_FIELDS = (("unit_price", "unitPrice"), ("unit_cost", "unitCost"), ("unit_provider_cost", "unitProviderCost"))


class SubscriptionModule(IMResource):
    resource_key = "subscription"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.desk = None
        self.guardrails = None

    # ------------------------------------------------------------------ input

    def validate(self):
        params = self.params
        if not params["id"] and not params["mpn"]:
            raise IMConfigError("mpn is required with customer (to pick the subscription), unless id is given")
        if params["decrease_window_days"] is not None and params["decrease_window_days"] < 0:
            raise IMConfigError("decrease_window_days must be 0 or more, got %d" % params["decrease_window_days"])
        if params["quantity"] is not None and params["quantity"] < 1:
            raise IMConfigError("quantity must be 1 or more, got %d (to end a subscription, use state: absent)" % params["quantity"])
        for option, _key in PRICE_FIELDS:
            amount = (params["prices"] or {}).get(option)
            if amount is not None and not _is_amount(amount):
                raise IMConfigError("prices.%s must be a decimal amount such as \"12.50\", got %r" % (option, amount))
        if params["state"] == "absent":
            changing = [name for name in ("quantity", "auto_renew", "attributes", "prices") if params[name] is not None]
            if changing:
                raise IMConfigError("state: absent cancels the subscription; %s cannot be set with it" % ", ".join(changing))
        self.guardrails = _seats.Guardrails(params["allow_decrease"], params["max_increase"], params["max_decrease"])

    # ------------------------------------------------------------------ lookups

    def locate(self):
        """``(subscription, mpn)``; the subscription is ``None`` when the customer holds no live one of the product."""
        params = self.params
        if params["id"]:
            subscription = self.client.get_or_none("/subscriptions/%s" % path_id(params["id"]))
            if subscription is None:
                raise IMError("subscription id %s not found" % params["id"])
            if params["customer"]:
                customer = require_customer(self.client, params["customer"])
                if customer["id"] != subscription.get("customerId"):
                    raise IMError("subscription %s belongs to customer %s, not to customer %s"
                                  % (params["id"], subscription.get("customerId"), params["customer"]))
            return subscription, params["mpn"] or _seats.product_line(subscription)["mpn"]
        customer = require_customer(self.client, params["customer"])
        names = {product.get("name") for product in find_products(self.client, params["mpn"])}
        found = find_subscriptions(self.client, customer["id"], params["mpn"], names)
        if len(found) > 1:
            raise IMError("customer %s holds %d active subscriptions of %s (ids %s); give id to pick one"
                          % (params["customer"], len(found), params["mpn"], ", ".join(sub["id"] for sub in found)))
        return (found[0] if found else None), params["mpn"]

    def check_limits(self, subscription, mpn, desired):
        """Refuse a seat count outside the catalog's minimum/maximum for the product (same term when the MPN has several)."""
        products = find_products(self.client, mpn, _seats.product_line(subscription, mpn).get("vendor"))
        product = catalog_entry(products, subscription)
        if product is not None:
            _seats.check_limits(product, desired, "quantity")

    def settle_open_orders(self, subscription):
        """Wait for orders still open on the subscription, then return its fresh record (never order on top of them)."""
        open_orders = self.desk.open_orders(subscriptionId=subscription["id"])
        if not open_orders:
            return subscription
        names = ", ".join(describe(order) for order in open_orders)
        if self.check_mode:
            self.module.warn("%s is still open on subscription %s; a real run would wait for it first, and this plan "
                             "assumes the subscription as it is now" % (names, subscription["id"]))
            return subscription
        self.desk.settle(open_orders, self.waiter(), "subscription %s" % subscription["id"])
        return self.client.get("/subscriptions/%s" % path_id(subscription["id"]))

    # ------------------------------------------------------------------ planning

    def in_place_changes(self, subscription, mpn):
        """``(patch, special_pricing_body)`` for auto-renewal, attributes and prices; empty when nothing differs."""
        params = self.params
        patch = {}
        if params["auto_renew"] is not None and subscription.get("renewalStatus") != params["auto_renew"]:
            patch["renewalStatus"] = params["auto_renew"]
        if params["attributes"] is not None:
            current = subscription.get("attributes") or {}
            wanted = {str(key): str(value) for key, value in params["attributes"].items()}
            if not params["purge_attributes"]:
                wanted = dict(current, **wanted)
            if wanted != current:
                patch["attributes"] = wanted
        prices = self.price_changes(subscription, mpn)
        if prices and params["special_pricing"]:
            return patch, {"products": [prices]}
        if prices:
            patch["products"] = [prices]
        return patch, None

    def price_changes(self, subscription, mpn):
        wanted = self.params["prices"] or {}
        line = _seats.product_line(subscription, mpn)
        change = {}
        for option, key in PRICE_FIELDS:
            if wanted.get(option) is None:
                continue
            current = line.get(key) or {}
            currency = wanted.get("currency") or current.get("currency")
            if not currency:
                raise IMConfigError("prices.currency is needed: subscription %s has no %s to take it from" % (subscription["id"], option))
            same = _is_amount(current.get("amount")) and Decimal(str(current["amount"])) == Decimal(wanted[option])
            if not (same and current.get("currency") == currency):
                change[key] = {"amount": wanted[option], "currency": currency}
        if change:
            change["mpn"] = mpn
        return change

    def plan(self, subscription, mpn, desired, action, estimate):
        current = _seats.seats(subscription, mpn)
        return {"customer_id": subscription.get("customerId"), "subscription_id": subscription.get("id"), "mpn": mpn,
                "current": current, "desired": desired, "delta": desired - current, "action": action,
                "price_change": _seats.price_change(estimate, subscription.get("billingPeriod"))}

    # ------------------------------------------------------------------ states

    def execute(self):
        self.validate()
        self.desk = self.order_desk()
        subscription, mpn = self.locate()
        if self.params["state"] == "absent":
            return self.apply_absent(subscription, mpn)
        if subscription is None:
            raise IMError("customer %s holds no active subscription of %s; buy it with ingrammicro.marketplace.im_order"
                          % (self.params["customer"], mpn))
        return self.apply_present(subscription, mpn)

    def apply_present(self, subscription, mpn):
        if subscription.get("status") != "active":
            raise IMError("subscription %s is %s; only active subscriptions can be changed" % (subscription["id"], subscription.get("status")))
        wanted = self.params["quantity"]
        seat_change = wanted is not None and wanted != _seats.seats(subscription, mpn)
        if seat_change:
            self.check_limits(subscription, mpn, wanted)
        if seat_change or any(self.in_place_changes(subscription, mpn)):
            subscription = self.settle_open_orders(subscription)
        current = _seats.seats(subscription, mpn)
        desired = current if wanted is None else wanted
        start, renewal = _seats.term_dates(subscription)
        action, reason, deferred_until = _seats.decide(current, desired, self.guardrails, self.params["decrease_window_days"],
                                                       start, renewal, today_utc())
        if action == _seats.BLOCKED:
            raise IMError("subscription %s (%s): %s; nothing was changed" % (subscription["id"], mpn, reason))
        if action == _seats.DEFERRED:
            self.module.warn("subscription %s (%s): the decrease from %d to %d seats is deferred: %s (from %s)"
                             % (subscription["id"], mpn, current, desired, reason, deferred_until))
        patch, special = self.in_place_changes(subscription, mpn)
        order_body = estimate = None
        extra = {}
        if action in _seats.ORDERING:
            order_body = _seats.change_order(subscription, mpn, current, desired, self.client.config.change_quantity,
                                             self.params["po_number"])
            estimate = self.desk.estimate(order_body)
            extra["estimate"] = self.present(estimate)
            extra["quantity_reading"] = self.prove_reading(subscription, mpn, current, desired, estimate)
        if wanted is not None:
            extra["plan"] = dict(self.plan(subscription, mpn, desired, action, estimate), reason=reason, deferred_until=deferred_until)
        if not (order_body or patch or special):
            return self.result(False, subscription, subscription, **extra)
        if self.check_mode:
            return self.result(True, subscription, self.simulate(subscription, mpn, desired, patch, special), **extra)
        after = subscription
        if patch:
            after = self.client.patch("/subscriptions/%s" % path_id(subscription["id"]), patch)
            if "attributes" in patch and (after.get("attributes") or {}) != patch["attributes"]:
                self.module.warn("subscription %s: the API kept the attributes %s where %s was sent"
                                 % (subscription["id"], after.get("attributes"), patch["attributes"]))
        if special:
            after = self.client.post("/subscriptions/%s/specialPricing" % path_id(subscription["id"]), special)
        if order_body is not None:
            fresh = {}
            order = self.order(subscription["id"], lambda record: self.change_from(record, mpn, current, desired, fresh))
            after = self.client.get("/subscriptions/%s" % path_id(subscription["id"]))
            if order is None:
                # Another order reached the seats between our planning and our order (checked under the lock), or raced
                # ours and ours was withdrawn.
                withdrawn = self.failure_context.get("order")
                if _seats.seats(after, mpn) != desired:
                    raise IMError("another run's order changed subscription %s while this task ran, to %d seats instead of %d; "
                                  "nothing of this task's stands. Run it again to plan from %d"
                                  % (subscription["id"], _seats.seats(after, mpn), desired, _seats.seats(after, mpn)))
                self.module.warn("another order reached %d seats on subscription %s while this task ran; nothing was ordered%s"
                                 % (desired, subscription["id"], " (this task's %s was withdrawn)" % withdrawn["order_number"]
                                    if withdrawn else ""))
                return self.result(bool(patch or special or withdrawn), subscription, after, **extra)
            extra["order"] = self.present(order)
            if self.params["wait"]:
                _seats.verify_seats(after, mpn, desired, describe(order), self.client.config.change_quantity, fresh["current"])
                # A verified change confirms the reading for runs of im_licenses that follow.
                record_confirmation(self.client, order, subscription["id"], self.module.warn)
        return self.result(True, subscription, after, **extra)

    def change_from(self, record, mpn, planned_from, desired, fresh):
        """The change order computed from ``record``, the subscription read under its lock; ``None`` when it has the seats."""
        current = fresh["current"] = _seats.seats(record, mpn)
        if current == desired:
            return None
        if (desired - current > 0) != (desired - planned_from > 0) or abs(desired - current) > abs(desired - planned_from):
            raise IMError("while this task ran, another order changed subscription %s (%s) from %d to %d seats; nothing was "
                          "ordered. Run it again to plan from the new count" % (record["id"], mpn, planned_from, current))
        return _seats.change_order(record, mpn, current, desired, self.client.config.change_quantity, self.params["po_number"])

    def prove_reading(self, subscription, mpn, current, desired, estimate):
        """Refuse, before any write, a change whose estimate contradicts the change_quantity setting (see _quantity_reading)."""
        config = self.client.config
        held = _seats.product_line(subscription, mpn)
        verdict, evidence = quantity_reading.judge_estimate(estimate, mpn, current, desired, config.change_quantity, held.get("unitPrice"))
        if verdict == quantity_reading.CONTRADICTS:
            right = quantity_reading.other(config.change_quantity)
            raise IMError("the API's price estimate contradicts change_quantity=%s, so nothing was ordered: %s. Set change_quantity: "
                          "%s (INGRAM_CHANGE_QUANTITY=%s)" % (config.change_quantity, evidence, right, right))
        return {"change_quantity": config.change_quantity, "verdict": verdict, "evidence": evidence}

    def order(self, subscription_id, build):
        """Order what ``build`` returns from the subscription as read under its lock, after every open order on it has
        ended; with ``wait``, follow it to completion. ``None`` when ``build`` found nothing left to order. On failure
        the order is returned with the error."""
        try:
            order, _fresh, _waited, claim = self.desk.order_from_fresh_state(subscription_id, build, self.waiter())
        except IMOrderRaceError as race:
            self.failure_context["order"] = self.present(race.order)
            if not race.withdrawn:
                raise
            # Another run's order came first and this one was withdrawn: what counts is where that order leaves the seats.
            self.module.warn(str(race))
            self.desk.wait(race.rivals[0], self.waiter())  # the order that stands
            return None
        if order is None:
            return None
        self.failure_context["order"] = self.present(order)
        if self.params["wait"]:
            try:
                order = self.desk.wait(order, self.waiter())
            except IMWaitError as exc:
                self.failure_context["order"] = self.present(exc.last)
                raise
            self.failure_context["order"] = self.present(order)
            self.desk.confirm_alone(claim, order, self.waiter())
        return order

    def apply_absent(self, subscription, mpn):
        if subscription is None or subscription.get("status") in ENDED_SUBSCRIPTION_STATUSES:
            return self.result(False, subscription, subscription)
        subscription = self.settle_open_orders(subscription)
        if subscription.get("status") in ENDED_SUBSCRIPTION_STATUSES:
            return self.result(False, subscription, subscription)
        body = _seats.cancellation_order(subscription, self.params["po_number"])
        estimate = self.desk.estimate(body)
        extra = {"estimate": self.present(estimate), "plan": self.plan(subscription, mpn, 0, "cancel", estimate)}
        if self.check_mode:
            return self.result(True, subscription, dict(copy.deepcopy(subscription), status="terminated"), **extra)
        order = self.order(subscription["id"], lambda record: None if record.get("status") in ENDED_SUBSCRIPTION_STATUSES else body)
        after = self.client.get("/subscriptions/%s" % path_id(subscription["id"]))
        if order is None:
            # Another order ended the subscription while this task ran (checked under the lock).
            return self.result(False, subscription, after, **extra)
        extra["order"] = self.present(order)
        return self.result(True, subscription, after, **extra)

    @staticmethod
    def simulate(subscription, mpn, desired, patch, special):
        """The subscription as it would be after the planned changes (check mode)."""
        after = copy.deepcopy(subscription)
        for key in ("renewalStatus", "attributes"):
            if key in patch:
                after[key] = patch[key]
        for line in after.get("products") or []:
            if line.get("mpn") == mpn:
                line["quantity"] = desired
                for change in (patch.get("products") or []) + ((special or {}).get("products") or []):
                    line.update({key: value for key, value in change.items() if key != "mpn"})
        return after


def _is_amount(value):
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return False
    return amount.is_finite() and amount >= 0


def main():
    argument_spec = dict(
        id=dict(type="str"),
        customer=dict(type="str"),
        mpn=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        quantity=dict(type="int"),
        allow_decrease=dict(type="bool", default=False),
        max_increase=dict(type="int"),
        max_decrease=dict(type="int"),
        decrease_window_days=dict(type="int"),
        auto_renew=dict(type="bool"),
        attributes=dict(type="dict"),
        purge_attributes=dict(type="bool", default=False),
        prices=dict(type="dict", options=dict(
            unit_price=dict(type="str"),
            unit_cost=dict(type="str"),
            unit_provider_cost=dict(type="str"),
            currency=dict(type="str"),
        )),
        special_pricing=dict(type="bool", default=False),
        po_number=dict(type="str"),
    )
    argument_spec.update(WAIT_ARGUMENT_SPEC)
    SubscriptionModule(argument_spec, required_one_of=[("id", "customer")]).run()


if __name__ == "__main__":
    main()
