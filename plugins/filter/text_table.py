# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: text_table
short_description: Lay out rows as a text table whose columns are as wide as their longest cell
version_added: 1.1.0
description:
  - Used by the roles of this collection to show plans, results and reports; returns one string per line, the header
    first. C(None) is an empty cell, booleans are C(true) or C(false).
  - P(ingrammicro.marketplace.csv_text#filter) lays out the same rows as a CSV file.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.table
"""

EXAMPLES = r"""
- name: Show two rows as a table
  ansible.builtin.debug:
    msg: "{{ [['acme', 10], ['globex', 5]] | ingrammicro.marketplace.text_table(['customer', 'seats']) }}"
"""

RETURN = r"""
_value:
  description: The lines of the table, the header first.
  type: list
  elements: str
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base import _layout


class FilterModule:
    def filters(self):
        return {
            "text_table": lambda rows, header: _layout.text_table(header, rows),
        }
