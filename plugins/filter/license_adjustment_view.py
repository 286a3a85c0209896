# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: license_adjustment_view
short_description: What the license_adjustment role shows and writes of an im_licenses result
version_added: 1.1.0
description:
  - Used by the C(ingrammicro.marketplace.license_adjustment) role. Lays out the plan or the result of
    M(ingrammicro.marketplace.im_licenses) as the table the role shows (one row per licence line, then a total line
    and what the change quantities were sent as) and as the rows of the audit CSV.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
options:
  _input:
    description: The registered result of M(ingrammicro.marketplace.im_licenses).
    type: dict
    required: true
  check_mode:
    description: Whether the run is in check mode (the table then shows prices instead of results).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Show the plan or the result, one row per line
  ansible.builtin.debug:
    msg: "{{ (result | ingrammicro.marketplace.license_adjustment_view(check_mode=ansible_check_mode)).table }}"
"""

RETURN = r"""
_value:
  description:
    - C(msg) and C(plan) - the module's message and plan; C(planned) - whether the module got as far as a plan.
    - C(table) - the lines to show; C(csv) - the audit CSV's text.
  type: dict
"""

from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _adjustment_view


def license_adjustment_view(result, check_mode=False):
    return _adjustment_view.view(result or {}, bool(check_mode))


class FilterModule:
    def filters(self):
        return {"license_adjustment_view": license_adjustment_view}
