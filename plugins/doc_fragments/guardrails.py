# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The seat-change guardrails of im_subscription and im_licenses. Must stay identical to guardrail_argument_spec()
    # in plugins/module_utils/licences/_seats.py (a unit test compares them).
    DOCUMENTATION = r"""
options:
  allow_decrease:
    description:
      - Allow a subscription's seats to be lowered. Off by default, so a typo cannot remove seats.
      - Many licence programmes (Microsoft NCE among them) accept decreases only shortly after purchase or renewal; see
        O(decrease_window_days).
    type: bool
    default: false
  max_increase:
    description:
      - The most seats one subscription may gain. A larger increase fails the task before anything is ordered.
    type: int
  max_decrease:
    description:
      - The most seats one subscription may lose (with O(allow_decrease=true)). A larger decrease fails the task before
        anything is ordered.
    type: int
"""
