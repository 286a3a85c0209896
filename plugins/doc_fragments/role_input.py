# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The options the role_input filter and lookup share (both run plugin_utils/_role_rules.check).
    DOCUMENTATION = r"""
options:
  existing:
    description:
      - onboarding - the external ids of the customers that exist; customers not among them are checked for what
        creating them needs.
    type: list
    elements: str
"""
