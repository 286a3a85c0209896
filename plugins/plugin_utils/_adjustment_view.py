# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The license_adjustment role's view of an im_licenses result: the plan table with its total line, and the audit
CSV's rows. Private to this collection (used by the ``license_adjustment_view`` filter); the role only lays it out.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base import _layout
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._audit import csv_text

ACTIONS = ("increase", "decrease", "create", "none", "deferred", "blocked")
RESULTS = ("completed", "submitted", "none", "deferred", "failed")


def money(price, signed=True):
    """``+12.50 USD/month`` for a price change (the sign of an increase added), empty when there is no price."""
    if not isinstance(price, dict) or price.get("amount") is None:
        return ""
    amount = str(price["amount"])
    try:
        increase = Decimal(amount) > 0
    except InvalidOperation:
        increase = False
    sign = "+" if signed and increase and not amount.startswith("+") else ""
    return "%s%s %s%s" % (sign, amount, price.get("currency"), "/%s" % price["per"] if price.get("per") else "")


def _notes(line):
    notes = []
    if line.get("action") == "deferred" and line.get("deferred_until"):
        notes.append("deferred until %s" % line["deferred_until"])
    if line.get("source") and not str(line["source"]).startswith("line "):
        notes.append("from %s" % line["source"])
    notes.extend(str(line[key]) for key in ("derivation", "reason", "message") if line.get(key))
    return "; ".join(notes)


def _order_cell(line):
    order = line.get("order") or {}
    reference = order.get("order_number") or order.get("id") or ""
    status = order.get("status")
    return ("%s %s" % (reference, status) if status and status != line.get("result") else str(reference)).strip()


def table(plan, summary, reading, applied, check_mode):
    """The lines shown: one row per licence line (the plan, or with results and orders after a real run), the total
    line, and what the change-quantity reading rests on."""
    header = ["line", "customer", "product", "mpn", "seats", "action"] + (["result", "order"] if applied else ["price change"]) + ["note"]
    rows = []
    for line in plan:
        seats = _layout.seat_change(line)
        cells = [line.get("index"), line.get("customer") or line.get("customer_name") or "", line.get("product") or "", line.get("mpn") or "",
                 seats, line.get("action")]
        cells += [line.get("result") or "", _order_cell(line)] if applied else [money(line.get("price_change"))]
        rows.append(cells + [_notes(line)])
    return _layout.text_table(header, rows) + [total_line(plan, summary, check_mode)] + reading_lines(reading, check_mode)


def total_line(plan, summary, check_mode):
    summary = summary or {}
    counts = ", ".join("%d %s" % (summary[action], action) for action in ACTIONS if summary.get(action))
    text = "Total %s line(s) - %s" % (summary.get("lines", len(plan)), counts)
    price = summary.get("price_change")
    prices = " and ".join(money(item) for item in ([price] if isinstance(price, dict) else price or []))
    if prices:
        text += "; estimated price change %s" % prices
    if summary.get("outcome") == "refused":
        return text + "; REFUSED, nothing was ordered (reason below)"
    if check_mode:
        return text + "; check mode, nothing was ordered"
    results = ", ".join("%d %s" % (number, result) for result, number in
                        ((result, sum(1 for line in plan if line.get("result") == result)) for result in RESULTS) if number)
    orders = [line["order"]["order_number"] for line in plan if line.get("order") and line["order"].get("order_number")]
    return text + "; results %s%s; outcome %s" % (results, "; orders " + ", ".join(orders) if orders else "", str(summary.get("outcome")).upper())


def reading_lines(reading, check_mode):
    """What the change quantities were sent as and why; nothing when there was no verdict."""
    if not reading or not reading.get("verdict"):
        return []
    text = "Change quantities sent as %s: the price estimate check %s (%s)" % (
        reading.get("change_quantity"), reading["verdict"], reading.get("evidence"))
    if reading.get("canary") and check_mode:
        text += "; a real run orders line %s first as a canary, and places the others only once its seats are right" % reading["canary"]
    elif reading.get("canary"):
        text += "; line %s was ordered first as a canary%s" % (reading["canary"], ", which confirmed it" if reading.get("confirmed") else "")
    elif reading.get("confirmed"):
        text += "; %s" % reading["confirmed"]
    return [text]


def view(result, check_mode):
    """Everything the role shows and writes of an im_licenses ``result``."""
    plan = result.get("plan") or []
    summary = result.get("summary")
    applied = not check_mode and (summary or {}).get("outcome") != "refused"
    return {
        "msg": result.get("msg"),
        "plan": plan,
        "planned": summary is not None,
        "table": table(plan, summary, result.get("quantity_reading"), applied, check_mode) if summary is not None else [],
        "csv": csv_text(plan),
    }
