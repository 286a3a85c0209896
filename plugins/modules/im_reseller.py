#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_reseller
short_description: Create and update resellers in the Ingram Micro Cloud Marketplace
version_added: 1.0.0
description:
  - Ensures a reseller (a sub-reseller of the reseller that owns the API user) exists with the given details,
    identified by its O(external_id) (the id in your own system) or by its Marketplace O(id).
  - Creates the reseller (C(POST /resellers)) when no reseller has the O(external_id). When a run on another machine
    creates the same O(external_id) at the same moment, the first created stands; a run that created a later one
    renames that one's external id to C(<external_id>~duplicate-<id>) and fails (its C(failure) is
    V(created_twice)), naming both records and the one to remove. A rerun is safe, it finds the first.
  - Updates (C(PATCH /resellers/{id})) only the fields you set that differ from the reseller's current values. Options
    you leave out are never changed.
  - The Marketplace API cannot delete resellers, so there is no O(ignore:state=absent).
  - Option names are the API's field names in snake_case (C(taxationProviderName) is O(taxation_provider_name),
    C(contactPersons) is O(contact_persons)), so the vendor's API documentation applies as it is.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.account
  - ingrammicro.marketplace.attributes
attributes:
  check_mode:
    support: full
    details: A reseller that would be created is returned with RV(reseller.id=null) and RV(reseller.simulated=true).
  diff_mode:
    support: full
options:
  currency:
    description:
      - The reseller's currency, an ISO 4217 code in capitals such as V(USD) or V(EUR).
      - Required when the reseller is created. The API cannot change it afterwards; a different value for an existing
        reseller produces a warning and is left as it is.
    type: str
  taxation_provider_name:
    description:
      - Name of the reseller's taxation engine, for example V(Vertex).
      - Set when the reseller is created. The API cannot change it afterwards; a difference on an existing reseller
        produces a warning.
    type: str
  customer_class:
    description:
      - The reseller's customer class, for example V(Default).
      - Set when the reseller is created. The API cannot change it afterwards; a difference on an existing reseller
        produces a warning.
    type: str
notes:
  - The API has no idempotency key for creations; the module looks the reseller up by O(external_id) first, so keep
    external ids unique.
seealso:
  - module: ingrammicro.marketplace.im_reseller_info
  - module: ingrammicro.marketplace.im_customer
"""

EXAMPLES = r"""
- name: Ensure a sub-reseller exists
  ingrammicro.marketplace.im_reseller:
    external_id: CONTOSO-RES
    name: Contoso Cloud Services LLC
    language: en
    currency: USD
    taxation_provider_name: Vertex
    customer_class: Default
    tax_reg_id: US-987654321
    address:
      street_address: 1 Contoso Way
      postal_code: "98052"
      city: Redmond
      state: WA
      country_code: US
    contact_persons:
      - type: admin
        first_name: Carla
        last_name: Contoso
        email: carla@contoso-cloud.example
        phone_number: "+14255550100"
  register: contoso

- name: Put the reseller on credit hold, leaving everything else as it is
  ingrammicro.marketplace.im_reseller:
    external_id: CONTOSO-RES
    status: creditHold

- name: Add a billing contact to a reseller found by its Marketplace id
  ingrammicro.marketplace.im_reseller:
    id: "{{ contoso.reseller.id }}"
    contact_persons:
      - type: admin
        first_name: Carla
        last_name: Contoso
        email: carla@contoso-cloud.example
        phone_number: "+14255550100"
      - type: billing
        first_name: Ben
        last_name: Billing
        email: billing@contoso-cloud.example
        phone_number: "+14255550101"
"""

RETURN = r"""
reseller:
  description:
    - The reseller after the task, as the API returns it, with keys in snake_case.
    - In check mode, a reseller that would be created has RV(reseller.id=null) and RV(reseller.simulated=true).
    - Administrator passwords are never returned.
  returned: always
  type: dict
  contains:
    id:
      description: Marketplace id; V(null) for a reseller that would be created in check mode.
      type: str
      sample: "2000003"
    external_id:
      description: Id in your own system.
      type: str
      sample: CONTOSO-RES
    name:
      description: Company name.
      type: str
      sample: Contoso Cloud Services LLC
    status:
      description: Status, one of V(pending), V(active), V(creditHold), V(adminHold), V(cancelled), V(error).
      type: str
      sample: active
    language:
      description: Language.
      type: str
      sample: en
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
      sample: US-987654321
    attributes:
      description: Custom attributes.
      type: dict
      sample: {"tier": "gold"}
    address:
      description: Postal address (C(street_address), C(address_extension), C(postal_code), C(city), C(state), C(country_code)).
      type: dict
      sample: {"street_address": "1 Contoso Way", "postal_code": "98052", "city": "Redmond", "state": "WA", "country_code": "US"}
    contact_persons:
      description: Contact persons (C(type), C(first_name), C(last_name), C(email), C(phone_number)).
      type: list
      elements: dict
      sample: [{"type": "admin", "first_name": "Carla", "last_name": "Contoso", "email": "carla@contoso-cloud.example",
                "phone_number": "+14255550100"}]
    simulated:
      description: V(true) when the reseller does not exist and check mode only shows what would be created.
      type: bool
      returned: in check mode, when the reseller would be created
      sample: true
"""

import re

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._transform import subset_differs
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._account_rules import ACCOUNT_FIELDS, account_argument_spec
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._accounts import AccountResource
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import path_id

CURRENCY = re.compile(r"^[A-Z]{3}$")
# Reseller fields that ResellerUpdate does not have: set on creation only (API field -> option).
RESELLER_CREATE_ONLY = {"currency": "currency", "taxationProviderName": "taxation_provider_name", "customerClass": "customer_class"}


class ResellerModule(AccountResource):
    resource_key = "reseller"
    kind = "reseller"
    list_path = "/resellers"
    fields = ACCOUNT_FIELDS + ("currency", "taxation_provider_name", "customer_class")
    required_on_create = AccountResource.required_on_create + ("currency",)

    def validate(self):
        currency = self.params["currency"]
        if currency is not None and not CURRENCY.match(currency):
            raise IMConfigError("currency must be an ISO 4217 code in capitals such as USD or EUR, got %r" % currency)
        super().validate()

    def find(self):
        if self.params["id"]:
            reseller = self.client.get_or_none("/resellers/%s" % path_id(self.params["id"]))
            if reseller is None:
                raise IMError("reseller id %s not found (to create a reseller, give its external_id instead of an id)"
                              % self.params["id"])
            return reseller
        reseller = self.find_by_external_id("/resellers", self.params["external_id"])
        if reseller is not None:
            reseller = self.client.get("/resellers/%s" % path_id(reseller["id"]))
        return reseller

    def changes(self, current, desired):
        patch = super().changes(current, desired)
        for key, option in RESELLER_CREATE_ONLY.items():
            if key in desired and subset_differs(current.get(key), desired[key]):
                self.warn("%s: %s differs from the requested value (%s, requested %s), but the API cannot change it "
                          "after creation; left as it is" % (self.describe(), option, current.get(key), desired[key]))
        return patch

    def create(self, desired):
        return self.create_at("/resellers", desired)

    def update(self, current, patch):
        return self.client.patch("/resellers/%s" % path_id(current["id"]), patch)


def main():
    argument_spec = account_argument_spec()
    argument_spec.update(
        currency=dict(type="str"),
        taxation_provider_name=dict(type="str"),
        customer_class=dict(type="str"),
    )
    ResellerModule(argument_spec, required_one_of=[("id", "external_id")]).run()


if __name__ == "__main__":
    main()
