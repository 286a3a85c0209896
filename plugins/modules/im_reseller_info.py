#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_reseller_info
short_description: List and look up resellers in the Ingram Micro Cloud Marketplace
version_added: 1.0.0
description:
  - Returns resellers by Marketplace O(id), by O(external_id), by O(name) or by contact O(email), reading every page of
    the listing (C(GET /resellers), C(GET /resellers/{id})).
  - Without any filter, returns every reseller visible to the API user.
  - A lookup by O(id) or O(external_id) returns the full reseller. The API documents list rows as full resellers too,
    but if yours are shorter, set O(details=true) to read each one in full.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes.info_module
  - ingrammicro.marketplace.info.id
  - ingrammicro.marketplace.info.accounts
  - ingrammicro.marketplace.info.details
seealso:
  - module: ingrammicro.marketplace.im_reseller
  - module: ingrammicro.marketplace.im_customer_info
"""

EXAMPLES = r"""
- name: Look up a sub-reseller by the id in your PSA
  ingrammicro.marketplace.im_reseller_info:
    external_id: NORTHWIND-RES
  register: northwind

- name: List the sub-reseller's customers
  ingrammicro.marketplace.im_customer_info:
    reseller_id: "{{ northwind.resellers[0].id }}"
  when: northwind.resellers | length == 1

- name: Resellers with a contact at this address
  ingrammicro.marketplace.im_reseller_info:
    email: noor@northwind-it.example
  register: by_contact

- name: Every reseller
  ingrammicro.marketplace.im_reseller_info:
  register: all_resellers
"""

RETURN = r"""
resellers:
  description:
    - The resellers found, with keys in snake_case; an empty list when none match.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Marketplace id.
      type: str
      sample: "2000002"
    external_id:
      description: Id in your own system.
      type: str
      sample: NORTHWIND-RES
    name:
      description: Company name.
      type: str
      sample: Northwind IT Partners B.V.
    status:
      description: Status, one of V(pending), V(active), V(creditHold), V(adminHold), V(cancelled), V(error).
      type: str
      sample: active
    language:
      description: Language.
      type: str
      sample: nl
    currency:
      description: Currency.
      type: str
      sample: USD
    taxation_provider_name:
      description: Taxation engine.
      type: str
      sample: Vertex
    customer_class:
      description: Customer class.
      type: str
      sample: Default
    tax_reg_id:
      description: Tax registration id.
      type: str
      sample: NL123456789B01
    attributes:
      description: Custom attributes.
      type: dict
      sample: {}
    address:
      description: Postal address (C(street_address), C(address_extension), C(postal_code), C(city), C(state), C(country_code)).
      type: dict
      sample: {"street_address": "Keizersgracht 10", "postal_code": "1015 CN", "city": "Amsterdam", "country_code": "NL"}
    contact_persons:
      description: Contact persons (C(type), C(first_name), C(last_name), C(email), C(phone_number)).
      type: list
      elements: dict
      sample: [{"type": "admin", "first_name": "Noor", "last_name": "Visser", "email": "noor@northwind-it.example",
                "phone_number": "+31205550100"}]
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._info_helpers import details_argument_spec, list_accounts
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMInfo


class ResellerInfoModule(IMInfo):
    result_key = "resellers"
    hidden_fields = ("contact_persons.password",)

    def items(self):
        return list_accounts(self.client, self.params, "/resellers")


def main():
    argument_spec = dict(
        id=dict(type="str"),
        external_id=dict(type="str"),
        name=dict(type="str"),
        email=dict(type="str"),
    )
    argument_spec.update(details_argument_spec())
    ResellerInfoModule(argument_spec, mutually_exclusive=[("id", "external_id"), ("id", "name"), ("id", "email")]).run()


if __name__ == "__main__":
    main()
