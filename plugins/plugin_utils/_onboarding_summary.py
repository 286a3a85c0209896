# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding role's account of a run: one summary record per customer (the ``onboarding_summary`` fact), the
lines it prints, and the problems of its orders. Private to this collection (used by the ``onboarding_summary`` and
``onboarding_order_problems`` filters); the role only passes the results of its tasks in.

Pure functions over registered task results: ``accounts`` (the im_customer loop), ``planned`` (the im_order loop in
check mode), ``ordered`` (the real im_order loop) and ``catalog`` (the im_product_info loop over ``onboarding_mpn``),
each with one result per item of its loop. Money is added up with Decimal, never as float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import role_name
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._license_planner import add_amounts, money_text
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._seats import period_text

CENT = Decimal("0.01")
BUYING_ACTIONS = ("ordered", "would order")
CREATED_ACCOUNTS = ("created", "would create")
# How a summary line says what happened to the customer's account.
ACCOUNT_WORDS = {"would create": "would be created", "would update": "exists, would be updated", "created": "created",
                 "updated": "exists, updated", "unchanged": "exists, unchanged"}
# What a summary line says for an order that was not placed by this run.
ACTION_WORDS = {"order failed": "ordering failed (see the message below)", "nothing to order": "nothing to order",
                "no subscriptions": "no subscriptions requested"}
NOT_PRICED = "the API prices an order once its customer exists"
NOT_VALIDATED = ("activation parameters and order; the API checks them only for an existing customer: a real run does so right "
                 "after creating it, before ordering")


def customer_where(index, external_id):
    """``onboarding_customers line 2 (ACME-001)``: a customer named as the role's input checks name it (line from 1)."""
    return "%s line %d (%s)" % (role_name("onboarding", "customers"), index + 1, external_id)


def money_amount(amount):
    """An exact amount as text, in cents unless it is finer: ``72.00``, ``62.50``, ``0.125``."""
    return str(amount.quantize(CENT) if amount == amount.quantize(CENT) else amount)


def _decimal(value):
    """A price's amount as a Decimal; ``None`` when it is missing or not a number (the price is then unknown)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _quantity(value):
    # Order lines carry whole seats; the API may write them as 10.0.
    try:
        return int(float(value or 0))
    except (TypeError, ValueError):
        return 0


def _same_period(offered, wanted):
    """Whether a catalog entry's period is the one the subscription line asked for (any, when it asked for none)."""
    if not wanted:
        return True
    offered = offered or {}
    return offered.get("type") == wanted.get("type") and _quantity(offered.get("duration")) == _quantity(wanted.get("duration"))


def catalog_entry(entries, wanted):
    """The one catalog entry with a price that the subscription line ``wanted`` picks (by vendor and periods), else
    ``None``: with several, which one the order gets is the API's choice, so no catalog price is claimed."""
    def fits(entry):
        return all((not wanted.get("vendor") or entry.get("vendor") == wanted["vendor"],
                    _same_period(entry.get("subscription_period"), wanted.get("subscription_period")),
                    _same_period(entry.get("billing_period"), wanted.get("billing_period"))))

    matching = [entry for entry in entries if fits(entry)]
    if len(matching) == 1 and matching[0].get("prices"):
        return matching[0]
    return None


def account_state(existed, changed, check_mode):
    """``created``, ``updated`` or ``unchanged`` (``would create``/``would update`` in check mode)."""
    if not existed:
        return "would create" if check_mode else "created"
    if changed:
        return "would update" if check_mode else "updated"
    return "unchanged"


def order_action(result, check_mode):
    """What became of the customer's subscriptions, from its im_order result."""
    if result.get("skipped"):
        return "no subscriptions"
    if result.get("failed"):
        return "order failed"
    if result.get("order") and result.get("changed"):
        return "would order" if check_mode else "ordered"
    if result.get("order"):
        return "order exists"
    return "nothing to order"


def _catalog_by_mpn(catalog):
    return dict((found["onboarding_mpn"], found.get("products") or []) for found in catalog if "onboarding_mpn" in found)


def _estimate_price(estimate, periods):
    """The estimate's total as a price, ``per`` the billing period its lines share (none when they have several);
    ``None`` without a readable total."""
    total = (estimate or {}).get("total") or {}
    amount = _decimal(total.get("amount"))
    if amount is None:
        return None
    return {"amount": money_amount(amount), "currency": total.get("currency"), "source": "estimate",
            "per": periods[0] if len(periods) == 1 else None}


def ordered_products(order, estimate, wanted_lines, catalog):
    """``(products, prices)`` of an order: each line with its name and catalog price, and the order's prices - the
    estimate's total, or else catalog totals per currency and billing period when every line has a catalog price."""
    names = {}
    for line in ((estimate or {}).get("products") or []) + ((order or {}).get("products") or []):
        if line.get("name"):
            names[line.get("mpn")] = line["name"]
    products, catalog_prices, periods = [], [], []
    for line in (order or {}).get("products") or []:
        mpn, quantity = line.get("mpn"), _quantity(line.get("quantity"))
        wanted = next((item for item in wanted_lines if item.get("mpn") == mpn), {})
        # The estimate says what a line is billed per; the catalog entry that prices a line says it instead.
        period = next((item.get("billing_period") for item in (estimate or {}).get("products") or [] if item.get("mpn") == mpn), None)
        entry = catalog_entry(catalog.get(mpn) or [], wanted)
        unit_price = entry["prices"][0] if entry else {}
        unit_amount = _decimal(unit_price.get("amount"))
        list_price = None
        if unit_amount is not None:
            period = entry.get("billing_period")
            list_price = {"amount": money_amount(unit_amount * quantity), "currency": unit_price.get("currency"), "per": period_text(period)}
            names[mpn] = entry.get("name") or names.get(mpn)
        catalog_prices.append(list_price)
        per = period_text(period)
        if per and per not in periods:
            periods.append(per)
        products.append({"mpn": mpn, "quantity": quantity, "name": names.get(mpn), "catalog_price": list_price})
    estimated_total = _estimate_price(estimate, periods)
    if estimated_total is not None:
        return products, [estimated_total]
    if products and None not in catalog_prices:
        return products, [dict(total, source="catalog") for total in add_amounts(catalog_prices)]
    return products, []


def summary(customers, existing_ids, accounts, planned, ordered, catalog, check_mode):
    """One record per customer of ``customers``, in input order (see the role's README for the keys).

    In check mode the plan is the order, and the catalog prices what customers that do not exist yet would buy.
    """
    orders = planned if check_mode else ordered
    catalog = _catalog_by_mpn(catalog)
    records = []
    for index, wanted in enumerate(customers):
        account_result, order_result = accounts[index], orders[index]
        customer = account_result.get("customer") or {}
        order = order_result.get("order")
        products, prices = ordered_products(order, order_result.get("estimate"), wanted.get("subscriptions") or [], catalog)
        records.append({
            "external_id": wanted.get("external_id"),
            "name": customer.get("name", wanted.get("name")),
            "customer_id": customer.get("id"),
            "account": account_state(wanted.get("external_id") in existing_ids, account_result.get("changed"), check_mode),
            "action": order_action(order_result, check_mode),
            "products": products,
            "skipped": order_result.get("skipped_products") or [],
            "prices": prices,
            "not_validated": order_result.get("not_validated") or [],
            "order": {key: order.get(key) for key in ("id", "order_number", "status", "po_number")} if order and order.get("id") else None,
        })
    return records


def _product_text(product):
    if product.get("name"):
        return "%d x %s [%s]" % (product["quantity"], product["name"], product["mpn"])
    return "%d x %s" % (product["quantity"], product["mpn"])


def _skipped_text(item):
    reason = item.get("reason")
    if reason == "held":
        return "%s (held as subscription %s)" % (item.get("mpn"), item.get("subscription_id"))
    if reason == "ordered":
        return "%s (on order %s, %s)" % (item.get("mpn"), item.get("order_number"), item.get("order_status"))
    if reason == "po_number":
        return "%s (on order %s with the same po_number, %s)" % (item.get("mpn"), item.get("order_number"), item.get("order_status"))
    return "%s (%s)" % (item.get("mpn"), reason)


def _prices_text(prices):
    if prices and prices[0]["source"] == "estimate":
        return "estimated %s%s" % (money_text(prices[0]), "" if prices[0].get("per") else " (first billing periods of several lengths)")
    if prices:
        return "%s at catalog prices (%s)" % (" + ".join(money_text(price) for price in prices), NOT_PRICED)
    return "no price (%s)" % NOT_PRICED


def customer_line(record):
    """The summary line of one customer: its account, what was (or would be) bought and for how much, what was skipped,
    what the API could not validate yet, and the order."""
    account = ACCOUNT_WORDS[record["account"]] + (", id %s" % record["customer_id"] if record.get("customer_id") else "")
    parts = ["%s %s(%s)" % (record["external_id"], "%s " % record["name"] if record.get("name") else "", account)]
    action = record["action"]
    if action in BUYING_ACTIONS:
        parts.append(("would buy " if action == "would order" else "bought ") + ", ".join(_product_text(item) for item in record["products"]))
    elif action == "order exists":
        parts.append("already ordered with po_number %s on %s" % ((record["order"] or {}).get("po_number"), ", ".join(_po_orders(record))))
    else:
        parts.append(ACTION_WORDS[action])
    # Products on orders of the same po_number are named with those orders when nothing else was to be ordered.
    skipped = [item for item in record["skipped"] if action != "order exists" or item.get("reason") != "po_number"]
    if skipped:
        parts.append("skipped " + ", ".join(_skipped_text(item) for item in skipped))
    if action in BUYING_ACTIONS:
        parts.append(_prices_text(record["prices"]))
    if record["not_validated"]:
        parts.append("NOT VALIDATED YET: %s (%s)" % (", ".join(record["not_validated"]), NOT_VALIDATED))
    if record["order"] and action != "order exists":
        parts.append("order %s %s" % (record["order"]["order_number"], record["order"]["status"]))
    return "; ".join(parts)


def _po_orders(record):
    """``order SO000021 completed`` for every order holding products of the customer's po_number, first one first: the
    products of one po_number can be on several orders (a product added to the declaration later)."""
    found = []
    for item in record["skipped"]:
        if item.get("reason") == "po_number" and item.get("order_number"):
            text = "order %s %s" % (item["order_number"], item.get("order_status"))
            if text not in found:
                found.append(text)
    if not found and record["order"]:
        found.append("order %s %s" % (record["order"]["order_number"], record["order"]["status"]))
    return found


def total_line(records, check_mode):
    """The last summary line: customers created, products ordered and their prices added up per currency and billing
    period, products skipped, and lines not validated yet."""
    verb = "would be" if check_mode else "were"
    buying = [record for record in records if record["action"] in BUYING_ACTIONS]
    totals = add_amounts(price for record in buying for price in record["prices"])
    unvalidated = sum(len(record["not_validated"]) for record in records)
    return "Total %d customer(s), %d %s created; %d product(s) %s ordered%s, %d skipped%s%s" % (
        len(records), len([record for record in records if record["account"] in CREATED_ACCOUNTS]), verb,
        sum(len(record["products"]) for record in buying), verb,
        " for " + " + ".join(money_text(total) for total in totals) if totals else "",
        sum(len(record["skipped"]) for record in records),
        ", %d not validated yet" % unvalidated if unvalidated else "",
        " (check mode: nothing was created or ordered)" if check_mode else "")


def summary_lines(records, check_mode):
    """The lines the role shows: one per customer, then the total."""
    return [customer_line(record) for record in records] + [total_line(records, check_mode)]


def order_problems(results, customers, existing_ids=(), accounts=None):
    """One message per failed order of an im_order loop over the customers' positions (``onboarding_index``).

    im_order words its own messages for the role (``messages_for: onboarding``: ``subscriptions line 2``, not
    ``products line 2``); each is prefixed with the customer's line. ``accounts`` (the im_customer results) is given
    once the run has written: a message then says what exists now and how to continue, for which ``existing_ids`` (the
    customers that existed before the run) tells a customer this run created from one it updated.
    """
    problems = []
    for result in results:
        if not result.get("failed"):
            continue
        index = result["onboarding_index"]
        external_id = customers[index].get("external_id")
        where = customer_where(index, external_id)
        reason = result.get("msg") or "the order failed"
        if (result.get("order") or {}).get("id") or accounts is None:
            problems.append("%s: %s" % (where, reason))
        elif external_id not in existing_ids:
            account = accounts[index].get("customer") or {}
            problems.append("%s: the customer was created by this run (id %s), but nothing was ordered for it: %s. Fix its subscriptions "
                            "and run the playbook again: the customer exists now, and the run continues from there"
                            % (where, account.get("id") or "unknown", reason))
        else:
            problems.append("%s: nothing was ordered: %s" % (where, reason))
    return problems


def order_problems_message(problems, written):
    """All problems in one message, as the role fails with it; before any write it says that nothing was changed."""
    if not problems:
        return ""
    return "; ".join(problems) + ("" if written else "; no customer was created or changed")
