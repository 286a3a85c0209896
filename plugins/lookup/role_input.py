# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: role_input
short_description: A role's variables, checked with the rules the modules use, before anything is sent
version_added: 1.1.0
description:
  - Gathers the variables of one of the collection's roles (its documented input, as set for the host) and checks them
    with the same rule code the modules apply to the same values - licence lines, licence CSVs, order lines, customers,
    mail settings - returning every problem found.
  - Each problem names the variable, the line (counted from 1, as the role's tables count) or the file, row and column,
    the field, what was given, and the fix, in the words of the role's user.
  - The collection's roles run it first through their dependency on the C(ingrammicro.marketplace.role_input) role, so
    that a role named in a plain C(roles:) entry and a role run by the collection's playbooks give the same messages,
    before Ansible's own check of the role's argument spec.
  - On a host of the C(ingrammicro.marketplace.customers) inventory, license_adjustment lines that name neither a
    customer nor a subscription are for that host's customer.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.role_input
options:
  _terms:
    description: The role whose variables to check.
    type: list
    elements: str
    required: true
    choices: [license_adjustment, onboarding, license_report]
"""

EXAMPLES = r"""
- name: Check the input of the license_report role before anything is sent
  vars:
    checked: "{{ lookup('ingrammicro.marketplace.role_input', 'license_report') }}"
  ansible.builtin.assert:
    that: checked.problems | length == 0
    fail_msg: "{{ checked.message }}"
    quiet: true
"""

RETURN = r"""
_raw:
  description:
    - One dictionary. C(problems) - one entry per problem with C(variable), C(line) (from 1, or null), C(field),
      C(given) and C(message); C(message) - all problems in one sentence, empty when there is none.
    - license_adjustment - C(lines), the licence lines with the host's customer filled in.
    - license_report - C(customers) and C(statuses), the filters as lists.
    - license_adjustment and license_report - C(mail_to), the recipients of the role's mail as a list (empty - no mail).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _role_rules


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if len(terms) != 1 or terms[0] not in _role_rules.ROLES:
            raise AnsibleLookupError("role_input: give one role, %s; got %s" % (", ".join(_role_rules.ROLES), ", ".join(map(str, terms))))
        role = terms[0]
        variables = variables or {}
        # The role's documented input, as the task sees it (templated), and nothing else of the host's variables.
        given = {name: self._templar.template(variables[name]) for name in _role_rules.ROLE_VARIABLES[role] if name in variables}
        customer = self._templar.template(_role_rules.host_customer(variables)) if role == "license_adjustment" else None
        try:
            return [_role_rules.check(role, given, customer, self.get_option("existing"))]
        except IMConfigError as exc:
            raise AnsibleLookupError(str(exc)) from None
