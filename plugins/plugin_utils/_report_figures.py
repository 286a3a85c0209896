# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The license_report role's figures: its rows, the CSV and table rows, and the HTML report's summary and page.

Private to this collection (used by the ``license_report_figures`` filter). Every figure and decision is made here, so
the role's template only lays out what it is given. Money is added up with ``Decimal`` from the API's amount strings
and shown rounded to the cent (half up), only once it is summed, so that no float error reaches a total.
"""

from __future__ import annotations

import datetime
import json
import os
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._layout import cell_text
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._quantity_reading import MONTHS
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._seats import period_text

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
# The renewal windows of the HTML report: (name, first day, last day), counted from today.
RENEWAL_WINDOWS = (("30", 0, 30), ("60", 31, 60), ("90", 61, 90))
# The CSV is also a licence declaration for the license_adjustment role: desired_quantity and the usage columns
# (used to maximum) are left empty for a person to fill in.
CSV_HEADER = ("customer_external_id", "customer_id", "customer_name", "subscription_id", "status", "mpn", "product", "vendor",
              "seats", "desired_quantity", "unit_price", "unit_cost", "price_per_billing_period", "currency", "billing_period",
              "subscription_period", "creation_date", "renewal_date", "expiration_date", "auto_renew", "used", "buffer", "round_to",
              "minimum", "maximum")
TABLE_HEADER = ("customer", "product", "mpn", "seats", "price per period", "renews", "auto", "status")
NO_AUDIT_NOTE = ("The records of the licence adjustment runs were not given (license_report_adjustment_dir), so the decreases still "
                 "to be made are not known.")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
               "December")


def _whole(value):
    """A count given as a number or as text (``"5"``, ``5.0``); 0 when it is neither."""
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return 0


def _amount(price):
    """The amount of a ``{"amount", "currency"}`` price as a Decimal, or ``None`` when it has none that is a number."""
    try:
        amount = Decimal(str((price or {}).get("amount")))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _no_case(text):
    """A sort key that ignores case, as the role's reports have always sorted."""
    return str(text or "").lower()


def amount_text(amount):
    """``2,653.32``: an amount as people read it, with thousands separators and its decimals (and its sign) as given;
    what is not a number is shown as it is."""
    text = str(amount).strip()
    sign = text[:1] if text[:1] in "+-" else ""
    try:
        number = Decimal(text[len(sign):])
    except InvalidOperation:
        return text
    return sign + "{:,}".format(number) if number.is_finite() else text


def moment_text(stamp):
    """``7 December 2026, 18:55 UTC`` from an ISO date-time in UTC such as ``2026-12-07T18:55:00Z``; anything else is
    shown as it is."""
    try:
        moment = datetime.datetime.strptime(str(stamp)[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        return str(stamp or "")
    return "%s, %s UTC" % (day_text(moment.date()), moment.strftime("%H:%M"))


def day_text(day):
    """``7 December 2026`` from a date, or from ``YYYY-MM-DD`` text; anything else is shown as it is."""
    if not isinstance(day, datetime.date):
        try:
            day = datetime.datetime.strptime(str(day)[:10], "%Y-%m-%d").date()
        except ValueError:
            return str(day or "")
    return "%d %s %d" % (day.day, MONTH_NAMES[day.month - 1], day.year)


def report_rows(listings, customers):
    """One row per product line of every subscription in ``listings`` (the results of the role's
    im_subscription_info loop) that belongs to one of ``customers``, sorted by customer, product name and subscription."""
    by_id = {customer.get("id"): customer for customer in customers}
    keyed = []
    for listing in listings:
        for subscription in listing.get("subscriptions") or []:
            customer = by_id.get(subscription.get("customer_id"))
            if customer is None:
                continue
            for line in subscription.get("products") or []:
                key = tuple(_no_case(part) for part in (customer.get("external_id"), subscription.get("customer_id"),
                                                        line.get("name"), subscription.get("id")))
                keyed.append((key, {
                    "customer_external_id": customer.get("external_id"),
                    "customer_id": subscription.get("customer_id"),
                    "customer_name": customer.get("name"),
                    "subscription_id": subscription.get("id"),
                    "status": subscription.get("status"),
                    "mpn": line.get("mpn"),
                    "product_id": line.get("id"),
                    # The subscription's name stands in only for a line that carries no name at all.
                    "product": line["name"] if "name" in line else subscription.get("name"),
                    "vendor": line.get("vendor"),
                    "seats": None if line.get("quantity") is None else _whole(line["quantity"]),
                    "unit_price": line.get("unit_price"),
                    "unit_cost": line.get("unit_cost"),
                    "price_per_billing_period": line.get("extended_price"),
                    "billing_period": subscription.get("billing_period"),
                    "subscription_period": subscription.get("subscription_period"),
                    "creation_date": subscription.get("creation_date"),
                    "renewal_date": subscription.get("renewal_date"),
                    "expiration_date": subscription.get("expiration_date"),
                    "auto_renew": subscription.get("renewal_status"),
                }))
    return [row for _key, row in sorted(keyed, key=lambda pair: pair[0])]


def period_count(period):
    """``1 month``, ``12 month``, ``1 year``: a period as the CSV (a licence declaration) spells it; empty if none."""
    if not period:
        return ""
    return "%d %s" % (_whole(period.get("duration")), period.get("type") or "")


def csv_rows(rows):
    """The CSV's ``header`` and ``rows`` (for the csv_text filter): one row per report row, its prices' amounts in
    their own columns, the currency once, and the declaration's columns empty."""
    table = []
    for row in rows:
        unit_price, unit_cost, per_period = (row.get(key) or {} for key in ("unit_price", "unit_cost", "price_per_billing_period"))
        table.append([row.get("customer_external_id"), row.get("customer_id"), row.get("customer_name"), row.get("subscription_id"),
                      row.get("status"), row.get("mpn"), row.get("product"), row.get("vendor"), row.get("seats"), None,
                      unit_price.get("amount"), unit_cost.get("amount"), per_period.get("amount"),
                      (unit_price or per_period).get("currency"), period_count(row.get("billing_period")),
                      period_count(row.get("subscription_period")), row.get("creation_date"), row.get("renewal_date"),
                      row.get("expiration_date"), row.get("auto_renew"), None, None, None, None, None])
    return {"header": list(CSV_HEADER), "rows": table}


def price_per_period(price, billing_period):
    """``1,199.40 USD / year``: what a subscription product costs per billing period; empty without a price or period."""
    if not price or not billing_period:
        return ""
    # A unit period_text does not know (statement_day) is shown as the API names it.
    return "%s %s / %s" % (amount_text(price.get("amount")), price.get("currency"), period_text(billing_period) or billing_period.get("type"))


def table(rows, files, html):
    """The table shown at the end of a run: ``header`` and ``rows`` (for the text_table filter), and the ``total`` line,
    which names the files written (``files`` is their path without the extension)."""
    shown = [[row.get("customer_external_id") or row.get("customer_id"), row.get("product") or "", row.get("mpn") or "",
              row.get("seats"), price_per_period(row.get("price_per_billing_period"), row.get("billing_period")),
              row.get("renewal_date") or "", "yes" if row.get("auto_renew") else "no", row.get("status") or ""] for row in rows]
    total = "Total %d subscription(s) of %d customer(s), %d seats; files %s.json and .csv%s" % (
        len({row.get("subscription_id") for row in rows}), len({row.get("customer_id") for row in rows}),
        sum(row.get("seats") or 0 for row in rows), files, " and .html" if html else "")
    return {"header": list(TABLE_HEADER), "rows": shown, "total": total}


def period_months(period):
    """How many months a billing period lasts (``{"type": "year", "duration": 1}``: 12); 0 for a period not counted in
    months or years, or none."""
    if not period:
        return 0
    return _whole(period.get("duration", 1)) * MONTHS.get(period.get("type"), 0)


def recurring_price(catalog_product):
    """A catalog product's first recurring price (per seat and billing period), or ``None``."""
    prices = (catalog_product or {}).get("prices") or []
    return next((price for price in prices if price.get("type") == "recurring"), None)


def monthly_spend(price, seats, billing_period):
    """``(currency, amount)``: what ``seats`` seats cost per month at ``price`` per billing period (a price per year
    counts one twelfth), exact; ``None`` without a price with an amount and a currency, or without a period in months."""
    amount, months = _amount(price), period_months(billing_period)
    if amount is None or not price.get("currency") or not months:
        return None
    return price["currency"], amount * seats / months


def days_until(date_text, today):
    """Days from ``today`` to a ``YYYY-MM-DD`` date (negative when it is past), or ``None`` when it is no such date."""
    try:
        return (datetime.datetime.strptime(str(date_text), "%Y-%m-%d").date() - today).days
    except ValueError:
        return None


def renewal_window(days):
    """The name of the renewal window (``30``, ``60``, ``90``) that holds a renewal ``days`` away, or ``None``."""
    if days is None:
        return None
    return next((name for name, first, last in RENEWAL_WINDOWS if first <= days <= last), None)


def cents(amounts):
    """Exact amounts per currency as strings rounded to the cent, such as ``{"USD": "452.45"}``."""
    return {currency: str(amount.quantize(CENT, rounding=ROUND_HALF_UP)) for currency, amount in amounts.items()}


def read_audits(found):
    """``[(file name, content)]`` of the licence-adjustment audit files ``found`` (ansible.builtin.find's ``files``)."""
    audits = []
    for entry in found or []:
        path = entry["path"]
        try:
            with open(path, encoding="utf-8") as handle:
                audits.append((os.path.basename(path), json.load(handle)))
        except (OSError, ValueError) as exc:
            raise IMConfigError("license_report_adjustment_dir: the audit file %s cannot be read as JSON (%s)" % (path, exc)) from None
    return audits


def pending_decreases(audits, rows):
    """The decreases still to be made: a subscription whose newest decision, over every audit file, is a decrease
    (deferred to its renewal, or planned and not yet made), and which still holds more seats than that decision
    desired (``rows``: the report's live rows). Any later run - a check-mode plan, a refused run, one about other
    subscriptions - leaves it listed until a run decides otherwise or the seats have come down.

    A blocked line is no decision (nothing could be planned for it), nor is a line of a run that never planned."""
    newest = {}
    # Oldest first, by the generated_at each holds, then by name (which holds the UTC time too).
    for name, audit in sorted(audits, key=lambda pair: (str(pair[1].get("generated_at") or "") if isinstance(pair[1], dict) else "", pair[0])):
        for line in (audit.get("plan") if isinstance(audit, dict) else None) or []:
            if isinstance(line, dict) and line.get("subscription_id") and line.get("action") not in (None, "blocked"):
                newest[str(line["subscription_id"])] = (name, line)
    live = {str(row.get("subscription_id")): row for row in rows}
    pending = []
    for subscription_id, (name, line) in newest.items():
        row = live.get(subscription_id)
        seats = (row or {}).get("seats")
        if line.get("action") not in ("deferred", "decrease") or seats is None or line.get("desired") is None or seats <= line["desired"]:
            continue
        pending.append({"customer": row.get("customer_external_id") or row.get("customer_id"), "product": row.get("product"),
                        "mpn": row.get("mpn"), "subscription_id": subscription_id, "current": seats, "desired": line["desired"],
                        "deferred_until": line.get("deferred_until") if line.get("action") == "deferred" else None, "source": name})
    return sorted(pending, key=lambda item: (_no_case(item["customer"]), _no_case(item["mpn"]), item["subscription_id"]))


def summary(rows, catalog, audits, generated_at, today):
    """The figures of the HTML report (the license_report_summary fact).

    Monthly spend is the catalog price of each active subscription product times its seats, per month and currency;
    an active one without a catalog price is listed in ``unpriced`` instead. Seats count active subscriptions only.
    Renewals fall in windows of days from ``today``; ``deferred`` are the decreases still pending over every
    licence-adjustment audit file in ``audits`` (see ``pending_decreases``).
    """
    prices = {product.get("id"): recurring_price(product) for product in catalog}
    customers, products = {}, {}
    renewals = {name: [] for name, _first, _last in RENEWAL_WINDOWS}
    auto_renew_off, unpriced = [], []
    for row in rows:
        customer_key = row.get("customer_external_id") or row.get("customer_id")
        customer = customers.setdefault(customer_key, {"customer": customer_key, "name": row.get("customer_name"), "monthly": {}, "seats": 0})
        product = products.setdefault(row.get("mpn"), {"mpn": row.get("mpn"), "product": row.get("product"), "monthly": {}, "seats": 0,
                                                       "subscriptions": 0})
        if row.get("status") == "active":
            seats = row.get("seats") or 0
            customer["seats"] += seats
            product["seats"] += seats
            product["subscriptions"] += 1
            spend = monthly_spend(prices.get(row.get("product_id")), seats, row.get("billing_period"))
            if spend is None:
                unpriced.append(row.get("subscription_id"))
            else:
                currency, amount = spend
                for entry in (customer, product):
                    entry["monthly"][currency] = entry["monthly"].get(currency, Decimal(0)) + amount
        days = days_until(row.get("renewal_date"), today) if row.get("renewal_date") else None
        window = renewal_window(days)
        if window:
            renewals[window].append({"customer": customer_key, "product": row.get("product"), "mpn": row.get("mpn"),
                                     "subscription_id": row.get("subscription_id"), "seats": row.get("seats"),
                                     "renewal_date": row.get("renewal_date"), "days": days, "auto_renew": row.get("auto_renew")})
        if row.get("auto_renew") is False:
            auto_renew_off.append({"customer": customer_key, "product": row.get("product"), "mpn": row.get("mpn"),
                                   "subscription_id": row.get("subscription_id"), "seats": row.get("seats"),
                                   "renewal_date": row.get("renewal_date"), "status": row.get("status")})
    totals = {}
    for customer in customers.values():
        for currency, amount in customer["monthly"].items():
            totals[currency] = totals.get(currency, Decimal(0)) + amount
    for entry in list(customers.values()) + list(products.values()):
        entry["monthly"] = cents(entry["monthly"])
    return {"generated_at": generated_at, "today": today.isoformat(),
            "customers": sorted(customers.values(), key=lambda entry: _no_case(entry["customer"])),
            "products": sorted(products.values(), key=lambda entry: _no_case(entry["mpn"])),
            "monthly_total": cents(totals), "unpriced": unpriced, "renewals": renewals,
            "auto_renew_off": sorted(auto_renew_off, key=lambda entry: _no_case(entry["customer"])),
            "deferred": pending_decreases(audits, rows), "audit_files": len(audits)}


def money_text(monthly):
    """``12.00 EUR + 2,452.45 USD per month`` from ``summary()``'s cent amounts (currencies in order), or ``no catalog price``."""
    if not monthly:
        return "no catalog price"
    return " + ".join("%s %s" % (amount_text(amount), currency) for currency, amount in sorted(monthly.items())) + " per month"


def money_json(monthly):
    """The amounts per currency as a JSON object of numbers, written from the Decimals so that they stay exact."""
    return "{%s}" % ", ".join("%s: %s" % (json.dumps(currency), Decimal(amount)) for currency, amount in monthly.items())


def _sum_of(monthly):
    # Only for the length of a bar: amounts in different currencies are simply added up.
    return sum((Decimal(amount) for amount in monthly.values()), Decimal(0))


def bar_width(value, top):
    """The width in percent (one decimal) of a bar for ``value`` when the longest bar is ``top``."""
    if not top:
        return "0.0"
    return str((Decimal(100) * value / top).quantize(TENTH, rounding=ROUND_HALF_UP))


def page(figures):
    """What the HTML page (and the report's mail) shows of a ``summary()``: every figure as the text to print, bar widths,
    renewals in date order per window, and the notes on unpriced subscriptions and on the licence adjustment runs."""
    spend_top = max((_sum_of(customer["monthly"]) for customer in figures["customers"]), default=0)
    product_top = max((_sum_of(product["monthly"]) for product in figures["products"]), default=0)
    seats_top = max((product["seats"] for product in figures["products"]), default=0)
    unpriced = figures["unpriced"]

    def named(item):
        return dict(item, product=item.get("product") or item.get("mpn") or "")

    return {
        "generated_at": figures["generated_at"], "today": figures["today"], "generated": moment_text(figures["generated_at"]),
        "today_text": day_text(figures["today"]),
        "total_spend": money_text(figures["monthly_total"]),
        "total_seats": sum(customer["seats"] for customer in figures["customers"]),
        "customer_count": len(figures["customers"]),
        "renewal_count": sum(len(window) for window in figures["renewals"].values()),
        "unpriced_note": ("%d active subscription(s) have no catalog price and are not in the spend: %s."
                          % (len(unpriced), ", ".join(str(item) for item in unpriced))) if unpriced else "",
        "customers": [{"customer": customer["customer"], "name": customer["name"] or "", "seats": customer["seats"],
                       "monthly_json": money_json(customer["monthly"]), "spend": money_text(customer["monthly"]),
                       "spend_bar": bar_width(_sum_of(customer["monthly"]), spend_top)} for customer in figures["customers"]],
        "products": [{"mpn": product["mpn"], "product": product["product"] or "", "subscriptions": product["subscriptions"],
                      "seats": product["seats"], "seats_bar": bar_width(product["seats"], seats_top),
                      "monthly_json": money_json(product["monthly"]), "spend": money_text(product["monthly"]),
                      "spend_bar": bar_width(_sum_of(product["monthly"]), product_top)} for product in figures["products"]],
        "renewal_windows": [{"window": name, "first": first,
                             "renewals": [dict(named(item), seats=cell_text(item["seats"]), auto_renew="yes" if item["auto_renew"] else "no")
                                          for item in sorted(figures["renewals"][name], key=lambda item: _no_case(item["renewal_date"]))]}
                            for name, first, _last in RENEWAL_WINDOWS],
        "auto_renew_off": [dict(named(item), seats=cell_text(item["seats"]), renewal_date=item["renewal_date"] or "")
                           for item in figures["auto_renew_off"]],
        "deferred_note": ("From the records of %d licence adjustment run(s): each subscription's newest decision, against its "
                          "seats now." % figures["audit_files"]) if figures["audit_files"] else NO_AUDIT_NOTE,
        "deferred": [dict(named(item), current=cell_text(item["current"]), desired=cell_text(item["desired"]),
                          deferred_until=item["deferred_until"] or "now") for item in figures["deferred"]],
    }
