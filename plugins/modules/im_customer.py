#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_customer
short_description: Create and update customers in the Ingram Micro Cloud Marketplace
version_added: 1.0.0
description:
  - Ensures a customer exists with the given details, identified by its O(external_id) (the id in your own system) or by
    its Marketplace O(id).
  - Creates the customer when no customer has the O(external_id), optionally under a sub-reseller (O(reseller_id)).
  - Runs on other machines share no lock and the API has no conditional create, so two runs can create the same
    O(external_id) at the same moment. The customers with the O(external_id) are therefore read again after creating
    one; the first created stands, and a run that created a later one renames that one's external id to
    C(<external_id>~duplicate-<id>) and fails (its C(failure) is V(created_twice)), naming both records and the one
    to remove in the reseller control panel (the API cannot delete customers). A rerun is safe, it finds the first.
    On a platform that refuses a second customer with the same external id, the customer the other run created is
    used.
  - Updates only the fields you set that differ from the customer's current values. Options you leave out are never
    changed.
  - The Marketplace API cannot delete customers, so there is no O(ignore:state=absent).
  - Option names are the API's field names in snake_case (C(taxRegId) is O(tax_reg_id), C(contactPersons) is
    O(contact_persons)), so the vendor's API documentation applies as it is.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.account
  - ingrammicro.marketplace.attributes
attributes:
  check_mode:
    support: full
    details: A customer that would be created is returned with RV(customer.id=null) and RV(customer.simulated=true).
  diff_mode:
    support: full
options:
  reseller_id:
    description:
      - Create the customer under this sub-reseller (C(POST /resellers/{id}/customers)) instead of under the reseller
        that owns the API user.
      - For an existing customer owned by a different reseller the module fails, because the API cannot move customers.
    type: str
notes:
  - The API has no idempotency key for creations; the module looks the customer up by O(external_id) first, so keep
    external ids unique.
seealso:
  - module: ingrammicro.marketplace.im_customer_info
"""

EXAMPLES = r"""
- name: Ensure a customer exists
  ingrammicro.marketplace.im_customer:
    external_id: ACME-001
    name: Acme Corporation
    language: en
    tax_reg_id: US-123456789
    address:
      street_address: 1 Main Street
      postal_code: "92612"
      city: Irvine
      state: CA
      country_code: US
    contact_persons:
      - type: admin
        first_name: Jane
        last_name: Doe
        email: jane.doe@acme.example
        phone_number: "+19495550100"
        login: jane.doe@acme.example
        password: "{{ acme_admin_password }}"
  register: acme

- name: Put a customer on credit hold, leaving everything else as it is
  ingrammicro.marketplace.im_customer:
    external_id: ACME-001
    status: creditHold

- name: Create a customer for a sub-reseller
  ingrammicro.marketplace.im_customer:
    external_id: BETA-042
    reseller_id: "2000002"
    name: Beta GmbH
    language: de
    address:
      street_address: Hauptstrasse 5
      postal_code: "10115"
      city: Berlin
      country_code: DE
    contact_persons:
      - first_name: Max
        last_name: Muster
        email: max@beta.example
        phone_number: "+49305550100"
"""

RETURN = r"""
customer:
  description:
    - The customer after the task, as the API returns it, with keys in snake_case.
    - In check mode, a customer that would be created has RV(customer.id=null) and RV(customer.simulated=true).
    - Administrator passwords are never returned.
  returned: always
  type: dict
  contains:
    id:
      description: Marketplace id; V(null) for a customer that would be created in check mode.
      type: str
      sample: "1000042"
    external_id:
      description: Id in your own system.
      type: str
      sample: ACME-001
    name:
      description: Company or person name.
      type: str
      sample: Acme Corporation
    status:
      description: Status, one of V(pending), V(active), V(creditHold), V(adminHold), V(cancelled), V(error).
      type: str
      sample: active
    language:
      description: Language.
      type: str
      sample: en
    tax_reg_id:
      description: Tax registration id.
      type: str
      sample: US-123456789
    reseller_id:
      description: Id of the reseller that owns the customer.
      type: str
      sample: "1000001"
    attributes:
      description: Custom attributes.
      type: dict
      sample: {"segment": "smb"}
    address:
      description: Postal address (C(street_address), C(address_extension), C(postal_code), C(city), C(state), C(country_code)).
      type: dict
      sample: {"street_address": "1 Main Street", "postal_code": "92612", "city": "Irvine", "state": "CA", "country_code": "US"}
    contact_persons:
      description: Contact persons (C(type), C(first_name), C(last_name), C(email), C(phone_number)).
      type: list
      elements: dict
      sample: [{"type": "admin", "first_name": "Jane", "last_name": "Doe", "email": "jane.doe@acme.example", "phone_number": "+19495550100"}]
    simulated:
      description: V(true) when the customer does not exist and check mode only shows what would be created.
      type: bool
      returned: in check mode, when the customer would be created
      sample: true
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._account_rules import account_argument_spec
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._accounts import AccountResource
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import path_id


class CustomerModule(AccountResource):
    resource_key = "customer"
    kind = "customer"
    list_path = "/customers"

    def find(self):
        if self.params["id"]:
            customer = self.client.get_or_none("/customers/%s" % path_id(self.params["id"]))
            if customer is None:
                raise IMError("customer id %s not found (to create a customer, give its external_id instead of an id)"
                              % self.params["id"])
            self.check_owner(customer)
            return customer
        customer = self.find_by_external_id("/customers", self.params["external_id"])
        if customer is not None:
            customer = self.client.get("/customers/%s" % path_id(customer["id"]))
            self.check_owner(customer)
        return customer

    def check_owner(self, customer):
        wanted = self.params["reseller_id"]
        if wanted and customer.get("resellerId") != wanted:
            raise IMError("customer %s (external_id %s) belongs to reseller %s, not reseller_id %s; the API cannot move "
                          "customers between resellers" % (customer.get("id"), customer.get("externalId"),
                                                           customer.get("resellerId"), wanted))

    def create(self, desired):
        reseller_id = self.params["reseller_id"]
        return self.create_at("/resellers/%s/customers" % path_id(reseller_id) if reseller_id else "/customers", desired)

    def update(self, current, patch):
        return self.client.patch("/customers/%s" % path_id(current["id"]), patch)

    def simulate_create(self, desired):
        simulated = super().simulate_create(desired)
        simulated["resellerId"] = self.params["reseller_id"]
        return simulated


def main():
    argument_spec = account_argument_spec()
    argument_spec.update(reseller_id=dict(type="str"))
    CustomerModule(argument_spec, required_one_of=[("id", "external_id")]).run()


if __name__ == "__main__":
    main()
