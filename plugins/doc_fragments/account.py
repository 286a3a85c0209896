# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options of the API's Account model shared by im_customer and im_reseller. Must stay identical to
    # account_argument_spec() in plugins/module_utils/resources/_account_rules.py.
    DOCUMENTATION = r"""
options:
  id:
    description:
      - Marketplace id of an existing customer or reseller. It must exist; ids cannot be chosen on creation.
      - When both O(id) and O(external_id) are given, the account is looked up by O(id) and its external id is set to
        O(external_id).
    type: str
  external_id:
    description:
      - The id in your own system (PSA, CRM). This is the natural key of the module; it must match exactly one customer
        (or reseller) or none.
      - One of O(id) and O(external_id) is required.
    type: str
  name:
    description:
      - Company name, or the full name of a person. Required when the account is created.
    type: str
  language:
    description:
      - Language of the account's notifications and panel, for example V(en) or V(de).
      - Required when the account is created. The API cannot change it afterwards; a different value for an existing
        account produces a warning and is left as it is.
    type: str
  tax_reg_id:
    description:
      - Tax registration id used for tax calculation and exemption.
    type: str
  attributes:
    description:
      - Custom attributes (string keys and values), set when the account is created.
      - The API cannot change attributes afterwards; a difference on an existing account produces a warning.
    type: dict
  address:
    description:
      - Postal address. Required when the account is created, with at least O(address.street_address),
        O(address.postal_code), O(address.city) and O(address.country_code).
      - For an existing account, only the sub-options you set are compared; when one differs the whole address is
        sent with your values merged into the current ones.
    type: dict
    suboptions:
      street_address:
        description: Street and number.
        type: str
      address_extension:
        description: Suite, apartment or building.
        type: str
      postal_code:
        description: Postal code.
        type: str
      city:
        description: City.
        type: str
      state:
        description: State or province (mandatory for some countries, for example V(CA) in the United States).
        type: str
      country_code:
        description: ISO 3166-1 alpha-2 country code in capitals, for example V(US) or V(DE).
        type: str
  contact_persons:
    description:
      - Contact persons. Required when the account is created (the first V(admin) contact becomes its administrator).
      - The list is compared as a whole (order does not matter); when it differs, it replaces the current list.
    type: list
    elements: dict
    suboptions:
      type:
        description: Kind of contact.
        type: str
        choices: [admin, billing, technical]
        default: admin
      first_name:
        description: First name.
        type: str
        required: true
      last_name:
        description: Last name.
        type: str
        required: true
      email:
        description: E-mail address.
        type: str
        required: true
      phone_number:
        description: Phone number in ITU-T E.164 notation; an extension may follow a C(#).
        type: str
        required: true
      login:
        description:
          - Login of the administrator (admin contact only), at least 5 characters; an e-mail address works.
            The platform generates one when it is not given.
          - Used only when the account is created; it cannot be read back.
        type: str
      password:
        description:
          - Password of the administrator (admin contact only).
          - Used only when the account is created; it cannot be read back, so it is never compared and never
            returned.
        type: str
  status:
    description:
      - The status of the customer or reseller. The API can only switch between V(active) and V(creditHold) (no new orders).
    type: str
    choices: [active, creditHold]
"""
