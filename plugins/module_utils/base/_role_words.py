# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whose words a message uses for the options it names: the module's, or a role's. Private to this collection.

A user of the license_adjustment role sets ``license_adjustment_allow_decrease``, never ``allow_decrease``; a message
that names the option the module sees names nothing the user knows. So code that makes a message names an option with
``option(name)``, which marks it, and the edge - the module base, the event source, the inventory - says the whole
result once with the caller's ``Vocabulary``: the option itself for a playbook, the role variable for a role (option
``messages_for``). No code below the edge knows who the caller is. This mapping is the one place where option names
become role variables: the roles' own input checks (``role_name``) use it too.
"""

from __future__ import annotations

import re

# Option of the module -> what the role's user sets instead.
ROLE_NAMES = {
    "module": {},
    "license_adjustment": {
        "licenses": "license_adjustment_licenses",
        "licenses_csv": "license_adjustment_licenses_csv",
        "allow_decrease": "license_adjustment_allow_decrease",
        "max_increase": "license_adjustment_max_increase",
        "max_decrease": "license_adjustment_max_decrease",
        "max_cost_delta": "license_adjustment_max_cost_delta",
        "decrease_window_days": "license_adjustment_decrease_window_days",
        "plan_file": "license_adjustment_plan_file",
        "po_number": "license_adjustment_po_number",
        "concurrency": "license_adjustment_concurrency",
        "wait": "license_adjustment_wait",
        "wait_timeout": "license_adjustment_wait_timeout",
        "audit_dir": "license_adjustment_output_dir",
        "canary": "license_adjustment_canary",
    },
    "onboarding": {
        "customers": "onboarding_customers",
        "products": "subscriptions",
        "wait": "onboarding_wait",
        "wait_timeout": "onboarding_wait_timeout",
    },
    "license_report": {
        "customer": "license_report_customers",
        "status": "license_report_status",
        "concurrency": "license_report_concurrency",
    },
    "check_connection": {
        "subscription_id": "check_connection_subscription_id",
    },
}
ROLES = tuple(ROLE_NAMES)
_MARKED = re.compile(r"\u27e8(\w+)\u27e9")

# How an option is marked in a message until the edge says it (visible as such if an edge were ever missed).
OPEN, CLOSE = "\u27e8", "\u27e9"


def option(name):
    """``name`` marked as an option in a message; ``Vocabulary.say`` writes it as the caller knows it."""
    return OPEN + name + CLOSE


def role_name(role, name):
    """What a user of ``role`` sets for the option ``name``."""
    return ROLE_NAMES[role or "module"].get(name, name)


class Vocabulary:
    """The words of one caller (a role, or ``module`` for a playbook's own task): ``say`` writes the options marked in a
    message, or in every string of a result, as that caller names them."""

    def __init__(self, role="module"):
        self.role = role or "module"
        self.names = ROLE_NAMES[self.role]

    def say(self, value):
        if isinstance(value, str):
            if OPEN not in value:
                return value
            return _MARKED.sub(lambda match: self.names.get(match.group(1), match.group(1)), value)
        if isinstance(value, dict):
            return {key: self.say(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.say(item) for item in value)
        return value
