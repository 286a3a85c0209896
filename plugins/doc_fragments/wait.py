# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options of modules that wait for an asynchronous object (order, report). Mirrors WAIT_ARGUMENT_SPEC in
    # plugins/module_utils/resources/_module.py.
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until the order or report reaches a final state before returning.
      - Polling starts after half a second and slows down to one poll every 15 seconds.
      - Nothing is waited for in check mode.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true). The task fails with the last status seen when time runs out.
    type: int
    default: 900
"""
