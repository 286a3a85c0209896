# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The input of the filters that lay out rows (text_table, csv_text).
    DOCUMENTATION = r"""
options:
  _input:
    description: The rows, each a list of cells as long as O(header).
    type: list
    elements: list
    required: true
  header:
    description: The column names.
    type: list
    elements: str
    required: true
"""
