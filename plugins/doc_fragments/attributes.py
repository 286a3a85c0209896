# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Attributes of modules that change the Marketplace (check mode and diff supported).
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and return the changed status and result a real run would give, without writing.
    support: full
  diff_mode:
    description: Returns the object before and after the change when run with C(--diff).
    support: full
  action_group:
    description: Use C(group/ingrammicro.marketplace.all) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - ingrammicro.marketplace.all
"""

    # Attributes of the read-only *_info modules.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Can run in check mode; it only reads, so it does the same as in a normal run.
    support: full
  diff_mode:
    description: Does not change anything, so there is no diff.
    support: N/A
  action_group:
    description: Use C(group/ingrammicro.marketplace.all) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - ingrammicro.marketplace.all
"""
