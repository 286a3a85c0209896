# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: csv_text
short_description: Lay out rows as a CSV file, every field quoted
version_added: 1.1.0
description:
  - Used by the roles of this collection to write audit files and reports (RFC 4180, every field quoted, one line per
    row, the header first). C(None) is an empty cell, booleans are C(true) or C(false).
  - A cell that begins with V(=), V(+), V(-), V(@), a tab or a carriage return is written with a single quote before
    it, so that a spreadsheet program shows it as text instead of running it as a formula (CSV injection); plain
    numbers such as V(-3) stay numbers.
  - P(ingrammicro.marketplace.text_table#filter) lays out the same rows as a text table.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.table
"""

EXAMPLES = r"""
- name: Write two rows as CSV
  ansible.builtin.copy:
    dest: /tmp/seats.csv
    content: "{{ [['acme', 10], ['globex', 5]] | ingrammicro.marketplace.csv_text(['customer', 'seats']) }}"
    mode: "0600"
"""

RETURN = r"""
_value:
  description: The CSV file's text.
  type: str
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base import _layout


class FilterModule:
    def filters(self):
        return {
            "csv_text": lambda rows, header: _layout.csv_text(header, rows),
        }
