# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What customers and resellers share (the API's ``Account`` model): options, validation, comparison.

Private to this collection.
"""

from __future__ import annotations

import re

from ansible_collections.ingrammicro.marketplace.plugins.module_utils._declarations import shown, problem
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._errors import IMApiError, IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._lookup import accounts_with_external_id, id_key, path_id
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._resource import IMResource
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._transform import subset_differs, to_camel

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


def _contact_key(contact):
    return tuple(str(contact.get(field) or "") for field in CONTACT_COMPARED)


class AccountResource(IMResource):
    """Resource base for customers and resellers. Subclasses set ``kind``, ``find``, ``create`` and ``update``."""

    kind = "account"
    list_path = None  # where the accounts are listed and read: /customers or /resellers
    hidden_fields = ("contact_persons.password",)
    fields = ACCOUNT_FIELDS
    required_on_create = ("name", "language", "address", "contact_persons")

    def describe(self):
        if self.params["external_id"] and not self.params["id"]:
            return "%s external_id %s" % (self.kind, self.params["external_id"])
        return "%s id %s" % (self.kind, self.params["id"])

    def validate(self):
        problems = account_problems({field: self.params[field] for field in self.fields}, "")
        if problems:
            raise IMConfigError("; ".join(found["message"] for found in problems), problems=problems)

    def desired(self):
        return to_camel({field: self.params[field] for field in self.fields})

    def validate_create(self, desired):
        missing = creation_gaps(self.params, self.required_on_create)
        if missing:
            raise IMConfigError("%s does not exist yet; creating it needs %s" % (self.describe(), ", ".join(missing)))

    def changes(self, current, desired):
        patch = {key: desired[key] for key in SCALAR_UPDATABLE if key in desired and current.get(key) != desired[key]}
        if "address" in desired and subset_differs(current.get("address") or {}, desired["address"]):
            patch["address"] = dict(current.get("address") or {}, **desired["address"])
        if "contactPersons" in desired:
            wanted = sorted(_contact_key(contact) for contact in desired["contactPersons"])
            if wanted != sorted(_contact_key(contact) for contact in current.get("contactPersons") or []):
                # login/password are write-only and apply on creation only: never resent.
                patch["contactPersons"] = [{key: contact[key] for key in CONTACT_COMPARED if key in contact}
                                           for contact in desired["contactPersons"]]
        for key in CREATE_ONLY:
            if key in desired and subset_differs(current.get(key), desired[key]):
                self.warn("%s: %s differs from the requested value, but the API cannot change it after creation; "
                          "left as it is" % (self.describe(), key))
        return patch

    def create_at(self, path, desired):
        """POST the new account to ``path``; a requested status is set afterwards (it is not part of a creation).

        Runs on other machines share no lock, and the API has no conditional create: two runs can both find no account
        with the external id and both create one. So the accounts with the external id are read again after the
        creation: the one created first stands, and the run that created a later one renames its external id (the API
        cannot delete accounts) and fails, naming both, so that the extra record is never a silent success. A platform
        that refuses a second account with the same external id leads to one account: the other run's is used.
        """
        external_id = desired.get("externalId")
        try:
            created = self.client.post(path, {key: value for key, value in desired.items() if key != "status"})
        except IMApiError as exc:
            first = self.first_with(external_id) if external_id and exc.status in (400, 409) else None
            if first is None:
                raise
            self.warn("the API refused to create %s (%s): another run created it (id %s) while this one worked; this "
                      "run went on with it" % (self.describe(), exc.api_message or exc, first["id"]))
            return self.converge(first, desired)
        first = self.first_with(external_id) if external_id else None
        if first is not None and first.get("id") != created.get("id") and id_key(first["id"]) < id_key(created["id"]):
            self.retire(created, first)
        if desired.get("status") and created.get("status") != desired["status"]:
            created = self.update(created, {"status": desired["status"]})
        return created

    def first_with(self, external_id):
        """The first created (lowest id) of the accounts whose external id is exactly ``external_id``, or ``None``."""
        rows = [row for row in self.client.paginate(self.list_path, {"externalId": external_id}) if row.get("externalId") == external_id]
        return min(rows, key=lambda row: id_key(row.get("id"))) if rows else None

    def retire(self, created, first):
        """Rename the external id of ``created``, which another run's ``first`` preceded, so that one account has it, and
        fail: the extra record stays (the API cannot delete accounts) and the user must remove it."""
        retired = "%s~duplicate-%s" % (created.get("externalId"), created.get("id"))
        raced = "another run created %s (id %s) at the same moment as this run, which created id %s" % (
            self.describe(), first["id"], created.get("id"))
        self.failure_context["changed"] = True
        try:
            self.update(created, {"externalId": retired})
        except IMApiError as exc:
            raise IMError("%s; this run could not rename the external id of its own (%s), so two %ss have it now. Remove id %s "
                          "in the reseller control panel, then run again" % (raced, exc, self.kind, created.get("id")),
                          code="created_twice") from None
        raise IMError("%s. This run renamed the external id of id %s to %s, so that one %s (id %s) has the external id, and "
                      "changed nothing else. The API cannot delete it: remove id %s in the reseller control panel. A rerun is "
                      "safe: it finds id %s" % (raced, created.get("id"), retired, self.kind, first["id"], created.get("id"),
                                                first["id"]), code="created_twice")

    def converge(self, account, desired):
        """``account`` (found, not created by this run) with the declared fields: full record, updated where it differs."""
        current = self.client.get("%s/%s" % (self.list_path, path_id(account["id"])))
        patch = self.changes(current, desired)
        return self.update(current, patch) if patch else current

    def simulate_create(self, desired):
        simulated = super().simulate_create(desired)
        simulated.setdefault("status", "active")
        return simulated

    def execute(self):
        return self.ensure_present()

    def find_by_external_id(self, path, external_id):
        """The list row whose externalId is exactly ``external_id``, or ``None``; more than one is an error."""
        rows = accounts_with_external_id(self.client, path, external_id)
        if len(rows) > 1:
            raise IMError("external_id %s matches %d %ss (ids %s); give id to pick one" % (
                external_id, len(rows), self.kind, ", ".join(str(row.get("id")) for row in rows)))
        return rows[0] if rows else None
