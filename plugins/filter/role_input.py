# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: role_input
short_description: Check a role's variables with the rules the modules use, before anything is sent
version_added: 1.1.0
description:
  - Checks a role's variables with the same rule code the modules apply to the same values (licence lines, licence CSVs,
    order lines, customers) and returns every problem found. The roles of this collection check their input with the
    P(ingrammicro.marketplace.role_input#lookup) lookup, which gathers the variables itself and runs the same rules.
  - Each problem names the variable, the line (counted from 1, as the role's tables count) or the file, row and column,
    the field, what was given, and the fix, in the words of the role's user.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.role_input
options:
  _input:
    description: The role's variables by name (for example from C(ansible.builtin.varnames) and C(ansible.builtin.vars)).
    type: dict
    required: true
  role:
    description: The role whose variables they are.
    type: str
    required: true
    choices: [license_adjustment, onboarding, license_report]
  host_customer:
    description:
      - license_adjustment - the customer of a host of the C(ingrammicro.marketplace.customers) inventory, which lines
        that name neither a customer nor a subscription are for.
    type: str
"""

EXAMPLES = r"""
- name: Check the input before anything is sent
  vars:
    checked: "{{ dict(names | zip(query('ansible.builtin.vars', *names))) | ingrammicro.marketplace.role_input('license_report') }}"
    names: "{{ query('ansible.builtin.varnames', '^license_report_') }}"
  ansible.builtin.assert:
    that: checked.problems | length == 0
    fail_msg: "{{ checked.message }}"
    quiet: true
"""

RETURN = r"""
_value:
  description:
    - C(problems) - one entry per problem with C(variable), C(line) (from 1, or null), C(field), C(given) and
      C(message); C(message) - all problems in one sentence, empty when there is none.
    - license_adjustment - C(lines), the licence lines with the host's customer filled in.
    - license_report - C(customers) and C(statuses), the filters as lists.
    - license_adjustment and license_report - C(mail_to), the recipients of the role's mail as a list (empty - no mail).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _role_rules


def role_input(variables, role, host_customer=None, existing=None):
    """Check the variables of ``role``; see DOCUMENTATION."""
    if not isinstance(variables, dict):
        raise AnsibleFilterError("role_input expects the role's variables as a mapping, got %s" % type(variables).__name__)
    try:
        return _role_rules.check(role, variables, host_customer, existing)
    except IMConfigError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"role_input": role_input}
