# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seat declarations from where MSPs keep them: a spreadsheet (CSV) and usage with a buffer. Private to this collection.

- ``desired_from_usage`` (pure): seats in use plus a buffer (seats or a percentage), rounded up to packs, kept within
  a minimum and a maximum, with the derivation in words for the plan.
- ``read_csv``: the rows of a licence CSV (the one ``license_report`` writes, edited in any spreadsheet program) as
  declaration lines. Comma or semicolon separators, UTF-8 with or without a BOM, CRLF line ends and quoted fields are
  read as spreadsheet programs write them. Every problem names the file, the row as a spreadsheet numbers it (the
  header is row 1) and the column (letter and name), before anything is sent.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from decimal import Decimal

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, problem, shown
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._layout import csv_value
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option

# CSV column -> declaration field. Columns not listed are informational and ignored.
CSV_FIELDS = {
    "customer_external_id": "customer", "customer_id": "customer_id", "mpn": "mpn", "subscription_id": "subscription_id",
    "desired_quantity": "quantity", "used": "used", "buffer": "buffer", "minimum": "minimum", "maximum": "maximum",
    "round_to": "round_to",
}
# A whole number as typed: digits, with the zero decimals a spreadsheet may add (12.0, 12,00). Three zeros are not
# among them: "12.000" is also 12000 with a thousands separator.
WHOLE = re.compile(r"^\s*\+?(\d+)(?:[.,](?:0{1,2}|0{4,}))?\s*$")
# Digits in groups of three after a separator (1.000, 1,000, 1 000, 1'000, 1.000,00): a thousands separator, or
# decimals that cannot be told apart from one. Never read as the small number before the separator.
GROUPED = re.compile(r"^\s*\+?(\d+)((?:[.,' \u00a0\u202f\u2009\u2019]\d{3})+)(?:[.,](\d+))?\s*$")
DECIMAL = re.compile(r"^\s*\+?\d+[.,]\d+\s*$")
PERCENT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%\s*$")
LINE_END = re.compile(r"\r\n|\r|\n")


def column_letter(index):
    """``A`` for 0, ``Z`` for 25, ``AA`` for 26: how spreadsheet programs name columns."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


class NotANumber(ValueError):
    """Text that is no number at all, unlike a number written in a way that cannot be read safely."""


def whole_number(value, what, least=0):
    """``value`` (int, or text such as ``"12"``) as an int of at least ``least``; ValueError saying what is wrong and,
    for a number typed with separators or decimals, how to write it."""
    if isinstance(value, bool):
        raise NotANumber("%s must be a whole number, %d or more, got %r" % (what, least, value))
    if isinstance(value, int):
        number = value
    else:
        match = WHOLE.match(str(value))
        if not match:
            raise _not_whole(str(value), what, least)
        number = int(match.group(1))
    if number < least:
        raise ValueError("%s must be %d or more, got %d" % (what, least, number))
    return number


def _as_typed(text):
    """``text`` in quotes, with invisible characters (a no-break space, say) spelled out."""
    return '"%s"' % "".join(char if char.isprintable() else repr(char)[1:-1] for char in text.strip())


def _not_whole(text, what, least):
    """The error for ``text`` that is not a plain whole number: digits in groups of three are refused with the number
    they would make, since reading only the digits before the separator turns 1.000 seats into 1."""
    grouped = GROUPED.match(text)
    if grouped and not (grouped.group(3) or "").strip("0"):
        lead, groups = grouped.group(1), grouped.group(2)
        if len(lead) > 3 or lead.startswith("0") or len(set(groups[::4])) > 1:  # not how thousands are grouped
            return ValueError("%s must be a whole number of seats; %s could hold decimals or thousands separators: write the seats "
                              "as digits only (no separators, no decimals)" % (what, _as_typed(text)))
        thousands = int(lead + "".join(groups[index + 1:index + 4] for index in range(0, len(groups), 4)))
        fix = "write %d (no separators)" % thousands
        if len(groups) == 4 and groups[0] in ".," and not groups[1:].strip("0") and grouped.group(3) is None:
            fix += ", or %d if the %s are decimals" % (int(lead), groups)  # 12.000 may also be 12 with three decimals
        return ValueError("%s must be a whole number of seats; %s looks like %d written with a thousands separator: %s"
                          % (what, _as_typed(text), thousands, fix))
    if grouped or DECIMAL.match(text):
        return ValueError("%s must be a whole number of seats, got %s" % (what, _as_typed(text)))
    return NotANumber("%s must be a whole number, %d or more, got %s" % (what, least, _as_typed(text)))


def parse_buffer(value):
    """``("percent", Decimal)`` for ``"10%"``, ``("seats", int)`` for ``5`` or ``"5"``; ValueError otherwise."""
    if value is None or str(value).strip() == "":
        return "seats", 0
    match = PERCENT.match(str(value))
    if match:
        return "percent", Decimal(match.group(1).replace(",", "."))
    try:
        return "seats", whole_number(value, "buffer")
    except NotANumber:
        raise ValueError("buffer must be a number of seats such as 5 or a percentage such as \"10%%\", got %r" % str(value)) from None


def _number_text(value):
    text = ("%.2f" % value).rstrip("0").rstrip(".")
    return text or "0"


def desired_from_usage(used, buffer=None, minimum=None, maximum=None, round_to=None):
    """``(desired seats, derivation)`` from seats in use: ``used + buffer``, rounded up to a multiple of ``round_to``,
    then raised to ``minimum`` or lowered to ``maximum``. Pure. The derivation reads like
    ``used 47 + 10% = 51.7 -> 55 (packs of 5)``. ValueError names the field that is wrong."""
    used = whole_number(used, "used")
    kind, amount = parse_buffer(buffer)
    pack = whole_number(round_to, "round_to", 1) if round_to not in (None, "") else 1
    low = whole_number(minimum, "minimum", 1) if minimum not in (None, "") else None
    high = whole_number(maximum, "maximum", 1) if maximum not in (None, "") else None
    if low is not None and high is not None and low > high:
        raise ValueError("minimum %d is above maximum %d" % (low, high))
    if kind == "percent":
        value = Decimal(used) * (1 + amount / 100)
        text = "used %d + %s%% = %s" % (used, _number_text(amount), _number_text(value))
    else:
        value = Decimal(used + amount)
        text = "used %d + %d = %d" % (used, amount, used + amount) if amount else "used %d" % used
    desired = int(math.ceil(value / pack)) * pack
    notes = ["packs of %d" % pack] if pack > 1 else []
    if low is not None and desired < low:
        desired, notes = low, notes + ["minimum %d" % low]
    if high is not None and desired > high:
        desired, notes = high, notes + ["maximum %d" % high]
    if desired < 1:
        desired, notes = 1, notes + ["at least 1 seat"]
    if Decimal(desired) != value or notes:
        text += " -> %d%s" % (desired, " (%s)" % ", ".join(notes) if notes else "")
    return desired, text


def _dialect(sample):
    """The separator of a CSV as spreadsheet programs write it: comma, semicolon or tab, told from the header."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        header = LINE_END.split(sample, 1)[0]  # only CR and LF end a CSV line, as in read_csv
        separator = max(",;\t", key=header.count)

        class Dialect(csv.excel):
            delimiter = separator

        return Dialect


def read_csv(path, variable=None):
    """The declaration lines of a licence CSV: dicts with the declaration fields, ``source`` (``licenses.csv row 5``)
    and ``columns`` (field -> ``C (mpn)``, for messages). Rows without ``desired_quantity`` and ``used`` keep their
    seats and are left out. IMConfigError names the file, the row and the column of the first problems found, and
    carries them as ``problems``; ``variable`` is what the user set to name the file (``licenses_csv`` by default)."""
    file_name = os.path.basename(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise IMConfigError("%s %s cannot be read: %s" % (variable or option("licenses_csv"), path, exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IMConfigError("%s is not UTF-8 text (byte %d); save it as CSV UTF-8" % (file_name, exc.start)) from None
    # The csv module splits lines itself, on CR and LF only: str.splitlines() would also split inside a cell holding
    # U+0085, U+2028, \x1c or \x0c, and shift or drop rows.
    rows = list(csv.reader(io.StringIO(text, newline=""), _dialect(text[:4096])))
    if not rows:
        raise IMConfigError("%s is empty: it needs the header row the licence report wrote" % file_name)
    header = [cell.strip() for cell in rows[0]]
    positions = {}
    for index, column in enumerate(header):
        if column in CSV_FIELDS:
            if column in positions:
                raise IMConfigError("%s row 1: column %s appears twice (columns %s and %s)" % (
                    file_name, column, column_letter(positions[column]), column_letter(index)))
            positions[column] = index
    missing = [column for column in ("desired_quantity",) if column not in positions]
    if "subscription_id" not in positions and not {"customer_external_id", "mpn"} <= set(positions):
        missing.append("subscription_id (or customer_external_id and mpn)")
    if missing:
        raise IMConfigError("%s row 1: the header has changed: column %s is missing (the header is: %s); keep the header row "
                            "the licence report wrote" % (file_name, " and ".join(missing), ", ".join(header) or "empty"))
    columns = {CSV_FIELDS[column]: "%s (%s)" % (column_letter(index), column) for column, index in positions.items()}
    lines, problems, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        # A cell the collection wrote with a quote before it (so that no spreadsheet runs it) reads as its value.
        cells = {CSV_FIELDS[column]: (csv_value(row[index]).strip() if index < len(row) else "") for column, index in positions.items()}
        if not any(cells.values()) or (not cells.get("quantity") and not cells.get("used")):
            continue  # an empty row, or one that keeps its seats
        where = "%s row %d" % (file_name, number)
        cells["customer"] = cells.get("customer") or cells.pop("customer_id", None) or None
        cells.pop("customer_id", None)
        line, row_problems = check_line({field: value or None for field, value in cells.items()}, where, columns)
        problems.extend(row_problems)
        if row_problems:
            continue
        key = (line["subscription_id"], line["mpn"]) if line["subscription_id"] else (line["customer"], line["mpn"])
        if key in seen:
            problems.append(problem(where, "subscription_id", key[0], "declares the same subscription as row %d (%s); keep one row per "
                                                                      "subscription" % (seen[key], " ".join(part for part in key if part))))
            continue
        seen[key] = number
        lines.append(line)
    if problems:
        messages = [found["message"] for found in problems]
        raise IMConfigError("; ".join(messages[:10]) + ("; and %d more problems" % (len(messages) - 10) if len(messages) > 10 else ""),
                            problems=problems)
    return lines


# The fields of a declaration line (a licenses line of im_licenses, a line of the license_adjustment role, a CSV row).
LINE_FIELDS = ("customer", "mpn", "subscription_id", "quantity", "used", "buffer", "round_to", "minimum", "maximum",
               "decrease_window_days", "parameters", "po_number")
USAGE_FIELDS = ("buffer", "round_to", "minimum", "maximum")
TEXT_EXAMPLES = {"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "subscription_id": '"3000001"', "po_number": "TICKET-4711"}
# How a CSV's header calls a field, where it differs from the line's field.
CSV_NAMES = {"quantity": "desired_quantity", "customer": "customer_external_id"}


def _is_text(value):
    return (isinstance(value, str) and value.strip() != "") or (isinstance(value, (int, float)) and not isinstance(value, bool))


def check_line(line, where, columns=None, without_customer=None, source=None):
    """One declaration line as a declaration: ``(declaration or None, problems)``. Pure.

    The one rule for a licence line, shared by im_licenses (its ``licenses``), the CSV reader (a row's cells, with
    ``columns`` naming each field's column) and the license_adjustment role (its lines, before anything is sent).
    ``where`` names the line (``licenses line 3``, ``licenses.csv row 5``), counted from 1 as the plan table counts.
    ``without_customer`` is what to say when a line names an mpn but no customer (the role adds why none could be
    taken). The declaration holds the desired seats (given, or computed from ``used``) and their ``derivation``, and
    ``source``, how the plan names the line (``where`` unless given).
    """
    if not isinstance(line, dict):
        return None, [problem(where, None, line, "must be a mapping such as {customer: ACME-001, mpn: CFQ7TTC0LDPB:0001:P1Y, "
                                                 "quantity: 30}, got %s" % shown(line))]
    csv_row = columns is not None
    names = {field: CSV_NAMES.get(field, field) if csv_row else field for field in LINE_FIELDS}
    problems = []

    def add(field, text):
        problems.append(problem(where, field, line.get(field), text, columns))

    unknown = sorted(str(key) for key in line if key not in LINE_FIELDS)
    if unknown:
        add(None, "unknown key %s (the keys are %s)" % (", ".join(unknown), ", ".join(LINE_FIELDS)))
    for field in ("customer", "mpn", "subscription_id", "po_number"):
        if line.get(field) is not None and not _is_text(line[field]):
            add(field, "%s must be a text such as %s, got %s" % (names[field], TEXT_EXAMPLES[field], shown(line[field])))
    given = {field: line.get(field) for field in LINE_FIELDS if line.get(field) not in (None, "")}
    if not given.get("subscription_id"):
        if given.get("customer") and not given.get("mpn"):
            add("mpn", "customer %s needs mpn (the product) as well, or give subscription_id instead" % given["customer"])
        elif not given.get("customer") and not given.get("mpn"):
            add("subscription_id", "no subscription named: give subscription_id, or %s and mpn" % names["customer"])
        elif not given.get("customer"):
            add("customer", without_customer or "needs %s as well as mpn, or subscription_id" % names["customer"])
    declaration = {"customer": given.get("customer"), "mpn": given.get("mpn"), "subscription_id": given.get("subscription_id"),
                   "quantity": None, "derivation": None, "decrease_window_days": None, "parameters": line.get("parameters"),
                   "po_number": given.get("po_number"), "source": source or where, "columns": columns}
    for field in ("customer", "mpn", "subscription_id", "po_number"):
        if declaration[field] is not None:
            declaration[field] = str(declaration[field]).strip()
    if "quantity" in given and "used" in given:
        both = "give %s or used, not both" % names["quantity"]
        if csv_row:  # both columns are at fault
            problems.append({"where": where, "field": "quantity", "given": given["quantity"], "message": "%s, columns %s and %s: %s" % (
                where, columns.get("quantity"), columns.get("used"), both)})
        else:
            add("quantity", both)
    elif "quantity" in given:
        extra = [field for field in USAGE_FIELDS if field in given]
        if extra:
            add(extra[0], "%s only go%s with used (the seats in use), not with %s" % (
                ", ".join(extra), "es" if len(extra) == 1 else "", names["quantity"]))
        try:
            declaration["quantity"] = whole_number(given["quantity"], names["quantity"], 1)
        except ValueError as exc:
            add("quantity", str(exc) + ("" if csv_row else " (to end a subscription use im_subscription with state: absent)"
                                        if str(exc).endswith(" or more, got 0") else ""))
    elif "used" in given:
        usage = {field: given.get(field) for field in ("used",) + USAGE_FIELDS}
        try:
            declaration["quantity"], declaration["derivation"] = desired_from_usage(**usage)
        except ValueError as exc:
            add(next((field for field in usage if str(exc).startswith(field)), "used"), str(exc))
    else:
        add("quantity", "%s is missing: give the number of seats the subscription should have (or used, the seats in use, "
                        "with a buffer)" % names["quantity"])
    if "decrease_window_days" in given:
        try:
            declaration["decrease_window_days"] = whole_number(given["decrease_window_days"], "decrease_window_days")
        except ValueError as exc:
            add("decrease_window_days", "%s (days)" % exc)
    parameters = line.get("parameters")
    well_formed = isinstance(parameters, list) and all(isinstance(item, dict) and "name" in item and "value" in item for item in parameters)
    if parameters is not None and not well_formed:
        add("parameters", "parameters must be a list of {name, value} such as [{name: domain, value: acme.example}], got %s"
            % shown(parameters))
    return (None if problems else declaration), problems


# The fields of a product line of a sales order (im_order's products, the onboarding role's subscriptions).
ORDER_LINE_FIELDS = ("mpn", "quantity", "parameters", "subscription_period", "billing_period", "vendor")
PERIOD_TYPES = ("day", "month", "year", "statement_day")


def check_order_line(line, where):
    """The problems of one product line of a sales order (``{mpn, quantity, parameters, periods, vendor}``). Pure.

    Shared by im_order (its ``products``) and the onboarding role (each customer's ``subscriptions``); ``where``
    names the line (``products line 2``, ``onboarding_customers line 1 (ACME-001): subscriptions line 2``).
    """
    if not isinstance(line, dict):
        return [problem(where, None, line, "must be a mapping such as {mpn: SH3AMCLOS, quantity: 5}, got %s" % shown(line))]
    problems = []

    def add(field, text):
        problems.append(problem(where, field, line.get(field), text))

    unknown = sorted(str(key) for key in line if key not in ORDER_LINE_FIELDS)
    if unknown:
        add(None, "unknown key %s (the keys are %s)" % (", ".join(unknown), ", ".join(ORDER_LINE_FIELDS)))
    if not _is_text(line.get("mpn")):
        add("mpn", "mpn is missing: give the product's manufacturer part number, for example CFQ7TTC0LH18:0001:P1M")
    if line.get("quantity") is None:
        add("quantity", "quantity is missing: give the number of seats to buy")
    else:
        try:
            whole_number(line["quantity"], "quantity", 1)
        except ValueError as exc:
            add("quantity", str(exc))
    parameters = line.get("parameters")
    if parameters is not None:
        if not isinstance(parameters, list) or any(not isinstance(item, dict) or "name" not in item or "value" not in item
                                                   for item in parameters):
            add("parameters", "parameters must be a list of {name, value} such as [{name: domain, value: acme.example}], got %s"
                % shown(parameters))
        elif len({str(item["name"]) for item in parameters}) != len(parameters):
            add("parameters", "parameters: each parameter name may appear once")
    for field in ("subscription_period", "billing_period"):
        period = line.get(field)
        if period is None:
            continue
        try:
            valid = isinstance(period, dict) and period.get("type") in PERIOD_TYPES and whole_number(period.get("duration"), "duration", 1)
        except ValueError:
            valid = False
        if not valid:
            add(field, "%s must be {type: month or year (or day, statement_day), duration: 1 or more}, got %s" % (field, shown(period)))
    if line.get("vendor") is not None and not _is_text(line["vendor"]):
        add("vendor", "vendor must be a text such as Microsoft, got %s" % shown(line["vendor"]))
    return problems


def check_order_lines(lines, where, name_of_lines="products"):
    """The problems of the product lines of one order: each line's, and an MPN given twice."""
    problems, seen = [], set()
    for number, line in enumerate(lines or [], start=1):
        mpn = line.get("mpn") if isinstance(line, dict) else None
        line_where = "%s%s line %d%s" % (where + ": " if where else "", name_of_lines, number, " (%s)" % mpn if _is_text(mpn) else "")
        problems.extend(check_order_line(line, line_where))
        if _is_text(mpn) and mpn in seen:
            problems.append(problem(line_where, "mpn", mpn, "mpn %s appears more than once; add the quantities up" % mpn))
        seen.add(mpn)
    return problems
