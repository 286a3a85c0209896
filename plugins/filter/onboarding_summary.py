# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: onboarding_summary
short_description: What the onboarding role did or would do for each customer, as records and as the lines it shows
version_added: 1.1.0
description:
  - Used by the C(ingrammicro.marketplace.onboarding) role, from the results of its tasks. One record per customer, in
    input order - the C(onboarding_summary) fact - and the lines the role prints, one per customer and a total line.
  - In check mode the planned orders are the orders; a customer that does not exist yet cannot be priced by the API,
    so what it would buy is priced from the catalog when every line has one catalog price.
  - Prices say the billing period they are charged for; amounts are added up exactly, per currency and billing period.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
options:
  _input:
    description: The role's C(onboarding_customers).
    type: list
    elements: dict
    required: true
  existing:
    description: The external ids of the customers that existed before the run.
    type: list
    elements: str
    required: true
  accounts:
    description: The results of the M(ingrammicro.marketplace.im_customer) loop, one per customer.
    type: list
    elements: dict
    required: true
  planned:
    description: The results of the M(ingrammicro.marketplace.im_order) loop in check mode, one per customer.
    type: list
    elements: dict
    required: true
  ordered:
    description: The results of the M(ingrammicro.marketplace.im_order) loop that orders, one per customer (skipped in check mode).
    type: list
    elements: dict
    default: []
  catalog:
    description:
      - The results of the M(ingrammicro.marketplace.im_product_info) loop over C(onboarding_mpn), in check mode, for
        what customers that do not exist yet would buy.
    type: list
    elements: dict
    default: []
  check_mode:
    description: Whether the run is in check mode.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Summarise each customer and show the summary
  vars:
    summarised: >-
      {{ onboarding_customers | ingrammicro.marketplace.onboarding_summary(
           existing=existing.customers | map(attribute='external_id') | list, accounts=customer_results.results,
           planned=planned.results, ordered=order_results.results, catalog=catalog.results, check_mode=ansible_check_mode) }}
  block:
    - name: Keep the records
      ansible.builtin.set_fact:
        onboarding_summary: "{{ summarised.customers }}"
    - name: Show the lines
      ansible.builtin.debug:
        msg: "{{ summarised.lines }}"
"""

RETURN = r"""
_value:
  description:
    - C(customers) - one record per customer with C(external_id), C(name), C(customer_id), C(account) (V(created),
      V(updated), V(unchanged), V(would create), V(would update)), C(action) (V(ordered), V(would order),
      V(order exists), V(nothing to order), V(order failed), V(no subscriptions)), C(products) (C(mpn), C(quantity),
      C(name), C(catalog_price)), C(skipped), C(prices) (C(amount) as text, C(currency), C(per), C(source) V(estimate)
      or V(catalog)), C(not_validated) and C(order) (C(id), C(order_number), C(status), C(po_number)) or V(null).
    - C(lines) - one line per customer, then the total line.
  type: dict
"""

from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _onboarding_summary


def onboarding_summary(customers, existing, accounts, planned, ordered=None, catalog=None, check_mode=False):
    """The records and lines of an onboarding run; see DOCUMENTATION."""
    records = _onboarding_summary.summary(customers, set(existing), accounts, planned, ordered or [], catalog or [], bool(check_mode))
    return {"customers": records, "lines": _onboarding_summary.summary_lines(records, bool(check_mode))}


class FilterModule:
    def filters(self):
        return {"onboarding_summary": onboarding_summary}
