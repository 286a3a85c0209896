# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The option of modules whose messages a role of this collection shows to its users. Mirrors
    # MESSAGES_ARGUMENT_SPEC in plugins/module_utils/resources/_module.py.
    DOCUMENTATION = r"""
options:
  messages_for:
    description:
      - Whose names the messages use for the options they mention - V(module), this module's own options, or a role or
        playbook of this collection, whose users set its variables instead (for example V(license_adjustment) names
        C(allow_decrease) C(license_adjustment_allow_decrease)).
      - The roles and playbooks set it; playbooks calling the module directly leave it unset.
    type: str
    choices: [module, license_adjustment, onboarding, license_report, check_connection]
    default: module
"""
