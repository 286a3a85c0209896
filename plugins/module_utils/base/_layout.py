# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text tables and CSV files as the roles show and write them. Private to this collection.

One place for the layout every role shares, so that a table or a CSV file looks the same whichever role wrote it.
"""

from __future__ import annotations

import re

# What a cell a spreadsheet program takes for a formula begins with (OWASP, CSV injection). Such a cell is written with
# a single quote before it, which spreadsheet programs show as text; a plain number such as -3 stays a number.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)\Z")


def cell_text(value):
    """A value as a cell shows it: nothing for None, true/false for booleans (as YAML and the CSV reader spell them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def seat_change(line):
    """A licence line's seats as its plan row and its messages both show them: ``30 -> 20``; ``new -> 7`` for a
    subscription to be created, ``none -> 7`` when no subscription was found to read."""
    current = line.get("current")
    if current is None:
        current = "new" if line.get("action") == "create" else "none"
    return "%s -> %s" % (current, line.get("desired"))


def text_table(header, rows):
    """Lines of a table whose columns are as wide as their longest cell, two spaces apart, without trailing blanks."""
    table = [[cell_text(value) for value in row] for row in [header] + list(rows)]
    widths = [max(len(row[column]) for row in table) for column in range(len(header))]
    return ["  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip() for row in table]


def csv_cell(value):
    """A value as a CSV cell: as ``cell_text``, with a single quote before text a spreadsheet would run as a formula."""
    text = cell_text(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def csv_value(cell):
    """The value a cell written by ``csv_cell`` holds: without the quote put before a formula-like text."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def csv_text(header, rows):
    """A CSV file (RFC 4180): every field quoted, one line per row, ending with a line break; no cell a spreadsheet
    program would run as a formula (see ``csv_cell``)."""
    return "".join(",".join('"%s"' % csv_cell(value).replace('"', '""') for value in row) + "\n"
                   for row in [header] + list(rows))
