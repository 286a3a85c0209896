#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_subscription_info
short_description: List and look up subscriptions in the Ingram Micro Cloud Marketplace
version_added: 1.0.0
description:
  - Returns one subscription by Marketplace O(id) (the full record), or the subscriptions of a O(customer), in some
    O(status) values, created in a period (O(creation_date_from), O(creation_date_to)), or of a product (O(mpn)),
    reading every page of the listing.
  - Without any filter, returns every subscription visible to the API user.
  - The API's list rows carry no products, so no seat quantities, prices, plan or parameters. Set O(details=true) to
    read the full record of every subscription found (C(GET /subscriptions/{id})), with products (seat quantities and
    prices), totals, C(plan_id), order and fulfillment parameters; O(mpn) needs them and reads them too.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes.info_module
  - ingrammicro.marketplace.info.id
  - ingrammicro.marketplace.info.customer_and_status
  - ingrammicro.marketplace.info.details
options:
  status:
    # Described in the info.customer_and_status fragment; the statuses are a subscription's.
    choices: [pending, active, hold, terminated, removed]
  creation_date_from:
    description:
      - Only subscriptions created on or after this date, in the form V(YYYY-MM-DD).
    type: str
  creation_date_to:
    description:
      - Only subscriptions created on or before this date, in the form V(YYYY-MM-DD).
    type: str
  mpn:
    description:
      - Only subscriptions holding a product with exactly this manufacturer part number.
      - List rows carry no products, so this reads the full record of every subscription the other filters leave, as
        O(details=true) does; narrow the listing with O(customer) or O(status) to keep that short.
    type: str
seealso:
  - module: ingrammicro.marketplace.im_subscription
  - module: ingrammicro.marketplace.im_customer_info
"""

EXAMPLES = r"""
- name: The active subscriptions of a customer, with their seat counts
  ingrammicro.marketplace.im_subscription_info:
    customer: ACME-001
    status: [active]
    details: true
  register: acme_subscriptions

- name: Show the seats of each
  ansible.builtin.debug:
    msg: "{{ item.products[0].mpn }}: {{ item.products[0].quantity }} seats"
  loop: "{{ acme_subscriptions.subscriptions }}"
  loop_control:
    label: "{{ item.id }}"

- name: Which customers hold Microsoft 365 Business Basic (annual term)
  ingrammicro.marketplace.im_subscription_info:
    mpn: CFQ7TTC0LH18:0001:P1Y
    status: [active, hold]
  register: basic

- name: Active and terminated subscriptions created this year
  ingrammicro.marketplace.im_subscription_info:
    creation_date_from: "{{ now(utc=true).strftime('%Y') }}-01-01"
    status: [active, terminated]
  register: this_year

- name: One subscription, in full
  ingrammicro.marketplace.im_subscription_info:
    id: "3000001"
  register: one
"""

RETURN = r"""
subscriptions:
  description:
    - The subscriptions found, with keys in snake_case; an empty list when none match.
    - List rows carry the fields below up to RV(subscriptions[].subscription_period); full records (a lookup by O(id),
      O(details=true) or O(mpn)) add the others.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Marketplace id.
      type: str
      sample: "3000001"
    name:
      description: Name (the product's name).
      type: str
      sample: Microsoft 365 Business Standard (annual term)
    customer_id:
      description: Marketplace id of the customer.
      type: str
      sample: "1000001"
    status:
      description: Status, one of V(pending), V(active), V(hold), V(terminated), V(removed).
      type: str
      sample: active
    attributes:
      description: Custom attributes.
      type: dict
      sample: {}
    renewal_status:
      description: Whether the subscription renews automatically.
      type: bool
      sample: true
    creation_date:
      description: Creation date.
      type: str
      sample: "2024-12-26"
    renewal_date:
      description: Next renewal date.
      type: str
      sample: "2026-12-26"
    expiration_date:
      description: Expiration date.
      type: str
      sample: "2026-12-26"
    last_modified_date:
      description: Date of the last change.
      type: str
      sample: "2024-12-26"
    billing_model:
      description: Billing model.
      type: str
      sample: chargeBeforeBillingPeriod
    billing_period:
      description: Billing period (C(type), C(duration)).
      type: dict
      sample: {"type": "month", "duration": 1}
    subscription_period:
      description: Term (C(type), C(duration)).
      type: dict
      sample: {"type": "year", "duration": 1}
    products:
      description:
        - Products of the subscription, each with C(mpn), C(vendor), C(id), C(name), C(quantity) (the seats),
          C(unit_price), C(unit_cost), C(unit_provider_cost), C(extended_price), C(vendor_subscription_id) and the
          C(total_subscription_*) amounts.
      type: list
      elements: dict
      returned: in full records
      sample: [{"mpn": "CFQ7TTC0LDPB:0001:P1Y", "vendor": "Microsoft", "id": "PRD100202", "quantity": 25,
                "unit_price": {"currency": "USD", "amount": "12.50"}}]
    plan_id:
      description: Id of the service plan (a number).
      type: int
      returned: in full records
      sample: 10002
    total_price:
      description: Price per billing period (C(currency), C(amount)).
      type: dict
      returned: in full records
      sample: {"currency": "USD", "amount": "312.50"}
    total_subscription_price:
      description: Price per term.
      type: dict
      returned: in full records
      sample: {"currency": "USD", "amount": "3750.00"}
    order_parameters:
      description: Activation parameters of the order that created it (C(name), C(value)).
      type: list
      elements: dict
      returned: in full records
      sample: [{"name": "domain", "value": "acme-mfg.com"}]
    fulfillment_parameters:
      description: What the vendor returned on provisioning (C(name), C(value)), for example the Microsoft tenant id.
      type: list
      elements: dict
      returned: in full records
      sample: [{"name": "initialDomain", "value": "acmemfg.onmicrosoft.com"}]
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._info_helpers import (
    check_concurrency, date_period, details_argument_spec, fetch_details, get_one, unique,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import list_by_statuses, require_customer, subscription_mpns
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMInfo

STATUSES = ["pending", "active", "hold", "terminated", "removed"]


class SubscriptionInfoModule(IMInfo):
    result_key = "subscriptions"

    def items(self):
        params = self.params
        check_concurrency(params)
        start, end = date_period(params, "creation_date_from", "creation_date_to")
        if params["id"]:
            return get_one(self.client, "/subscriptions", params["id"])
        query = {"creationDateFrom": start, "creationDateTo": end}
        if params["customer"]:
            query["customerId"] = require_customer(self.client, params["customer"], option="customer")["id"]
        rows = list_by_statuses(self.client, "/subscriptions", query, unique(params["status"]))
        if params["details"] or params["mpn"]:
            rows = fetch_details(self.client, "/subscriptions", rows, params["concurrency"])
        if params["mpn"]:
            rows = [row for row in rows if params["mpn"] in subscription_mpns(row)]
        return rows


def main():
    argument_spec = dict(
        id=dict(type="str"),
        customer=dict(type="str"),
        status=dict(type="list", elements="str", choices=STATUSES),
        creation_date_from=dict(type="str"),
        creation_date_to=dict(type="str"),
        mpn=dict(type="str"),
    )
    argument_spec.update(details_argument_spec())
    SubscriptionInfoModule(
        argument_spec,
        mutually_exclusive=[("id", option) for option in ("customer", "status", "creation_date_from", "creation_date_to", "mpn")],
    ).run()


if __name__ == "__main__":
    main()
