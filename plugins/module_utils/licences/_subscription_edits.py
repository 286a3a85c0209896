# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``im_subscription`` changes in place (renewal, attributes, prices) and how a planned change would look.
Private to this collection.

Seat counts are not among them: they change through orders only (see _seats).
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._seats import product_line
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import path_id

# (option under prices, field of the subscription's product line)
PRICE_FIELDS = (("unit_price", "unitPrice"), ("unit_cost", "unitCost"), ("unit_provider_cost", "unitProviderCost"))


def is_amount(value):
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return False
    return amount.is_finite() and amount >= 0


def check_prices(prices):
    """Refuse, before any request, a price that is not a decimal amount of 0 or more."""
    for option, _key in PRICE_FIELDS:
        amount = (prices or {}).get(option)
        if amount is not None and not is_amount(amount):
            raise IMConfigError("prices.%s must be a decimal amount such as \"12.50\", got %r" % (option, amount))


def in_place_changes(params, subscription, mpn):
    """``(patch, special_pricing_body)`` for auto-renewal, attributes and prices; empty when nothing differs."""
    patch = {}
    if params["auto_renew"] is not None and subscription.get("renewalStatus") != params["auto_renew"]:
        patch["renewalStatus"] = params["auto_renew"]
    if params["attributes"] is not None:
        current = subscription.get("attributes") or {}
        wanted = {str(key): str(value) for key, value in params["attributes"].items()}
        if not params["purge_attributes"]:
            wanted = dict(current, **wanted)
        if wanted != current:
            patch["attributes"] = wanted
    prices = price_changes(params["prices"] or {}, subscription, mpn)
    if prices and params["special_pricing"]:
        return patch, {"products": [prices]}
    if prices:
        patch["products"] = [prices]
    return patch, None


def price_changes(wanted, subscription, mpn):
    """The product-line price fields that differ from ``wanted`` (the ``prices`` option), with the MPN; ``{}`` if none."""
    line = product_line(subscription, mpn)
    change = {}
    for option, key in PRICE_FIELDS:
        if wanted.get(option) is None:
            continue
        current = line.get(key) or {}
        currency = wanted.get("currency") or current.get("currency")
        if not currency:
            raise IMConfigError("prices.currency is needed: subscription %s has no %s to take it from" % (subscription["id"], option))
        same = is_amount(current.get("amount")) and Decimal(str(current["amount"])) == Decimal(wanted[option])
        if not (same and current.get("currency") == currency):
            change[key] = {"amount": wanted[option], "currency": currency}
    if change:
        change["mpn"] = mpn
    return change


def apply(client, subscription, patch, special, warn):
    """Send the in-place changes; the subscription as the API returns it. Attributes the API did not keep as sent are
    a warning: the platform may hold some back."""
    after = subscription
    if patch:
        after = client.patch("/subscriptions/%s" % path_id(subscription["id"]), patch)
        if "attributes" in patch and (after.get("attributes") or {}) != patch["attributes"]:
            kept = after.get("attributes")
            warn("subscription %s: the API kept the attributes %s where %s was sent" % (subscription["id"], kept, patch["attributes"]))
    if special:
        after = client.post("/subscriptions/%s/specialPricing" % path_id(subscription["id"]), special)
    return after


def simulate(subscription, mpn, desired, patch, special):
    """The subscription as it would be after the planned changes (check mode)."""
    after = copy.deepcopy(subscription)
    for key in ("renewalStatus", "attributes"):
        if key in patch:
            after[key] = patch[key]
    for line in after.get("products") or []:
        if line.get("mpn") == mpn:
            line["quantity"] = desired
            for change in (patch.get("products") or []) + ((special or {}).get("products") or []):
                line.update({key: value for key, value in change.items() if key != "mpn"})
    return after
