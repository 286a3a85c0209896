#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_product_info
short_description: Search the product catalog of the Ingram Micro Cloud Marketplace
version_added: 1.0.0
description:
  - Returns the catalog entries (C(GET /products)) the API user can sell, filtered by O(name), O(mpn), O(vendor) and
    O(service_name), reading every page of the listing.
  - Without any filter, returns the whole catalog.
  - The same MPN can be listed more than once, for different subscription or billing periods; each entry is returned.
    Tell them apart by RV(products[].subscription_period) and RV(products[].billing_period) (an order for such an MPN
    needs them).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes.info_module
options:
  name:
    description:
      - Products whose name matches this one (the API's name filter; the simulator matches any part of the name,
        ignoring case).
    type: str
  mpn:
    description:
      - Products with exactly this manufacturer part number.
    type: str
  vendor:
    description:
      - Products of this manufacturer (the API's manufacturer id, for example V(Microsoft)).
    type: str
  service_name:
    description:
      - Products of this service, for example V(MICROSOFT_NCE).
    type: str
seealso:
  - module: ingrammicro.marketplace.im_plan_info
"""

EXAMPLES = r"""
- name: Find the catalog entries of an MPN
  ingrammicro.marketplace.im_product_info:
    mpn: CFQ7TTC0LF8Q:0001
  register: office_e3

- name: Show their terms and prices
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.prices[0].amount }} {{ item.prices[0].currency }} per {{ item.billing_period.type }}"
  loop: "{{ office_e3.products }}"
  loop_control:
    label: "{{ item.id }}"

- name: Every Microsoft 365 product of the new-commerce service
  ingrammicro.marketplace.im_product_info:
    vendor: Microsoft
    service_name: MICROSOFT_NCE
    name: Microsoft 365
  register: m365
"""

RETURN = r"""
products:
  description:
    - The catalog entries found, in catalog order, with keys in snake_case; an empty list when none match.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Product id.
      type: str
      sample: PRD100402
    mpn:
      description: Manufacturer part number.
      type: str
      sample: CFQ7TTC0LF8Q:0001
    vendor:
      description: Manufacturer id.
      type: str
      sample: Microsoft
    service_name:
      description: Service the product belongs to.
      type: str
      sample: MICROSOFT_NCE
    name:
      description: Product name.
      type: str
      sample: Office 365 E3 (annual term)
    minimum_quantity:
      description: Smallest quantity that can be ordered (a string, as the API sends it).
      type: str
      sample: "1"
    maximum_quantity:
      description: Largest quantity that can be ordered (a string, as the API sends it).
      type: str
      sample: "10000"
    prices:
      description: Prices (C(amount) as a string, C(currency), C(type) such as V(recurring), C(model) such as V(FLAT)).
      type: list
      elements: dict
      sample: [{"amount": "23.00", "currency": "USD", "type": "recurring", "model": "FLAT"}]
    costs:
      description: Costs, shaped like RV(products[].prices).
      type: list
      elements: dict
      sample: [{"amount": "20.70", "currency": "USD", "type": "recurring", "model": "FLAT"}]
    billing_period:
      description: How often the product is billed (C(type) V(day), V(month), V(year) ..., C(duration)).
      type: dict
      sample: {"type": "month", "duration": 1}
    subscription_period:
      description: The subscription term (C(type), C(duration)).
      type: dict
      sample: {"type": "year", "duration": 1}
    billing_model:
      description: Billing model, for example V(chargeBeforeBillingPeriod).
      type: str
      sample: chargeBeforeBillingPeriod
    depends_on:
      description: Companion products (C(mpn), C(id)) the platform adds to an order when missing.
      type: list
      elements: dict
      sample: []
    coterming:
      description: Co-terming rules (C(required), C(type)), when the product has any.
      type: dict
      returned: when the product has co-terming rules
      sample: {"required": "ALLOWED", "type": "SUBSCRIPTION"}
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMInfo


class ProductInfoModule(IMInfo):
    result_key = "products"

    def items(self):
        params = self.params
        query = {"name": params["name"], "mpn": params["mpn"], "vendor": params["vendor"], "serviceName": params["service_name"]}
        rows = self.client.paginate("/products", query)
        if params["mpn"]:
            rows = [row for row in rows if row.get("mpn") == params["mpn"]]
        return rows


def main():
    ProductInfoModule(dict(
        name=dict(type="str"),
        mpn=dict(type="str"),
        vendor=dict(type="str"),
        service_name=dict(type="str"),
    )).run()


if __name__ == "__main__":
    main()
