# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whose words a message uses for the options it names: the module's, or a role's. Private to this collection.

A user of the license_adjustment role sets ``license_adjustment_allow_decrease``, never ``allow_decrease``; a message
that names the option the module sees names nothing the user knows. So every message names options through
``name(option)``, and a role tells the module (option ``messages_for``) to use its variables instead. This mapping is
the one place where option names become role variables: the roles' own input checks (``_role_rules``) use it too.
"""

from __future__ import annotations

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

_current = {"names": ROLE_NAMES["module"]}


def use(role):
    """Name options as ``role`` does from now on in this process (a module serves one caller)."""
    _current["names"] = ROLE_NAMES[role or "module"]


def name(option):
    """What the caller sets for ``option``: the option itself, or the role variable that feeds it."""
    return _current["names"].get(option, option)


def role_name(role, option):
    """What a user of ``role`` sets for ``option``, whatever the process's current caller."""
    return ROLE_NAMES[role].get(option, option)
