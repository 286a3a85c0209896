# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookups several modules share: customers by reference, products by MPN, a customer's subscription of a product,
and lists filtered by several statuses. Private to this collection.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMError

# Subscriptions in these states hold no seats and cannot be changed.
ENDED_SUBSCRIPTION_STATUSES = ("terminated", "removed")
# How often, and how far apart, several accounts with one external id are read again (see accounts_with_external_id).
DUPLICATE_RECHECKS = 3
DUPLICATE_RECHECK_DELAY = 1.0


def path_id(value):
    """An id made safe for a URL path segment."""
    return quote(str(value), safe="")


def id_key(value):
    """A sort key for API ids: numerically when they are numbers (``"999" < "1000"``), else as text after them."""
    text = str(value)
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def accounts_with_external_id(client, path, external_id, sleep=time.sleep):
    """The list rows of ``path`` (``/customers``, ``/resellers``) whose external id is exactly ``external_id``.

    A run that lost a creation race renames its account right after creating it (see _accounts), so several matches are
    read again a few times before they are returned as a real duplicate.
    """
    for attempt in range(DUPLICATE_RECHECKS + 1):
        rows = [row for row in client.paginate(path, {"externalId": external_id}) if row.get("externalId") == external_id]
        if len(rows) <= 1 or attempt == DUPLICATE_RECHECKS:
            return rows
        sleep(DUPLICATE_RECHECK_DELAY)
    return rows  # pragma: no cover - the loop always returns


def find_customer(client, reference):
    """The customer whose external id (exact) or Marketplace id is ``reference``, or ``None``.

    External ids are tried first: they are what users declare. The result is a list row when found by external id
    (id, externalId, name, status, resellerId) and the full record when found by id.
    """
    rows = accounts_with_external_id(client, "/customers", reference)
    if len(rows) > 1:
        raise IMError("customer external_id %s matches %d customers (ids %s); give the Marketplace id instead"
                      % (reference, len(rows), ", ".join(str(row.get("id")) for row in rows)))
    if rows:
        return rows[0]
    return client.get_or_none("/customers/%s" % path_id(reference))


def customer_words(client, customer_id):
    """A customer as users know it, for a message: ``customer ACME-001 (Acme Corporation)``, by its external id and
    name when it has them, else ``customer 1000001``."""
    record = client.get_or_none("/customers/%s" % path_id(customer_id)) or {}
    return "customer %s%s" % (record.get("externalId") or customer_id, " (%s)" % record["name"] if record.get("name") else "")


def require_customer(client, reference, option="customer"):
    customer = find_customer(client, reference)
    if customer is None:
        raise IMError("%s %s not found: no customer has this external id or id" % (option, reference))
    return customer


def find_products(client, mpn, vendor=None):
    """Catalog entries with exactly this MPN (and vendor, when given). One MPN can exist for several terms."""
    products = [product for product in client.paginate("/products", {"mpn": mpn, "vendor": vendor}) if product.get("mpn") == mpn]
    return [product for product in products if vendor is None or product.get("vendor") == vendor]


def normal_period(period):
    """A period as comparable data (the API may write the duration as text), ``None`` when there is none."""
    if not isinstance(period, dict):
        return None
    return {"type": period.get("type"), "duration": int(period.get("duration") or 0)}


def same_term(subscription, product):
    """Whether a subscription is of this catalog entry's term (one MPN can be sold with several terms); unknown terms
    match."""
    held, offered = normal_period(subscription.get("subscriptionPeriod")), normal_period(product.get("subscriptionPeriod"))
    return held is None or offered is None or held == offered


def catalog_entry(products, subscription):
    """The catalog entry of ``subscription``'s product among ``products`` (the catalog rows of its MPN): the one of the
    same term, else the first; ``None`` when there is none."""
    return next((product for product in products if same_term(subscription, product)), products[0] if products else None)


def list_by_statuses(client, path, query, statuses):
    """A paginated list filtered by any of ``statuses``: the API takes one status per request, so one listing each."""
    if not statuses:
        return client.paginate(path, query)
    rows = {}
    for status in statuses:
        # An object can move from one status to the next between two listings: keep it once.
        for row in client.paginate(path, dict(query, status=status)):
            rows.setdefault(row.get("id"), row)
    return list(rows.values())


def subscription_mpns(subscription):
    return {line.get("mpn") for line in subscription.get("products") or []}


def find_subscriptions(client, customer_id, mpn, product_names=(), concurrency=8, include_ended=False, rows=None):
    """Full records of the customer's subscriptions of ``mpn`` (newest first).

    List rows carry no MPN, so details are needed: rows whose name is one of ``product_names`` (the catalog names of
    the MPN) are read first, and the remaining rows only when none of those match, so a renamed product is still
    found. Ended (terminated or removed) subscriptions are skipped unless ``include_ended``. Pass ``rows`` (the
    customer's subscription list) when looking for several MPNs, to list them once.
    """
    if rows is None:
        rows = client.paginate("/subscriptions", {"customerId": customer_id})
    if not include_ended:
        rows = [row for row in rows if row.get("status") not in ENDED_SUBSCRIPTION_STATUSES]
    names = set(product_names)
    likely = [row for row in rows if row.get("name") in names]
    for group in (likely, [row for row in rows if row not in likely]):
        details = client.map_concurrent(lambda row: client.get("/subscriptions/%s" % path_id(row["id"])), group, concurrency)
        found = [detail for detail in details if mpn in subscription_mpns(detail)]
        if found:
            return found
    return []


def locate_subscription(client, subscription_id=None, customer=None, mpn=None):
    """``(subscription or None, mpn)`` named by its id (checked against ``customer`` when given), or by the customer and
    MPN; ``None`` when the customer holds no live subscription of the product. Several live ones need the id."""
    if subscription_id:
        subscription = client.get_or_none("/subscriptions/%s" % path_id(subscription_id))
        if subscription is None:
            raise IMError("subscription id %s not found" % subscription_id)
        if customer:
            owner = require_customer(client, customer)
            if owner["id"] != subscription.get("customerId"):
                raise IMError("subscription %s belongs to %s, not to customer %s"
                              % (subscription_id, customer_words(client, subscription.get("customerId")), customer))
        return subscription, mpn or _first_mpn(subscription)
    owner = require_customer(client, customer)
    names = {product.get("name") for product in find_products(client, mpn)}
    found = find_subscriptions(client, owner["id"], mpn, names)
    if len(found) > 1:
        raise IMError("customer %s holds %d active subscriptions of %s (ids %s); give id to pick one"
                      % (customer, len(found), mpn, ", ".join(sub["id"] for sub in found)))
    return (found[0] if found else None), mpn


def _first_mpn(subscription):
    products = subscription.get("products") or [{}]
    return products[0].get("mpn")
