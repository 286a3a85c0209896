# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: onboarding_order_problems
short_description: The failed orders of the onboarding role, in its words
version_added: 1.1.0
description:
  - Used by the C(ingrammicro.marketplace.onboarding) role. One message per failed order of its
    M(ingrammicro.marketplace.im_order) loop, naming the customer's line in C(onboarding_customers) (counted from 1)
    and its external id; the module's own message names the line of the customer's C(subscriptions).
  - Before any write (without O(accounts)) the message says that no customer was created or changed; after the writes
    it says what exists now and how to continue (a customer created by this run is kept, and a rerun continues from it).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
options:
  _input:
    description: The results of the M(ingrammicro.marketplace.im_order) loop over C(onboarding_index).
    type: list
    elements: dict
    required: true
  customers:
    description: The role's C(onboarding_customers).
    type: list
    elements: dict
    required: true
  existing:
    description: The external ids of the customers that existed before the run; required with O(accounts).
    type: list
    elements: str
  accounts:
    description: The results of the M(ingrammicro.marketplace.im_customer) loop, once the run has written.
    type: list
    elements: dict
"""

EXAMPLES = r"""
- name: Stop before any write when an order could not be planned
  vars:
    problems: "{{ planned.results | ingrammicro.marketplace.onboarding_order_problems(onboarding_customers) }}"
  ansible.builtin.assert:
    that: problems.problems | length == 0
    fail_msg: "{{ problems.message }}"
    quiet: true
"""

RETURN = r"""
_value:
  description: C(problems) - one message per failed order; C(message) - all of them in one sentence, empty when there is none.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _onboarding_summary


def onboarding_order_problems(results, customers, existing=None, accounts=None):
    """The problems of the orders and the role's failure message; see DOCUMENTATION."""
    if accounts is not None and existing is None:
        raise AnsibleFilterError("onboarding_order_problems needs existing (the customers that existed before the run) with accounts")
    problems = _onboarding_summary.order_problems(results, customers, set(existing or ()), accounts)
    return {"problems": problems, "message": _onboarding_summary.order_problems_message(problems, written=accounts is not None)}


class FilterModule:
    def filters(self):
        return {"onboarding_order_problems": onboarding_order_problems}
