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
  - ingrammicro.marketplace.guardrails
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

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _subscription_edits as edits
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._subscription_change import SubscriptionChange
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import locate_subscription
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._module import WAIT_ARGUMENT_SPEC
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMResource


class SubscriptionModule(IMResource):
    resource_key = "subscription"

    def validate(self):
        params = self.params
        if not params["id"] and not params["mpn"]:
            raise IMConfigError("mpn is required with customer (to pick the subscription), unless id is given")
        if params["decrease_window_days"] is not None and params["decrease_window_days"] < 0:
            raise IMConfigError("decrease_window_days must be 0 or more, got %d" % params["decrease_window_days"])
        if params["quantity"] is not None and params["quantity"] < 1:
            raise IMConfigError("quantity must be 1 or more, got %d (to end a subscription, use state: absent)" % params["quantity"])
        edits.check_prices(params["prices"])
        if params["state"] == "absent":
            changing = [name for name in ("quantity", "auto_renew", "attributes", "prices") if params[name] is not None]
            if changing:
                raise IMConfigError("state: absent cancels the subscription; %s cannot be set with it" % ", ".join(changing))
        return _seats.Guardrails(params["allow_decrease"], params["max_increase"], params["max_decrease"])

    def execute(self):
        guardrails = self.validate()
        params = self.params
        subscription, mpn = locate_subscription(self.client, params["id"], params["customer"], params["mpn"])
        change = SubscriptionChange(self.client, self.order_desk(), self.waiter, self.warn, self.present, params, self.check_mode)
        if params["state"] != "absent":
            if subscription is None:
                raise IMError("customer %s holds no active subscription of %s; buy it with ingrammicro.marketplace.im_order"
                              % (params["customer"], mpn))
            if subscription.get("status") != "active":
                raise IMError("subscription %s is %s; only active subscriptions can be changed" % (subscription["id"], subscription.get("status")))
        try:
            changed, before, after, extra = change.end(subscription, mpn) if params["state"] == "absent" else change.keep(subscription, mpn, guardrails)
        finally:
            self.failure_context.update(change.context)
        return self.result(changed, before, after, **extra)


def main():
    argument_spec = dict(
        id=dict(type="str"),
        customer=dict(type="str"),
        mpn=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        quantity=dict(type="int"),
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
    argument_spec.update(_seats.guardrail_argument_spec())
    argument_spec.update(WAIT_ARGUMENT_SPEC)
    SubscriptionModule(argument_spec, required_one_of=[("id", "customer")]).run()


if __name__ == "__main__":
    main()
