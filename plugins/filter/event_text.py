# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: event_text
short_description: Say in words what an event of the marketplace_events source means
version_added: 1.1.0
description:
  - Turns an event of the C(ingrammicro.marketplace.marketplace_events) event source (Event-Driven Ansible) into words
    for a person.
  - >-
    By default one sentence that says what happened - for an order, its number and type, the customer, how it ended,
    the products ordered with their seats and the platform's message (for example
    C(Change order SO000014 of customer HOOLI-005 ended in error: Microsoft 365 Business Basic, 7 seats - "Insufficient funds"));
    for a subscription, its id and product, the customer and the change in seats or status, or the renewal date.
  - With O(form=line), the event's facts on one line - the kind of change (the event's C(type)), the customer's external
    id, the subscription and product or the order, before and after, and when it was observed - to search or filter on.
  - The C(ingrammicro.marketplace.marketplace_event) playbook, which the collection's rulebooks run, shows and mails it.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
options:
  _input:
    description: The event, as a rulebook hands it to a playbook (C(ansible_eda.event)).
    type: dict
    required: true
  form:
    description: V(sentence) for what happened in words, V(line) for the event's facts on one line.
    type: str
    choices: [sentence, line]
    default: sentence
"""

EXAMPLES = r"""
- name: Say what happened
  ansible.builtin.debug:
    msg: "{{ ansible_eda.event | ingrammicro.marketplace.event_text }}"

- name: The event's facts on one line
  ansible.builtin.debug:
    msg: "{{ ansible_eda.event | ingrammicro.marketplace.event_text(form='line') }}"
"""

RETURN = r"""
_value:
  description:
    - >-
      V(sentence) - for example C(Change order SO000014 of customer HOOLI-005 ended in error: Microsoft 365 Business Basic,
      7 seats - "Insufficient funds").
    - >-
      V(line) - for example seats_changed: customer ACME-001, subscription 3000001 (Microsoft 365 Business Standard), order
      SO000014: seats 25 -> seats 27 (observed 2026-12-06T09:53:05Z).
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.events import _events
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _event_words


def event_text(event, form="sentence"):
    """The event in words; see DOCUMENTATION."""
    if not isinstance(event, dict):
        raise AnsibleFilterError("event_text: the input must be an event (a dictionary), not %s" % type(event).__name__)
    if form == "sentence":
        return _event_words.sentence(event)
    if form == "line":
        return _events.describe(event)
    raise AnsibleFilterError("event_text: unknown form %r (sentence or line)" % form)


class FilterModule:
    def filters(self):
        return {"event_text": event_text}
