#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_order_info
short_description: List and look up orders in the Ingram Micro Cloud Marketplace
version_added: 1.0.0
description:
  - Returns one order by Marketplace O(id) (the full record), or the orders matching O(order_number), O(customer),
    O(subscription_id), O(status), O(status_code) and a creation period (O(creation_time_from), O(creation_time_to)),
    reading every page of the listing, newest first.
  - With O(reseller_id), lists the orders of that sub-reseller's customers (C(GET /resellers/{id}/orders)) instead of
    C(GET /orders). That listing has no order number or status code filter.
  - Without any filter, returns every order visible to the API user.
  - The API's list rows carry no products, no details and no PO number. Set O(details=true) to read the full record
    of every order found (C(GET /orders/{id})), with C(products) (quantities and parameters), C(details) (the priced
    lines), C(po_number) and C(subscription_id).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes.info_module
  - ingrammicro.marketplace.info.id
  - ingrammicro.marketplace.info.customer_and_status
  - ingrammicro.marketplace.info.details
options:
  order_number:
    description:
      - The order with this order number, for example V(SO000012). Cannot be combined with O(reseller_id).
    type: str
  subscription_id:
    description:
      - Only orders of this subscription (the sales order that created it, and its change, renewal and cancellation
        orders).
    type: str
  status:
    # Described in the info.customer_and_status fragment; the statuses are an order's.
    choices: [submitted, processing, error, completed, cancelled]
  status_code:
    description:
      - Only orders with this internal platform status code, for example V(CP) (completed) or V(AS) (processing).
        Cannot be combined with O(reseller_id).
    type: str
  creation_time_from:
    description:
      - Only orders created at or after this moment, an ISO 8601 date-time such as V(2024-01-31T00:00:00Z) or with an
        offset (V(2024-01-31T00:00:00+01:00)). Without a time zone, UTC is assumed.
    type: str
  creation_time_to:
    description:
      - Only orders created at or before this moment, in the same form as O(creation_time_from).
    type: str
  reseller_id:
    description:
      - List the orders of this sub-reseller's customers (the API's C(GET /resellers/{id}/orders)).
      - A reseller that does not exist is an error.
    type: str
seealso:
  - module: ingrammicro.marketplace.im_order
  - module: ingrammicro.marketplace.im_subscription_info
"""

EXAMPLES = r"""
- name: Look an order up by its number
  ingrammicro.marketplace.im_order_info:
    order_number: SO000001
  register: so1

- name: Orders of a customer that are not finished yet
  ingrammicro.marketplace.im_order_info:
    customer: ACME-001
    status: [submitted, processing]
  register: acme_open

- name: Every order of a subscription, with products and priced lines
  ingrammicro.marketplace.im_order_info:
    subscription_id: "3000004"
    details: true
  register: history

- name: Orders placed in the last 7 days
  ingrammicro.marketplace.im_order_info:
    creation_time_from: "{{ '%Y-%m-%dT%H:%M:%SZ' | ansible.builtin.strftime(now().timestamp() - 7 * 86400, utc=true) }}"
  register: last_week

- name: Orders of a sub-reseller's customers that failed
  ingrammicro.marketplace.im_order_info:
    reseller_id: "2000002"
    status: [error]
  register: failed
"""

RETURN = r"""
orders:
  description:
    - The orders found, with keys in snake_case; an empty list when none match.
    - List rows carry the fields below up to RV(orders[].credit_check); full records (a lookup by O(id), or
      O(details=true)) add the others.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Marketplace id.
      type: str
      sample: "4000001"
    order_number:
      description: Order number.
      type: str
      sample: SO000001
    type:
      description: Order type, for example V(sales), V(change), V(renewal) or V(cancellation).
      type: str
      sample: sales
    customer_id:
      description: Marketplace id of the customer.
      type: str
      sample: "1000001"
    status:
      description: Status, one of V(submitted), V(processing), V(completed), V(error), V(cancelled).
      type: str
      sample: completed
    status_code:
      description: Internal platform status code.
      type: str
      sample: CP
    creation_date:
      description: When the order was placed (ISO 8601 date-time).
      type: str
      sample: "2024-12-26T10:00:00Z"
    provisioning_date:
      description: When the order was provisioned.
      type: str
      returned: once provisioned
      sample: "2024-12-26T10:05:00Z"
    total:
      description: Total price (C(currency), C(amount)).
      type: dict
      sample: {"currency": "USD", "amount": "312.50"}
    attributes:
      description: Custom attributes.
      type: dict
      returned: when the order has some
      sample: {}
    credit_check:
      description: Whether the order goes through a credit check.
      type: bool
      sample: true
    po_number:
      description: Purchase order number given when the order was placed.
      type: str
      returned: in full records, when the order has one
      sample: PO-2024-001
    subscription_id:
      description: The subscription the order created or changed.
      type: str
      returned: in full records, once known
      sample: "3000001"
    products:
      description: Ordered products (C(mpn), C(vendor), C(id), C(name), C(quantity), C(extended_price), C(parameters), C(subscription_id) ...).
      type: list
      elements: dict
      returned: in full records
      sample: [{"mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 25, "subscription_id": "3000001"}]
    details:
      description: Priced lines (C(type), C(mpn), C(product_id), C(description), C(quantity), C(unit_price), C(extended_price) ...).
      type: list
      elements: dict
      returned: in full records
      sample: [{"type": "recurring", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 25, "extended_price": {"currency": "USD", "amount": "312.50"}}]
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError, IMNotFoundError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._info_helpers import (
    check_concurrency, date_time_period, details_argument_spec, fetch_details, get_one, unique,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import list_by_statuses, path_id, require_customer
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMInfo

STATUSES = ["submitted", "processing", "error", "completed", "cancelled"]
# Filters GET /resellers/{id}/orders does not have (the contract lists them for GET /orders only).
NOT_FOR_RESELLERS = (("order_number", "orderNumber"), ("status_code", "statusCode"))


class OrderInfoModule(IMInfo):
    result_key = "orders"

    def check_reseller_filters(self):
        if self.params["reseller_id"]:
            for option, field in NOT_FOR_RESELLERS:
                if self.params[option]:
                    raise IMConfigError("%s cannot be combined with reseller_id: the API's reseller order listing "
                                        "(GET /resellers/{id}/orders) has no %s filter. Drop reseller_id to search all orders "
                                        "by %s" % (option, field, option))

    def items(self):
        params = self.params
        check_concurrency(params)
        self.check_reseller_filters()
        start, end = date_time_period(params, "creation_time_from", "creation_time_to")
        if params["id"]:
            return get_one(self.client, "/orders", params["id"])
        query = {"orderNumber": params["order_number"], "subscriptionId": params["subscription_id"],
                 "statusCode": params["status_code"], "creationTimeFrom": start, "creationTimeTo": end}
        if params["customer"]:
            query["customerId"] = require_customer(self.client, params["customer"], option="customer")["id"]
        path = "/orders"
        if params["reseller_id"]:
            path = "/resellers/%s/orders" % path_id(params["reseller_id"])
        try:
            rows = list_by_statuses(self.client, path, query, unique(params["status"]))
        except IMNotFoundError:
            if not params["reseller_id"]:
                raise
            raise IMError("reseller_id %s not found: no reseller has this id" % params["reseller_id"]) from None
        if params["order_number"]:
            rows = [row for row in rows if row.get("orderNumber") == params["order_number"]]
        if params["details"]:
            rows = fetch_details(self.client, "/orders", rows, params["concurrency"])
        return rows


def main():
    argument_spec = dict(
        id=dict(type="str"),
        order_number=dict(type="str"),
        customer=dict(type="str"),
        subscription_id=dict(type="str"),
        status=dict(type="list", elements="str", choices=STATUSES),
        status_code=dict(type="str"),
        creation_time_from=dict(type="str"),
        creation_time_to=dict(type="str"),
        reseller_id=dict(type="str"),
    )
    argument_spec.update(details_argument_spec())
    others = [option for option in argument_spec if option not in ("id", "details", "concurrency")]
    OrderInfoModule(argument_spec, mutually_exclusive=[("id", option) for option in others]).run()


if __name__ == "__main__":
    main()
