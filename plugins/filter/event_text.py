# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: event_text
short_description: Say in one line what an event of the marketplace_events source means
version_added: 1.1.0
description:
  - Turns an event of the C(ingrammicro.marketplace.marketplace_events) event source (Event-Driven Ansible) into one
    line for a person - the kind of change, the customer's external id, the subscription and product or the order,
    before and after, and when it was observed.
  - The C(ingrammicro.marketplace.marketplace_event) playbook, which the collection's rulebooks run, shows and mails it.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
options:
  _input:
    description: The event, as a rulebook hands it to a playbook (C(ansible_eda.event)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Say what happened
  ansible.builtin.debug:
    msg: "{{ ansible_eda.event | ingrammicro.marketplace.event_text }}"
"""

RETURN = r"""
_value:
  description:
    - "The line, for example C(seats_changed: customer ACME-001, subscription 3000001 (Microsoft 365 Business Standard),
      order SO000014: seats 25 -> seats 27 (observed 2026-12-06T09:53:05Z))."
  type: str
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils import _events


class FilterModule:
    def filters(self):
        return {"event_text": _events.describe}
