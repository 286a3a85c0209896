# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module side of customers and resellers (the API's ``Account`` model): find, create (surviving a race with
another run) and converge an account. Its options and rules are in ``_account_rules``.

Private to this collection.
"""

from __future__ import annotations

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError, IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._transform import subset_differs, to_camel
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._account_rules import (
    ACCOUNT_FIELDS, CONTACT_COMPARED, CREATE_ONLY, SCALAR_UPDATABLE, account_problems, contact_key, creation_gaps,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import accounts_with_external_id, id_key, path_id
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMResource


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
            wanted = sorted(contact_key(contact) for contact in desired["contactPersons"])
            if wanted != sorted(contact_key(contact) for contact in current.get("contactPersons") or []):
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
