#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_plan_info
short_description: List and look up service plans in the Ingram Micro Cloud Marketplace
version_added: 1.0.0
description:
  - With O(id), returns that one service plan with the switches (upgrades and period changes) it allows
    (C(GET /plans/{id})), or an empty list when there is no such plan.
  - Without O(id), returns every service plan (C(GET /plans), every page). The API's listing has no filters and no
    switches.
  - Subscriptions refer to their plan by RV(plans[].id) (their C(plan_id)).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes.info_module
options:
  id:
    description:
      - Marketplace id of one service plan, for example the C(plan_id) of a subscription.
    type: str
seealso:
  - module: ingrammicro.marketplace.im_product_info
  - module: ingrammicro.marketplace.im_subscription_info
"""

EXAMPLES = r"""
- name: Read a subscription, to learn its plan
  ingrammicro.marketplace.im_subscription_info:
    id: "3000001"
  register: subscription

- name: The plan, with the switches it allows
  ingrammicro.marketplace.im_plan_info:
    id: "{{ subscription.subscriptions[0].plan_id }}"
  register: plan

- name: Show the plans it can switch to
  ansible.builtin.debug:
    msg: "{{ plan.plans[0].plan_switches | map(attribute='plan_id') | unique | list }}"

- name: Every service plan
  ingrammicro.marketplace.im_plan_info:
  register: all_plans
"""

RETURN = r"""
plans:
  description:
    - The service plans found, with keys in snake_case; an empty list when none match.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Marketplace id of the plan.
      type: str
      sample: "10001"
    name:
      description: Plan name.
      type: str
      sample: Microsoft 365 Business Basic
    short_description:
      description: Short description.
      type: str
      sample: Web and mobile Office apps, Exchange email, Teams
    long_description:
      description: Long description.
      type: str
      sample: "Microsoft 365 Business Basic: web and mobile Office apps, Exchange email, Teams."
    published:
      description: Whether the plan is published.
      type: bool
      sample: true
    subscription_periods:
      description: Terms the plan is sold for (C(type), C(duration), C(trial), C(active)).
      type: list
      elements: dict
      sample: [{"type": "month", "duration": 1, "trial": false, "active": true}]
    billing_period:
      description: How often the plan is billed (C(type), C(duration)).
      type: dict
      sample: {"type": "month", "duration": 1}
    billing_model:
      description: Billing model, for example V(chargeBeforeBillingPeriod).
      type: str
      sample: chargeBeforeBillingPeriod
    plan_switches:
      description:
        - Switches the plan allows, each with C(plan_id) (the target plan, a number), C(subscription_period),
          C(source_subscription_period), C(billing_policy) and C(when_effective).
      type: list
      elements: dict
      returned: when looked up by O(id)
      sample: [{"plan_id": 10002, "subscription_period": {"type": "year", "duration": 1},
                "source_subscription_period": {"type": "year", "duration": 1}, "billing_policy": "prorate_keeping_exp_date",
                "when_effective": "immediately"}]
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._info_helpers import get_one
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMInfo


class PlanInfoModule(IMInfo):
    result_key = "plans"

    def items(self):
        if self.params["id"]:
            return get_one(self.client, "/plans", self.params["id"])
        return self.client.paginate("/plans")


def main():
    PlanInfoModule(dict(id=dict(type="str"))).run()


if __name__ == "__main__":
    main()
