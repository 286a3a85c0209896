"""Validation of Account-shaped bodies (customers and resellers): create, PATCH, and the list row."""

import re

from .common import bad_request, get_attributes, get_str, reject_unknown, require_object

ACCOUNT_STATUSES = ("pending", "active", "creditHold", "adminHold", "cancelled", "error")
SETTABLE_STATUSES = ("active", "creditHold")
CONTACT_TYPES = ("admin", "billing", "technical")
UPDATE_FIELDS = ("id", "externalId", "name", "taxRegId", "status", "address", "contactPersons")
CUSTOMER_ROW_FIELDS = ("id", "externalId", "name", "status", "resellerId")

COUNTRY_CODE = re.compile(r"[A-Z]{2}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{4,255}")


def _address(value):
    address = require_object(value, "address")
    result = {}
    for key in ("streetAddress", "addressExtension", "postalCode", "city", "state", "countryCode"):
        text = get_str(address, key, "address.", required=key in ("streetAddress", "postalCode", "city", "countryCode"))
        if text is not None:
            result[key] = text
    if not COUNTRY_CODE.fullmatch(result["countryCode"]):
        raise bad_request(f"address.countryCode must be two uppercase letters (ISO 3166-1 alpha-2), got {result['countryCode']!r}")
    return result


def _strong_password(password):
    classes = [any(char.islower() for char in password), any(char.isupper() for char in password),
               any(char.isdigit() for char in password), any(not char.isalnum() for char in password)]
    return len(password) >= 7 and all(classes)


def _contacts(value):
    if value is None or value == []:
        raise bad_request("contactPersons is required")
    if not isinstance(value, list):
        raise bad_request("contactPersons must be a list")
    contacts = []
    for index, item in enumerate(value):
        where = f"contactPersons[{index}]."
        item = require_object(item, f"contactPersons[{index}]")
        contact = {key: get_str(item, key, where, required=True) for key in ("type", "firstName", "lastName", "email", "phoneNumber")}
        if contact["type"] not in CONTACT_TYPES:
            raise bad_request(f"{where}type must be one of {', '.join(CONTACT_TYPES)}, got {contact['type']!r}")
        if not EMAIL.fullmatch(contact["email"]):
            raise bad_request(f"{where}email {contact['email']!r} is not a valid email address")
        # login and password are write-only: checked here, never stored or returned.
        login, password = get_str(item, "login", where), get_str(item, "password", where)
        if (login is not None or password is not None) and contact["type"] != "admin":
            raise bad_request(f"{where}login and password can only be set on the admin contact")
        if login is not None and not LOGIN.fullmatch(login):
            raise bad_request(f"{where}login must be at least 5 characters of letters, digits and _.@- and start with a letter or digit")
        if password is not None and not _strong_password(password):
            raise bad_request(f"{where}password does not meet the password policy (7+ characters with lower and upper case, a digit and a symbol)")
        contacts.append(contact)
    return contacts


def new_account(body, kind):
    """The stored fields of a new customer or reseller (without id); 400 naming the first bad field."""
    body = require_object(body)
    name = get_str(body, "name", required=True)
    if body.get("address") is None:
        raise bad_request("address is required")
    account = {"externalId": get_str(body, "externalId"), "attributes": get_attributes(body) or {}, "status": "active", "name": name,
               "address": _address(body["address"]), "contactPersons": _contacts(body.get("contactPersons")),
               "language": get_str(body, "language", required=True), "taxRegId": get_str(body, "taxRegId")}
    if kind == "reseller":
        account["currency"] = get_str(body, "currency", required=True)
        account["taxationProviderName"] = get_str(body, "taxationProviderName")
        account["customerClass"] = get_str(body, "customerClass")
    return {key: value for key, value in account.items() if value is not None}


def update_account(account, body, kind):
    """Apply a CustomerUpdate / ResellerUpdate body to a stored account; all fields are checked before any is applied."""
    body = require_object(body)
    reject_unknown(body, UPDATE_FIELDS, f"a {kind} with PATCH")
    if body.get("id") is not None and body["id"] != account["id"]:
        raise bad_request(f"id {body['id']!r} does not match the {kind} being updated ({account['id']})")
    changes = {}
    for key in ("externalId", "name", "taxRegId"):
        if key in body:
            changes[key] = get_str(body, key, required=key == "name")
    if body.get("status") is not None:
        status = get_str(body, "status")
        if status not in SETTABLE_STATUSES or (account["status"] not in SETTABLE_STATUSES and status != account["status"]):
            raise bad_request(f"status: only active and creditHold can be set (the {kind} is {account['status']}, requested {status!r})")
        changes["status"] = status
    if body.get("address") is not None:
        changes["address"] = _address(body["address"])
    if "contactPersons" in body:
        changes["contactPersons"] = _contacts(body["contactPersons"])
    for key, value in changes.items():
        if value is None:  # e.g. {"externalId": null} clears it
            account.pop(key, None)
        else:
            account[key] = value
    return account


def customer_row(customer):
    """List rows are thinner than the detail, as seen on the live API."""
    return {key: customer[key] for key in CUSTOMER_ROW_FIELDS if key in customer}
