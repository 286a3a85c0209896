# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a module hands the object that holds its workflow (SalesOrder, SubscriptionChange). Private to this collection."""

from __future__ import annotations


class ModuleWorkflow:
    """A module's workflow, given the module's client, an OrderDesk, ``waiter()`` (a Waiter for the module's wait
    settings), ``warn(message)``, ``present(record)`` (an API record as the module returns it), the module's options
    and whether it runs in check mode. ``context`` holds what a failure returns beside its message (an order placed)."""

    def __init__(self, client, desk, waiter, warn, present, params, check_mode=False):
        self.client = client
        self.desk = desk
        self.waiter = waiter
        self.warn = warn
        self.present = present
        self.params = params
        self.check_mode = check_mode
        self.context = {}
