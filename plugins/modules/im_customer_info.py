#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_customer_info
short_description: List and look up customers in the Ingram Micro Cloud Marketplace
version_added: 1.0.0
description:
  - Returns customers by Marketplace O(id), by O(external_id), by O(name) or contact O(email), or all customers of a
    sub-reseller (O(reseller_id)), reading every page of the listing.
  - Without any filter, returns every customer visible to the API user.
  - The API's list rows are short (id, external id, name, status, reseller). A lookup by O(id) or O(external_id)
    returns the full customer; set O(details=true) to get the full record (address, contact persons, language, tax id,
    attributes) of every customer of a broader listing too.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes.info_module
  - ingrammicro.marketplace.info.id
  - ingrammicro.marketplace.info.accounts
  - ingrammicro.marketplace.info.details
options:
  reseller_id:
    description:
      - Only customers of this sub-reseller (the API's C(GET /resellers/{id}/customers)).
    type: str
seealso:
  - module: ingrammicro.marketplace.im_customer
"""

EXAMPLES = r"""
- name: Look up a customer by the id in your PSA
  ingrammicro.marketplace.im_customer_info:
    external_id: ACME-001
  register: found

- name: Show its Marketplace id
  ansible.builtin.debug:
    msg: "{{ found.customers[0].id if found.customers else 'not a customer yet' }}"

- name: Every customer of a sub-reseller, with addresses and contacts
  ingrammicro.marketplace.im_customer_info:
    reseller_id: "2000002"
    details: true
  register: reseller_customers
"""

RETURN = r"""
customers:
  description:
    - The customers found, with keys in snake_case; an empty list when none match.
    - List rows carry C(id), C(external_id), C(name), C(status) and C(reseller_id); full records (a lookup by O(id) or
      O(external_id), or O(details=true)) add C(address), C(contact_persons), C(language), C(tax_reg_id) and
      C(attributes).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Marketplace id.
      type: str
      sample: "1000042"
    external_id:
      description: Id in your own system (PSA, CRM).
      type: str
      sample: ACME-001
    name:
      description: Company name.
      type: str
      sample: Acme Corporation
    status:
      description: Status, one of V(pending), V(active), V(creditHold), V(adminHold), V(cancelled), V(error).
      type: str
      sample: active
    reseller_id:
      description: The reseller the customer belongs to.
      type: str
      sample: "2000001"
    language:
      description: Language of the customer's panel and notifications (full records only).
      type: str
      sample: en
    tax_reg_id:
      description: Tax registration id (full records only).
      type: str
      sample: US-55-1234567
    attributes:
      description: Custom attributes (full records only).
      type: dict
      sample: {}
    address:
      description:
        - Postal address (C(street_address), C(address_extension), C(postal_code), C(city), C(state), C(country_code));
          full records only.
      type: dict
      sample: {"street_address": "1 Main Street", "postal_code": "92612", "city": "Irvine", "state": "CA", "country_code": "US"}
    contact_persons:
      description:
        - Contact persons (C(type), C(first_name), C(last_name), C(email), C(phone_number), C(login)); full records only.
          Administrator passwords are never returned.
      type: list
      elements: dict
      sample: [{"type": "admin", "first_name": "Jane", "last_name": "Doe", "email": "jane.doe@acme.example",
                "phone_number": "+19495550100"}]
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._info_helpers import details_argument_spec, list_accounts
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import path_id
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMInfo


class CustomerInfoModule(IMInfo):
    result_key = "customers"
    hidden_fields = ("contact_persons.password",)

    def items(self):
        reseller_id = self.params["reseller_id"]
        listing = "/resellers/%s/customers" % path_id(reseller_id) if reseller_id else "/customers"
        return list_accounts(self.client, self.params, "/customers", listing)


def main():
    argument_spec = dict(
        id=dict(type="str"),
        external_id=dict(type="str"),
        name=dict(type="str"),
        email=dict(type="str"),
        reseller_id=dict(type="str"),
    )
    argument_spec.update(details_argument_spec())
    CustomerInfoModule(argument_spec, mutually_exclusive=[("id", option) for option in ("external_id", "name", "email", "reseller_id")]).run()


if __name__ == "__main__":
    main()
