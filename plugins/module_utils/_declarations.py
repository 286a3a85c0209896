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

from ansible_collections.ingrammicro.marketplace.plugins.module_utils._errors import IMConfigError

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
        raise NotANumber("%s must be a whole number, got %r" % (what, value))
    if isinstance(value, int):
        number = value
    else:
        match = WHOLE.match(str(value))
        if not match:
            raise _not_whole(str(value), what)
        number = int(match.group(1))
    if number < least:
        raise ValueError("%s must be %d or more, got %d" % (what, least, number))
    return number


def _as_typed(text):
    """``text`` in quotes, with invisible characters (a no-break space, say) spelled out."""
    return '"%s"' % "".join(char if char.isprintable() else repr(char)[1:-1] for char in text.strip())


def _not_whole(text, what):
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
    return NotANumber("%s must be a whole number, got %r" % (what, text))


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


def read_csv(path):
    """The declaration lines of a licence CSV: dicts with the declaration fields, ``source`` (``licenses.csv row 5``)
    and ``columns`` (field -> ``C (mpn)``, for messages). Rows without ``desired_quantity`` and ``used`` keep their
    seats and are left out. IMConfigError names the file, the row and the column of the first problems found."""
    name = os.path.basename(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise IMConfigError("licenses_csv %s cannot be read: %s" % (path, exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IMConfigError("%s is not UTF-8 text (byte %d); save it as CSV UTF-8" % (name, exc.start)) from None
    # The csv module splits lines itself, on CR and LF only: str.splitlines() would also split inside a cell holding
    # U+0085, U+2028, \x1c or \x0c, and shift or drop rows.
    rows = list(csv.reader(io.StringIO(text, newline=""), _dialect(text[:4096])))
    if not rows:
        raise IMConfigError("%s is empty: it needs the header row the licence report wrote" % name)
    header = [cell.strip() for cell in rows[0]]
    positions = {}
    for index, column in enumerate(header):
        if column in CSV_FIELDS:
            if column in positions:
                raise IMConfigError("%s row 1: column %s appears twice (columns %s and %s)" % (
                    name, column, column_letter(positions[column]), column_letter(index)))
            positions[column] = index
    missing = [column for column in ("desired_quantity",) if column not in positions]
    if "subscription_id" not in positions and not {"customer_external_id", "mpn"} <= set(positions):
        missing.append("subscription_id (or customer_external_id and mpn)")
    if missing:
        raise IMConfigError("%s row 1: the header has changed: column %s is missing (the header is: %s); keep the header row "
                            "the licence report wrote" % (name, " and ".join(missing), ", ".join(header) or "empty"))
    columns = {CSV_FIELDS[column]: "%s (%s)" % (column_letter(index), column) for column, index in positions.items()}
    lines, problems, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {CSV_FIELDS[column]: (row[index].strip() if index < len(row) else "") for column, index in positions.items()}
        if not any(cells.values()) or (not cells.get("quantity") and not cells.get("used")):
            continue  # an empty row, or one that keeps its seats
        where = "%s row %d" % (name, number)
        line, row_problems = _csv_line(cells, where, columns)
        problems.extend(row_problems)
        if row_problems:
            continue
        key = (line["subscription_id"], line["mpn"]) if line["subscription_id"] else (line["customer"], line["mpn"])
        if key in seen:
            problems.append("%s: declares the same subscription as row %d (%s); keep one row per subscription"
                            % (where, seen[key], " ".join(part for part in key if part)))
            continue
        seen[key] = number
        lines.append(line)
    if problems:
        raise IMConfigError("; ".join(problems[:10]) + ("; and %d more problems" % (len(problems) - 10) if len(problems) > 10 else ""))
    return lines


def _csv_line(cells, where, columns):
    """One CSV row as a declaration line, or the problems of the row (each naming its column)."""
    problems = []
    line = {"customer": cells.get("customer") or cells.get("customer_id") or None, "mpn": cells.get("mpn") or None,
            "subscription_id": cells.get("subscription_id") or None, "quantity": None, "derivation": None,
            "decrease_window_days": None, "parameters": None, "po_number": None, "source": where, "columns": columns}
    if not line["subscription_id"] and not (line["customer"] and line["mpn"]):
        problems.append("%s, column %s: no subscription named: give subscription_id, or customer_external_id and mpn"
                        % (where, columns.get("subscription_id") or columns.get("customer")))
    if cells.get("quantity") and cells.get("used"):
        problems.append("%s, columns %s and %s: give desired_quantity or used, not both" % (where, columns["quantity"], columns["used"]))
    elif cells.get("quantity"):
        try:
            line["quantity"] = whole_number(cells["quantity"], "desired_quantity", 1)
        except ValueError as exc:
            problems.append("%s, column %s: %s" % (where, columns["quantity"], exc))
    else:
        usage = {field: cells.get(field) for field in ("used", "buffer", "minimum", "maximum", "round_to")}
        try:
            line["quantity"], line["derivation"] = desired_from_usage(**usage)
        except ValueError as exc:
            field = next((field for field in usage if str(exc).startswith(field)), "used")
            problems.append("%s, column %s: %s" % (where, columns.get(field, columns["used"]), exc))
    return line, problems
