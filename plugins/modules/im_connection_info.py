#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_connection_info
short_description: Check the connection to the Marketplace API and what the collection assumes about it, changing nothing
version_added: 1.0.0
description:
  - The first thing to run against a real account. Checks, one by one, that the Marketplace API answers at O(api_url) (a
    network, proxy or TLS problem is reported as such, naming the host and port, never as wrong credentials), that the
    credentials and marketplace work, which
    reseller the API user acts for, that the catalog is reachable, that lists come in the shape and pages the
    collection expects, that C(status) filters and C(subscriptionId) filters filter, and how the platform reads the
    quantity of a change order (from the price estimate of a one-seat change on an existing subscription; nothing is
    ordered).
  - Every check ends V(holds), V(does not hold) or V(could not be checked), with the evidence in words.
  - Only reads. The two POST requests it sends, C(/token) and C(/orders/estimate), create nothing.
  - The C(ingrammicro.marketplace.check_connection) playbook runs this module and prints the checks as a table.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes.info_module
  - ingrammicro.marketplace.messages
options:
  subscription_id:
    description:
      - The subscription whose one-seat change is estimated to see how change quantities are read. It must be active
        and have one product line.
      - By default the first such subscription found is used. One that is not visible, not active or has several
        product lines fails the task, naming it.
    type: str
notes:
  - Set O(token_cache=false) to have the credentials checked with a new token rather than one cached by an earlier task.
seealso:
  - module: ingrammicro.marketplace.im_api
"""

EXAMPLES = r"""
- name: Check the connection and the API's behaviour before the first real run
  ingrammicro.marketplace.im_connection_info:
    token_cache: false
  register: connection

- name: Show what does not hold
  ansible.builtin.debug:
    msg: "{{ connection.checks | rejectattr('result', 'equalto', 'holds') | list }}"

- name: Estimate the change on a subscription of your choice
  ingrammicro.marketplace.im_connection_info:
    subscription_id: "3000001"
"""

RETURN = r"""
checks:
  description: One entry per assumption, in the order checked.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Short name of the check, for example V(connection), V(credentials) or V(change quantity).
      type: str
    assumption:
      description: What the collection assumes.
      type: str
    result:
      description: V(holds), V(does not hold) or V(could not be checked).
      type: str
    evidence:
      description: What was seen, in words (never a secret).
      type: str
  sample:
    - {"name": "catalog", "assumption": "the catalog can be read", "result": "holds",
       "evidence": "GET /products lists 16 products, for example CFQ7TTC0LH18:0001:P1M (Microsoft 365 Business Basic (monthly term))"}
all_hold:
  description: V(false) when any check does not hold; checks that could not be run do not count.
  returned: always
  type: bool
reseller:
  description: The reseller the API user's customers belong to (C(id), C(name)), or V(null) when no customer was visible.
  returned: always
  type: dict
  sample: {"id": "2000001", "name": "Northwind Cloud Services"}
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.checks._connection_check import ConnectionCheck
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._module import MESSAGES_ARGUMENT_SPEC, IMModule


class ConnectionInfoModule(IMModule):

    def execute(self):
        return dict(ConnectionCheck(self.client, self.params["subscription_id"]).run(), changed=False)


def main():
    argument_spec = dict(subscription_id=dict(type="str"))
    argument_spec.update(MESSAGES_ARGUMENT_SPEC)
    ConnectionInfoModule(argument_spec).run()


if __name__ == "__main__":
    main()
