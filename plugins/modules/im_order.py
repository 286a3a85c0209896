#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_order
short_description: Place sales orders in the Ingram Micro Cloud Marketplace without buying twice
version_added: 1.0.0
description:
  - Places a C(sales) order for a customer's new products, waits until it is provisioned, and returns it.
  - The API has no idempotency key, so the module is guarded against buying twice. With O(unique_products=true) (the
    default), products the customer already holds as a live subscription, or has on an order still being processed,
    are not ordered again (they are listed in RV(skipped_products)); when nothing is left to order the task reports no change.
    With a O(po_number), products already on an order of the customer with the same PO number are not ordered again
    either (a product added to O(products) later is still ordered, on a new order with that PO number). One of the two
    guards must be on.
  - When the answer to the order request is lost (timeout, dropped connection, gateway error), the order is looked up
    before anything is sent again, so a retry never places a second order.
  - Runs on other machines (separate AWX jobs) share no lock, so after ordering the module reads the customer's orders
    again; when another run ordered the same products at the same moment, the later order is withdrawn by the run that
    placed it (RV(withdrawn_order)), and an order that cannot be withdrawn fails the task naming both orders.
  - Activation parameters (for example a Microsoft tenant O(products[].parameters) C(domain)) are validated with the
    API before ordering, and seat counts are checked against the product's minimum and maximum.
  - In check mode, and with O(estimate_only=true), nothing is ordered; the order is priced with the API's estimate.
  - With O(id), updates an existing order instead (O(credit_check), O(status_code)).
  - To change the seats of a subscription the customer already has, use M(ingrammicro.marketplace.im_subscription).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.wait
  - ingrammicro.marketplace.messages
  - ingrammicro.marketplace.attributes
attributes:
  check_mode:
    support: full
    details:
      - The order is priced with C(POST /orders/estimate) and parameters are validated with C(POST /validation/parameters);
        neither creates anything.
      - For a customer that does not exist yet (created earlier in the same check-mode run), the order is reported as
        it would be placed, without a price, and RV(not_validated) lists the products the API could not check yet (it
        validates activation parameters and prices orders only for an existing customer). The catalog checks (product,
        term, quantity limits) are done all the same.
  diff_mode:
    support: full
options:
  customer:
    description:
      - The customer to order for, by external id or Marketplace id. Required unless O(id) is given.
    type: str
  products:
    description:
      - The products to order. Required unless O(id) is given.
    type: list
    elements: dict
    suboptions:
      mpn:
        description: Manufacturer part number of the product.
        type: str
        required: true
      quantity:
        description: Number of seats (units), 1 or more, within the product's minimum and maximum.
        type: int
        required: true
      vendor:
        description: Vendor of the product, to tell apart products that share an MPN.
        type: str
      subscription_period:
        description: Subscription term, to tell apart products that share an MPN (for example monthly and annual).
        type: dict
        suboptions:
          type:
            description: Unit of the term.
            type: str
            choices: [day, month, year, statement_day]
            required: true
          duration:
            description: Number of units.
            type: int
            required: true
      billing_period:
        description: Billing period, to tell apart products that share an MPN.
        type: dict
        suboptions:
          type:
            description: Unit of the period.
            type: str
            choices: [day, month, year, statement_day]
            required: true
          duration:
            description: Number of units.
            type: int
            required: true
      parameters:
        description: Activation parameters, for example C(domain) for Microsoft 365.
        type: list
        elements: dict
        suboptions:
          name:
            description: Parameter name.
            type: str
            required: true
          value:
            description: Parameter value.
            type: raw
            required: true
  po_number:
    description:
      - Purchase order number (free text, for example your ticket number). A product already on an order of the customer
        with the same PO number is never ordered again.
    type: str
  attributes:
    description:
      - Custom attributes of the order (string keys and values).
    type: dict
  unique_products:
    description:
      - Do not order products the customer already holds as a live subscription or has on an order in progress.
    type: bool
    default: true
  validate:
    description:
      - Validate the activation parameters with the API before ordering (when any product has parameters).
    type: bool
    default: true
  estimate_only:
    description:
      - Only price the order (RV(estimate)); nothing is ordered and the task reports no change.
    type: bool
    default: false
  id:
    description:
      - Marketplace id of an existing order to update with O(credit_check) and O(status_code).
    type: str
  credit_check:
    description:
      - With O(id), whether the platform runs its credit check on the order.
    type: bool
  status_code:
    description:
      - With O(id), the platform's internal status code to set, for example V(CL) to cancel an order that has not
        been provisioned yet.
    type: str
notes:
  - Placing a sales order confirms that the customer accepted the vendor's terms and conditions.
seealso:
  - module: ingrammicro.marketplace.im_order_info
  - module: ingrammicro.marketplace.im_subscription
  - module: ingrammicro.marketplace.im_product_validate
"""

EXAMPLES = r"""
- name: Price Microsoft 365 Business Basic for Acme without ordering
  ingrammicro.marketplace.im_order:
    customer: ACME-001
    products:
      - mpn: CFQ7TTC0LH18:0001:P1M
        quantity: 10
        parameters:
          - name: domain
            value: acme-mfg.com
    estimate_only: true
  register: quote

- name: Buy Teams Essentials for Globex, once, and wait until it is provisioned
  ingrammicro.marketplace.im_order:
    customer: GLOBEX-002
    po_number: TICKET-4711
    products:
      - mpn: CFQ7TTC0RM8K:0001:P1Y
        quantity: 15
  register: teams

- name: Show the new subscription
  ansible.builtin.debug:
    msg: "{{ teams.order.order_number }}: subscription {{ teams.order.products[0].subscription_id | default('not provisioned yet') }}"

- name: Order an annual Office 365 E3 (its MPN also exists with a monthly term)
  ingrammicro.marketplace.im_order:
    customer: UMBRELLA-004
    products:
      - mpn: CFQ7TTC0LF8Q:0001
        quantity: 5
        subscription_period:
          type: year
          duration: 1
        parameters:
          - name: domain
            value: umbrella-health.at
    wait: false
"""

RETURN = r"""
order:
  description:
    - The order placed, found by the guards, or updated (full record, keys in snake_case), once provisioned when
      O(wait=true).
    - In check mode, the order that would be placed, with RV(order.id=null) and RV(order.simulated=true).
  returned: when an order was placed, found or would be placed
  type: dict
  contains:
    id:
      description: Marketplace id of the order; V(null) for an order that would be placed in check mode.
      type: str
      sample: "4000020"
    order_number:
      description: Order number shown in the reseller panel.
      type: str
      sample: SO000020
    type:
      description: Order type (V(sales) for new orders).
      type: str
      sample: sales
    status:
      description: V(submitted), V(processing), V(completed), V(error) or V(cancelled).
      type: str
      sample: completed
    customer_id:
      description: Id of the customer; V(null) in check mode when the customer does not exist yet.
      type: str
      sample: "1000002"
    po_number:
      description: Purchase order number.
      type: str
      sample: TICKET-4711
    total:
      description: Total price (C(amount), C(currency)).
      type: dict
      sample: {"amount": "60.00", "currency": "USD"}
    products:
      description: Ordered products; C(subscription_id) is set once provisioned.
      type: list
      elements: dict
      sample: [{"mpn": "CFQ7TTC0RM8K:0001:P1Y", "quantity": 15, "subscription_id": "3000013"}]
    simulated:
      description: V(true) when check mode only shows what would be ordered.
      type: bool
      returned: in check mode, when an order would be placed
      sample: true
estimate:
  description: The API's price estimate of the order (C(total), C(details), C(products) with C(extended_price)).
  returned: when the order was priced (check mode, O(estimate_only=true), or before placing it)
  type: dict
  sample: {"total": {"amount": "60.00", "currency": "USD"}}
skipped_products:
  description:
    - Products not ordered, with the C(reason) - V(held) (the customer holds it as C(subscription_id)), V(ordered) (it
      is on an order in progress, C(order_id), C(order_number), C(order_status)) or V(po_number) (it is on an earlier
      order with the same O(po_number), C(order_id), C(order_number), C(order_status)).
  returned: when O(customer) is given and the customer exists
  type: list
  elements: dict
  sample: [{"mpn": "CFQ7TTC0LDPB:0001:P1Y", "reason": "held", "subscription_id": "3000001"}]
not_validated:
  description:
    - In check mode for a customer that does not exist yet, the MPNs of the products whose activation parameters and
      order the API could not check (it does so only for an existing customer). A real run checks them after the
      customer is created and before ordering.
  returned: in check mode when the customer does not exist
  type: list
  elements: str
  sample: ["CFQ7TTC0LH18:0001:P1M"]
withdrawn_order:
  description:
    - This task's order, withdrawn (cancelled before it was processed) because another run ordered the same products for
      the customer at the same moment and came first; RV(order) is then that run's order.
  returned: when this task's order lost such a race
  type: dict
  sample: {"id": "4000021", "order_number": "SO000021", "status": "cancelled"}
validation:
  description: Per product, the API's validation of its activation parameters (C(name), C(result), C(message), C(value_choices)).
  returned: when activation parameters were validated
  type: list
  elements: dict
"""

import copy

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._sales_orders import SalesOrder
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._declarations import check_order_lines
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import path_id
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._module import MESSAGES_ARGUMENT_SPEC, WAIT_ARGUMENT_SPEC
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMResource

PERIOD = dict(type="dict", options=dict(
    type=dict(type="str", choices=["day", "month", "year", "statement_day"], required=True),
    duration=dict(type="int", required=True),
))


class OrderModule(IMResource):
    resource_key = "order"

    def validate(self):
        params = self.params
        if params["id"]:
            if params["customer"] or params["products"]:
                raise IMConfigError("id updates an existing order; customer and products cannot be given with it")
            if params["credit_check"] is None and params["status_code"] is None:
                raise IMConfigError("with id, give credit_check or status_code to update the order")
            return
        if not params["customer"] or not params["products"]:
            raise IMConfigError("customer and products are required to place an order (or give id to update one)")
        for key in ("credit_check", "status_code"):
            if params[key] is not None:
                raise IMConfigError("%s can only be set on an existing order (with id)" % key)
        if not params["unique_products"] and not params["po_number"]:
            raise IMConfigError("unique_products: false needs a po_number: without either guard a rerun would buy again")
        problems = check_order_lines(params["products"], "", option("products"))
        if problems:
            raise IMConfigError("; ".join(found["message"] for found in problems), problems=problems)

    def execute(self):
        self.validate()
        sale = SalesOrder(self.client, self.order_desk(), self.waiter, self.warn, self.present, self.params, self.check_mode)
        try:
            if self.params["id"]:
                return self.update_existing(sale)
            changed, before, after, extra = sale.run()
        finally:
            self.failure_context.update(sale.context)
        if extra.pop("estimate_only", False):
            return dict(extra, changed=False)
        return self.result(changed, before, after, **extra)

    def update_existing(self, sale):
        params = self.params
        order = self.client.get_or_none("/orders/%s" % path_id(params["id"]))
        if order is None:
            raise IMError("order id %s not found" % params["id"])
        patch = {}
        if params["credit_check"] is not None and order.get("creditCheck") != params["credit_check"]:
            patch["creditCheck"] = params["credit_check"]
        if params["status_code"] is not None and order.get("statusCode") != params["status_code"]:
            patch["statusCode"] = params["status_code"]
        if not patch:
            return self.result(False, order, sale.follow(order))
        if self.check_mode:
            return self.result(True, order, dict(copy.deepcopy(order), **patch))
        return self.result(True, order, sale.follow(self.client.patch("/orders/%s" % path_id(order["id"]), patch)))


def main():
    argument_spec = dict(
        customer=dict(type="str"),
        products=dict(type="list", elements="dict", options=dict(
            mpn=dict(type="str", required=True),
            quantity=dict(type="int", required=True),
            vendor=dict(type="str"),
            subscription_period=PERIOD,
            billing_period=PERIOD,
            parameters=dict(type="list", elements="dict", options=dict(
                name=dict(type="str", required=True),
                value=dict(type="raw", required=True),
            )),
        )),
        po_number=dict(type="str"),
        attributes=dict(type="dict"),
        unique_products=dict(type="bool", default=True),
        validate=dict(type="bool", default=True),
        estimate_only=dict(type="bool", default=False),
        id=dict(type="str"),
        credit_check=dict(type="bool"),
        status_code=dict(type="str"),
    )
    argument_spec.update(WAIT_ARGUMENT_SPEC)
    argument_spec.update(MESSAGES_ARGUMENT_SPEC)
    OrderModule(argument_spec, required_one_of=[("id", "customer")]).run()


if __name__ == "__main__":
    main()
