# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML bodies of the collection's mails, built for mail clients rather than browsers. Private to this collection
(used by the ``mail_html`` filter, on the controller).

Mail clients are not browsers: Outlook for Windows lays HTML out with a word processor's engine, and webmail clients
drop or rewrite ``<style>`` blocks. So a body here is tables for layout, at most 600 px wide and narrower on a phone,
with every style written inline on its element from the one table ``STYLES`` below (``px`` units, plain colours, no
CSS variables, flexbox, media queries, rounded corners, SVG or HTML5 sectioning elements), and bars drawn as table
cells with a background colour and a width. Every text is escaped; the figures and words come from the same code as
the collection's other output (``_report_figures``, ``_adjustment_view``, ``_event_words``).
"""

from __future__ import annotations

import html

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base import _layout
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _report_figures
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _event_words
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils._adjustment_view import ACTIONS, RESULTS, reading_lines

WIDTH = 600
INK, MUTED, LINE, ACCENT, SOFT, PAGE = "#1d2330", "#5b6475", "#d8dde6", "#0b5cab", "#eef3fa", "#f4f6f9"
ALERT, ALERT_SOFT = "#a4262c", "#fbeaea"
FONT = "font-family:Arial,Helvetica,sans-serif;"
TEXT = FONT + "font-size:14px;line-height:20px;color:%s;" % INK
SMALL = FONT + "font-size:12px;line-height:16px;color:%s;" % MUTED
RULE = "border-bottom:1px solid %s;" % LINE
CELL = FONT + "font-size:14px;line-height:19px;color:%s;vertical-align:top;" % INK
# Every style of every mail, by the name the builders below use.
STYLES = {
    "body": "margin:0;padding:0;background-color:%s;" % PAGE,
    "page": "width:100%%;background-color:%s;" % PAGE,
    "page_cell": "padding:12px 8px;",
    "sheet": "width:100%%;max-width:%dpx;background-color:#ffffff;border:1px solid %s;" % (WIDTH, LINE),
    "sheet_cell": "padding:20px 16px;%scolor:%s;" % (FONT, INK),
    "title": FONT + "font-size:20px;line-height:26px;font-weight:bold;color:%s;margin:0 0 6px 0;" % INK,
    "heading": (FONT + "font-size:16px;line-height:22px;font-weight:bold;color:%s;margin:22px 0 6px 0;padding:0 0 3px 0;"
                "border-bottom:2px solid %s;" % (INK, ACCENT)),
    "text": TEXT + "margin:0 0 8px 0;",
    "note": FONT + "font-size:13px;line-height:18px;color:%s;margin:0 0 8px 0;" % MUTED,
    "alert": TEXT.replace(INK, ALERT) + "background-color:%s;padding:10px 12px;border-left:4px solid %s;" % (ALERT_SOFT, ALERT),
    "figures": "width:100%;border-collapse:collapse;margin:8px 0 4px 0;",
    "figure_cell": (FONT + "font-size:13px;line-height:18px;color:%s;background-color:%s;padding:10px 12px;vertical-align:top;"
                    "border:4px solid #ffffff;" % (MUTED, SOFT)),
    "figure": FONT + "font-size:20px;line-height:26px;font-weight:bold;color:%s;" % INK,
    "table": "width:100%;border-collapse:collapse;",
    "th": SMALL + "font-weight:bold;text-align:left;vertical-align:bottom;padding:6px 6px;" + RULE,
    "th_number": SMALL + "font-weight:bold;text-align:right;vertical-align:bottom;padding:6px 6px;" + RULE,
    "td": CELL + "text-align:left;padding:6px 6px;" + RULE,
    "td_number": CELL + "text-align:right;padding:6px 6px;" + RULE,
    "td_above": CELL + "text-align:left;padding:6px 6px 2px 6px;",
    "td_number_above": CELL + "text-align:right;padding:6px 6px 2px 6px;",
    "td_note": SMALL + "text-align:left;padding:0 6px 6px 6px;" + RULE,
    "td_empty": CELL.replace(INK, MUTED) + "font-style:italic;padding:6px 6px;" + RULE,
    "small": SMALL,
    "bar": "width:100%;border-collapse:collapse;margin:4px 0 0 0;",
    "bar_on": "background-color:%s;font-size:1px;line-height:8px;" % ACCENT,
    "bar_off": "background-color:%s;font-size:1px;line-height:8px;" % SOFT,
}
OUTCOMES = {
    "planned": "Planned in check mode: nothing was ordered.",
    "applied": "Applied: every line reached its seats.",
    "pending": "Pending: no line failed, and some were left for later (submitted without waiting, or deferred to a renewal).",
    "partial": "Partial: some lines failed and others were ordered.",
    "failed": "Failed: no line was ordered and verified.",
    "refused": "Refused: nothing was ordered.",
}


def esc(value):
    """Text made safe for HTML (``None`` is empty)."""
    return html.escape("" if value is None else str(value), quote=True)


def element(tag, style, content="", **attributes):
    """``<tag style="...">content</tag>``: the style by its name in ``STYLES``; attributes as given (``class_`` for
    ``class``), their values escaped."""
    attrs = "".join(' %s="%s"' % (name.rstrip("_"), esc(value)) for name, value in attributes.items() if value is not None)
    return '<%s style="%s"%s>%s</%s>' % (tag, STYLES[style], attrs, content, tag)


def layout_table(style, rows, **attributes):
    """A table for layout only: no spacing of its own, ``role="presentation"`` for screen readers."""
    return element("table", style, "".join(rows), role="presentation", cellpadding="0", cellspacing="0", border="0", **attributes)


def two_lines(main, small=None):
    """A cell's main text, and a smaller second line under it (both escaped)."""
    return esc(main) + ("<br>" + element("span", "small", esc(small)) if small else "")


def bar_table(percent):
    """A bar ``percent`` (``"31.3"``) of the cell's width long: two table cells, one coloured, each its share wide."""
    try:
        filled = max(0.0, min(100.0, float(percent)))
    except (TypeError, ValueError):
        filled = 0.0
    cells = []
    if filled > 0:
        cells.append(element("td", "bar_on", "&nbsp;", width="%s%%" % ("%.1f" % filled).rstrip("0").rstrip("."), height="8",
                             bgcolor=ACCENT))
    if filled < 100:
        cells.append(element("td", "bar_off", "&nbsp;", height="8", bgcolor=SOFT))
    return layout_table("bar", ["<tr>%s</tr>" % "".join(cells)], width="100%")


def data_table(header, rows, empty):
    """A table of ``header`` (``[(label, numeric)]``) and ``rows`` (lists of cell HTML, numeric columns aligned right;
    a cell more than the header has is a note, shown on a line of its own under the row); one line saying ``empty`` when
    there is no row."""
    head = "<tr>%s</tr>" % "".join(
        element("th", "th_number" if numeric else "th", esc(label), align="right" if numeric else "left") for label, numeric in header)
    body = []
    for row in rows:
        note = row[len(header)] if len(row) > len(header) else None
        body.append("<tr>%s</tr>" % "".join(element("td", ("td_number" if numeric else "td") + ("_above" if note else ""), cell,
                                                    align="right" if numeric else "left") for (_label, numeric), cell in zip(header, row)))
        if note:
            body.append("<tr>%s</tr>" % element("td", "td_note", note, colspan=str(len(header))))
    if not rows:
        body = ["<tr>%s</tr>" % element("td", "td_empty", esc(empty), colspan=str(len(header)))]
    return layout_table("table", [head] + body, width="100%")


def figures(cells):
    """Key figures side by side: ``[(figure, what it counts)]``, the first on a row of its own (it is the longest)."""
    first, rest = cells[0], cells[1:]
    rows = ["<tr>%s</tr>" % element("td", "figure_cell", element("span", "figure", esc(first[0])) + "<br>" + esc(first[1]),
                                    colspan=str(max(1, len(rest))), bgcolor=SOFT)]
    if rest:
        rows.append("<tr>%s</tr>" % "".join(
            element("td", "figure_cell", element("span", "figure", esc(figure)) + "<br>" + esc(label), width="%d%%" % (100 // len(rest)),
                    bgcolor=SOFT) for figure, label in rest))
    return layout_table("figures", rows, width="100%")


def attached(files):
    """The attachments, each file name on a line of its own (a name is not broken across lines), with what it holds."""
    return element("p", "note", "Attached:" + "".join("<br>%s%s" % (esc(name), " - " + esc(what) if what else "") for name, what in files))


def heading(text):
    return element("h2", "heading", esc(text))


def paragraph(text, style="text"):
    return element("p", style, esc(text))


def document(title, blocks):
    """The whole message: a centred sheet at most ``WIDTH`` px wide (Outlook for Windows, which ignores ``max-width``,
    gets a fixed-width table around it), with ``blocks`` (HTML) in it."""
    sheet = layout_table("sheet", ["<tr>%s</tr>" % element("td", "sheet_cell", "\n".join(blocks))], width="100%", align="center",
                         bgcolor="#ffffff")
    page = layout_table("page", ["<tr>%s</tr>" % element(
        "td", "page_cell", '<!--[if mso]><table role="presentation" width="%d" align="center" cellpadding="0" cellspacing="0" border="0">'
        "<tr><td><![endif]-->\n%s\n<!--[if mso]></td></tr></table><![endif]-->" % (WIDTH, sheet), align="center")],
        width="100%", bgcolor=PAGE)
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>%s</title>\n</head>\n'
            '%s\n</html>\n' % (esc(title), element("body", "body", "\n" + page + "\n")))


# ---------------------------------------------------------------------------------------------------- the licence report

def license_report(summary, files=None):
    """The licence report's mail: its key figures and every section of the page (``summary``: the
    license_report_figures summary), and the names of the attached files (``files``: their name without extension)."""
    page = _report_figures.page(summary)
    blocks = [element("h1", "title", "Licence report"),
              paragraph("Made %s. Spend is the catalog price of each active subscription's product times its seats, per month "
                        "(a price per year counts one twelfth)." % page["generated"], "note"),
              figures([(page["total_spend"], "monthly spend at catalog prices"), (page["total_seats"], "seats in active subscriptions"),
                       (page["customer_count"], "customers"), (page["renewal_count"], "renewals in the next 90 days")])]
    if page["unpriced_note"]:
        blocks.append(paragraph(page["unpriced_note"], "note"))
    blocks += [heading("Monthly spend per customer"), data_table(
        [("customer", False), ("seats", True), ("monthly spend", True)],
        [[two_lines(item["customer"], item["name"]), esc(item["seats"]), esc(item["spend"]) + bar_table(item["spend_bar"])]
         for item in page["customers"]], "No customer.")]
    blocks += [heading("Monthly spend and seats per product"), data_table(
        [("product", False), ("seats", True), ("monthly spend", True)],
        [[two_lines(item["product"] or item["mpn"], item["mpn"] if item["product"] else None), esc(item["seats"]) + bar_table(item["seats_bar"]),
          esc(item["spend"]) + bar_table(item["spend_bar"])] for item in page["products"]], "No product.")]
    renewals = [item for window in page["renewal_windows"] for item in window["renewals"]]
    blocks += [heading("Renewals in the next 90 days"), data_table(
        [("renews", False), ("subscription", False), ("seats", True)],
        [[two_lines(_report_figures.day_text(item["renewal_date"]), _event_words.days_text(item["days"])),
          two_lines(item["product"], "%s%s" % (item["customer"], "" if item["auto_renew"] == "yes" else ", auto-renew off")),
          esc(item["seats"])] for item in renewals], "No renewal in the next 90 days.")]
    blocks += [heading("Subscriptions with auto-renew off"), data_table(
        [("subscription", False), ("seats", True), ("ends", False)],
        [[two_lines(item["product"], item["customer"]), esc(item["seats"]), two_lines(_report_figures.day_text(item["renewal_date"]), item["status"])]
         for item in page["auto_renew_off"]], "Every subscription renews automatically.")]
    blocks += [heading("Decreases still to be made"), paragraph(page["deferred_note"], "note"), data_table(
        [("subscription", False), ("seats now", True), ("seats wanted", True), ("possible from", False)],
        [[two_lines(item["product"], item["customer"]), esc(item["current"]), esc(item["desired"]), esc(_report_figures.day_text(item["deferred_until"]))]
         for item in page["deferred"]], "No pending decrease.")]
    if files:
        blocks.append(attached([("%s.html" % files, "the whole report, to open in a browser"),
                                ("%s.csv" % files, "its data, for a spreadsheet program")]))
    return document("Licence report, %s" % page["generated"], blocks)


# ---------------------------------------------------------------------------------------------------- licence plans

def change_text(price):
    """``+1,262.50 USD/month``: a price change with its sign and thousands separators; empty without an amount."""
    if not isinstance(price, dict) or price.get("amount") in (None, ""):
        return ""
    amount = str(price["amount"])
    shown = _report_figures.amount_text(amount)
    if not shown.startswith(("+", "-")):
        try:
            shown = ("+" + shown) if float(amount) > 0 else shown
        except ValueError:
            pass
    return "%s %s%s" % (shown, price.get("currency") or "", "/%s" % price["per"] if price.get("per") else "")


def _line_notes(line):
    notes = []
    if line.get("action") == "deferred" and line.get("deferred_until"):
        notes.append("deferred until %s" % _report_figures.day_text(line["deferred_until"]))
    if line.get("source") and not str(line["source"]).startswith("line "):
        notes.append("from %s" % line["source"])
    notes.extend(str(line[key]) for key in ("derivation", "reason", "message") if line.get(key))
    return "; ".join(notes)


def plan_rows(plan, applied):
    """One row per licence line: the subscription (customer and MPN under the product, then the notes), the seats, and
    the action with its price change (a plan) or the result with its order (a real run)."""
    rows = []
    for line in plan:
        seats = esc(_layout.seat_change(line)).replace(" -&gt; ", "&nbsp;&rarr;&nbsp;")  # as the printed table and messages say
        what = ", ".join(str(part) for part in (line.get("customer") or line.get("customer_name"), line.get("mpn")) if part)
        subscription = two_lines(line.get("product") or line.get("mpn") or "", what)
        if applied:
            order = line.get("order") or {}
            status = order.get("status") if order.get("status") != line.get("result") else None
            reference = " ".join(str(part) for part in (order.get("order_number") or order.get("id"), status) if part)
            outcome = two_lines(line.get("result") or line.get("action"), ("order " + reference) if reference else None)
        else:
            outcome = two_lines(line.get("action"), change_text(line.get("price_change")))
        notes = _line_notes(line)
        rows.append([subscription, seats, outcome] + ([esc(notes)] if notes else []))
    return rows


def plan_figures(plan, summary, applied):
    """The plan in figures: lines by action, the estimated price change, and the results and orders of a real run."""
    counts = ", ".join("%d %s" % (summary[action], action) for action in ACTIONS if summary.get(action)) or "nothing to do"
    price = summary.get("price_change")
    prices = " and ".join(change_text(item) for item in ([price] if isinstance(price, dict) else price or [])) or "none"
    cells = [(prices, "estimated price change"), (summary.get("lines", len(plan)), "licence lines: %s" % counts)]
    if applied:
        results = ", ".join("%d %s" % (number, result) for result, number in
                            ((result, sum(1 for line in plan if line.get("result") == result)) for result in RESULTS) if number)
        orders = [line["order"]["order_number"] for line in plan if line.get("order") and line["order"].get("order_number")]
        cells.append((len(orders), "orders placed" + (": %s" % ", ".join(orders) if orders else "")))
        cells[1] = (cells[1][0], cells[1][1] + "; results: %s" % (results or "none"))
    return figures(cells)


def license_adjustment(result, check_mode=False, generated_at=None, host=None, attachments=None):
    """The licence plan's (check mode) or the licence adjustment's mail: the outcome, the reason a plan was refused or
    lines failed, the figures, one row per line, what the change quantities were sent as, and the attachments."""
    plan, summary = result.get("plan") or [], result.get("summary") or {}
    outcome = summary.get("outcome")
    applied = not check_mode and outcome != "refused"
    title = "Licence plan (check mode)" if check_mode else "Licence adjustment"
    made = "Made %s%s." % (_report_figures.moment_text(generated_at), " for %s" % host if host and host != "localhost" else "")
    blocks = [element("h1", "title", esc(title)), paragraph(made, "note"),
              paragraph(OUTCOMES.get(outcome, "Outcome: %s." % outcome))]
    if outcome in ("refused", "failed", "partial") and result.get("msg"):
        blocks.append(layout_table("table", ["<tr>%s</tr>" % element("td", "alert", esc(result["msg"]), bgcolor=ALERT_SOFT)],
                                   width="100%"))
    blocks += [plan_figures(plan, summary, applied), heading("The lines"), data_table(
        [("subscription", False), ("seats", True), ("result" if applied else "action", False)], plan_rows(plan, applied),
        "No licence line.")]
    blocks += [paragraph(text, "note") for text in reading_lines(result.get("quantity_reading"), check_mode)]
    if attachments:
        blocks.append(attached([(name, None) for name in attachments]))
    return document(title, blocks)


def drift(result, headline):
    """The drift's mail: ``headline`` (how many declared lines differ), and the check-mode plan, one row per line."""
    plan = result.get("plan") or []
    blocks = [element("h1", "title", "Licence drift"), paragraph(headline),
              paragraph("Nothing was ordered: the declared seats were planned against the seats now, in check mode.", "note"),
              plan_figures(plan, result.get("summary") or {}, False), heading("The declared lines"),
              data_table([("subscription", False), ("seats", True), ("action", False)], plan_rows(plan, False), "No declared line.")]
    return document("Licence drift", blocks)


# ---------------------------------------------------------------------------------------------------- events

def event(item, earlier=()):
    """An event's mail: what happened in one sentence, then the facts behind it; and ``earlier`` events whose report
    could not be made, one sentence each."""
    facts = _event_words.facts(item)
    rows = ["<tr>%s%s</tr>" % (element("td", "td", element("span", "small", esc(label)), width="32%"), element("td", "td", esc(text)))
            for label, text in facts]
    blocks = [element("h1", "title", esc(_event_words.sentence(item))),
              layout_table("table", rows, width="100%")]
    if earlier:
        blocks += [heading("Earlier events that could not be reported"),
                   data_table([("what happened", False)], [[esc(_event_words.sentence(other))] for other in earlier], "")]
    blocks.append(paragraph("Reported by the marketplace_events event source of the ingrammicro.marketplace collection.", "note"))
    return document("Marketplace: %s" % item.get("type"), blocks)
