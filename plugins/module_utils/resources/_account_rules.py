# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What customers and resellers share (the API's ``Account`` model): options, validation, comparison. Pure: the
roles' input checks use it on the controller as the modules do. ``_accounts.AccountResource`` is the module side.

Private to this collection.
"""

from __future__ import annotations

import re

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import problem, shown


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{4,255}$")

# Fields PATCH can change (AccountUpdate); others are set on creation only.
SCALAR_UPDATABLE = ("externalId", "name", "taxRegId", "status")
CREATE_ONLY = ("language", "attributes")
REQUIRED_ADDRESS = ("street_address", "postal_code", "city", "country_code")
# Contact fields the API returns, so the only ones that can be compared.
CONTACT_COMPARED = ("type", "firstName", "lastName", "email", "phoneNumber")
# Option names copied into the API body.
ACCOUNT_FIELDS = ("external_id", "name", "language", "tax_reg_id", "attributes", "address", "contact_persons", "status")


def account_argument_spec():
    """Options of every Account-based module (customers, resellers)."""
    return dict(
        id=dict(type="str"),
        external_id=dict(type="str"),
        name=dict(type="str"),
        language=dict(type="str"),
        tax_reg_id=dict(type="str"),
        attributes=dict(type="dict"),
        address=dict(type="dict", options=dict(
            street_address=dict(type="str"),
            address_extension=dict(type="str"),
            postal_code=dict(type="str"),
            city=dict(type="str"),
            state=dict(type="str"),
            country_code=dict(type="str"),
        )),
        contact_persons=dict(type="list", elements="dict", options=dict(
            type=dict(type="str", choices=["admin", "billing", "technical"], default="admin"),
            first_name=dict(type="str", required=True),
            last_name=dict(type="str", required=True),
            email=dict(type="str", required=True),
            phone_number=dict(type="str", required=True),
            login=dict(type="str"),
            password=dict(type="str", no_log=True),
        )),
        status=dict(type="str", choices=["active", "creditHold"]),
    )


ADDRESS_FIELDS = ("street_address", "address_extension", "postal_code", "city", "state", "country_code")
CONTACT_FIELDS = ("type", "first_name", "last_name", "email", "phone_number", "login", "password")
CONTACT_TYPES = ("admin", "billing", "technical")
STATUSES = ("active", "creditHold")


def account_problems(account, where):
    """The problems of an account's options (im_customer's, im_reseller's, or a customer of the onboarding role). Pure.

    Each problem is ``{"where", "field", "given", "message"}``; the message names ``where`` (nothing for a module's
    own options, ``onboarding_customers line 2 (ACME-001)`` for a role) and the field, and says the fix.
    """
    problems = []

    def add(field, given, text):
        problems.append(problem(where, field, given, text) if where else {"where": "", "field": field, "given": given, "message": text})

    for field in ("external_id", "name", "language", "tax_reg_id", "reseller_id"):
        value = account.get(field)
        if value is not None and (not isinstance(value, (str, int, float)) or isinstance(value, bool) or not str(value).strip()):
            add(field, value, "%s must be a non-empty text, got %s" % (field, shown(value)))
    if account.get("status") is not None and account["status"] not in STATUSES:
        add("status", account["status"], "status must be active or creditHold, got %s" % shown(account["status"]))
    if account.get("attributes") is not None and not isinstance(account["attributes"], dict):
        add("attributes", account["attributes"], "attributes must be a mapping of names to values, got %s" % shown(account["attributes"]))
    address = account.get("address")
    if address is not None:
        if not isinstance(address, dict):
            add("address", address, "address must be a mapping with %s, got %s" % (", ".join(ADDRESS_FIELDS), shown(address)))
        else:
            unknown = sorted(str(key) for key in address if key not in ADDRESS_FIELDS)
            if unknown:
                add("address", address, "address: unknown key %s (the keys are %s)" % (", ".join(unknown), ", ".join(ADDRESS_FIELDS)))
            country = address.get("country_code")
            if country is not None and not COUNTRY_CODE.match(str(country)):
                add("address.country_code", country,
                    "address.country_code must be an ISO 3166-1 alpha-2 code in capitals such as US or DE, got %s" % shown(country))
    contacts = account.get("contact_persons")
    if contacts is not None and not isinstance(contacts, list):
        add("contact_persons", contacts, "contact_persons must be a list of contacts, got %s" % shown(contacts))
        contacts = []
    for number, contact in enumerate(contacts or [], start=1):
        field = "contact_persons line %d" % number
        if not isinstance(contact, dict):
            add(field, contact, "%s must be a mapping with first_name, last_name, email and phone_number" % field)
            continue
        unknown = sorted(str(key) for key in contact if key not in CONTACT_FIELDS)
        if unknown:
            add(field, contact, "%s: unknown key %s (the keys are %s)" % (field, ", ".join(unknown), ", ".join(CONTACT_FIELDS)))
        for key in ("first_name", "last_name", "email", "phone_number"):
            if contact.get(key) is None or not str(contact[key]).strip():
                add(field, contact.get(key), "%s: %s is missing" % (field, key))
        kind = contact.get("type") or "admin"
        if kind not in CONTACT_TYPES:
            add(field, kind, "%s: type must be admin, billing or technical, got %s" % (field, shown(kind)))
        if contact.get("email") and not EMAIL.match(str(contact["email"])):
            add(field, contact["email"], "%s: email must be an e-mail address such as jane@example.com, got %s" % (field, shown(contact["email"])))
        if kind != "admin" and (contact.get("login") or contact.get("password")):
            add(field, None, "%s: login and password can only be given for the admin contact (type: admin)" % field)
        if contact.get("login") is not None and not LOGIN.match(str(contact["login"])):
            add(field, contact["login"], "%s: login must be at least 5 characters of letters, digits and _ . @ - starting with a "
                                         "letter or digit, got %s" % (field, shown(contact["login"])))
    return problems


def creation_gaps(account, required=("name", "language", "address", "contact_persons")):
    """What creating ``account`` still needs: required fields, and the address fields the API requires."""
    missing = [field for field in required if account.get(field) in (None, "", [], {})]
    address = account.get("address")
    if isinstance(address, dict) and address:
        missing += ["address.%s" % field for field in REQUIRED_ADDRESS if not address.get(field)]
    return missing


def contact_key(contact):
    return tuple(str(contact.get(field) or "") for field in CONTACT_COMPARED)
