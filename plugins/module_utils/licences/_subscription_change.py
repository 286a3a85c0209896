# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One subscription brought to what im_subscription declares: its seats (a change order from the seats read under the
lock, guarded, priced and read back), its in-place settings (renewal, attributes, prices), or its end (a cancellation
order). Private to this collection; ``im_subscription`` checks its input, finds the subscription and runs this.
"""

from __future__ import annotations

import copy

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._dates import today_utc
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMError, IMOrderRaceError, IMWaitError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _quantity_reading as quantity_reading
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _subscription_edits as edits
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._canary import record_confirmation
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import (
    ENDED_SUBSCRIPTION_STATUSES, catalog_entry, find_products, path_id,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import describe
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._workflow import ModuleWorkflow


class SubscriptionChange(ModuleWorkflow):
    """What im_subscription does to one subscription. ``present(record)`` shows an API record as the module returns it;
    ``context`` holds what a failure returns beside its message (the order placed). Both methods return
    ``(changed, before, after, extra)``: the subscription as read (once its open orders were settled), after the change
    (or as it would be, in check mode), and the result's other values (``estimate``, ``plan``, ``order``,
    ``quantity_reading``)."""

    def keep(self, subscription, mpn, guardrails):
        """The declared seats and settings of an active subscription."""
        params = self.params
        wanted = params["quantity"]
        if wanted is not None and wanted != _seats.seats(subscription, mpn):
            entry = catalog_entry(find_products(self.client, mpn, _seats.product_line(subscription, mpn).get("vendor")), subscription)
            if entry is not None:
                _seats.check_limits(entry, wanted, "quantity")
            subscription = self.desk.settled_subscription(subscription, self.waiter(), self.check_mode)
        elif any(edits.in_place_changes(params, subscription, mpn)):
            subscription = self.desk.settled_subscription(subscription, self.waiter(), self.check_mode)
        current = _seats.seats(subscription, mpn)
        desired = current if wanted is None else wanted
        start, renewal = _seats.term_dates(subscription)
        action, reason, deferred_until = _seats.decide(current, desired, guardrails, params["decrease_window_days"], start, renewal, today_utc())
        if action == _seats.BLOCKED:
            raise IMError("subscription %s (%s): %s; nothing was changed" % (subscription["id"], mpn, reason))
        if action == _seats.DEFERRED:
            self.warn("subscription %s (%s): the decrease from %d to %d seats is deferred: %s (from %s)"
                      % (subscription["id"], mpn, current, desired, reason, deferred_until))
        patch, special = edits.in_place_changes(params, subscription, mpn)
        change_quantity = self.client.config.change_quantity
        order_body = estimate = None
        extra = {}
        if action in _seats.ORDERING:
            order_body = _seats.change_order(subscription, mpn, current, desired, change_quantity, params["po_number"])
            estimate = self.desk.estimate(order_body)
            extra.update(estimate=self.present(estimate), quantity_reading=quantity_reading.prove_estimate(
                estimate, mpn, current, desired, change_quantity, _seats.product_line(subscription, mpn).get("unitPrice")))
        if wanted is not None:
            extra["plan"] = dict(self._plan(subscription, mpn, desired, action, estimate), reason=reason, deferred_until=deferred_until)
        if not (order_body or patch or special):
            return False, subscription, subscription, extra
        if self.check_mode:
            return True, subscription, edits.simulate(subscription, mpn, desired, patch, special), extra
        after = edits.apply(self.client, subscription, patch, special, self.warn)
        if order_body is None:
            return True, subscription, after, extra
        return self._order_seats(subscription, mpn, current, desired, bool(patch or special), extra)

    def end(self, subscription, mpn):
        """A cancellation order for a subscription that has not ended."""
        if subscription is None or subscription.get("status") in ENDED_SUBSCRIPTION_STATUSES:
            return False, subscription, subscription, {}
        subscription = self.desk.settled_subscription(subscription, self.waiter(), self.check_mode)
        if subscription.get("status") in ENDED_SUBSCRIPTION_STATUSES:
            return False, subscription, subscription, {}
        body = _seats.cancellation_order(subscription, self.params["po_number"])
        estimate = self.desk.estimate(body)
        extra = {"estimate": self.present(estimate), "plan": self._plan(subscription, mpn, 0, "cancel", estimate)}
        if self.check_mode:
            return True, subscription, dict(copy.deepcopy(subscription), status="terminated"), extra
        order, _withdrawn = self._order_alone(subscription["id"], lambda record: None if record.get("status") in ENDED_SUBSCRIPTION_STATUSES else body)
        after = self.client.get("/subscriptions/%s" % path_id(subscription["id"]))
        if order is None:
            # Another order ended the subscription while this task ran (checked under the lock).
            return False, subscription, after, extra
        extra["order"] = self.present(order)
        return True, subscription, after, extra

    def _order_seats(self, subscription, mpn, current, desired, edited, extra):
        """The change order, from the seats read under the lock, then the seats read back and verified."""
        change_quantity = self.client.config.change_quantity
        fresh = {}
        order, withdrawn = self._order_alone(subscription["id"], lambda record: _seats.change_from_fresh(
            fresh.setdefault("record", record), mpn, current, desired, change_quantity, self.params["po_number"]))
        after = self.client.get("/subscriptions/%s" % path_id(subscription["id"]))
        if order is None:
            # Another order reached the seats between our planning and our order (checked under the lock), or raced
            # ours and ours was withdrawn.
            seats = _seats.seats(after, mpn)
            if seats != desired:
                raise IMError("another run's order changed subscription %s while this task ran, to %d seats instead of %d; "
                              "nothing of this task's stands. Run it again to plan from %d" % (subscription["id"], seats, desired, seats))
            self.warn("another order reached %d seats on subscription %s while this task ran; nothing was ordered%s"
                      % (desired, subscription["id"], " (this task's %s was withdrawn)" % describe(withdrawn) if withdrawn else ""))
            return bool(edited or withdrawn), subscription, after, extra
        extra["order"] = self.present(order)
        if self.params["wait"]:
            _seats.verify_seats(after, mpn, desired, describe(order), change_quantity, _seats.seats(fresh["record"], mpn))
            # A verified change confirms the reading for runs of im_licenses that follow.
            record_confirmation(self.client, order, subscription["id"], self.warn)
        return True, subscription, after, extra

    @staticmethod
    def _plan(subscription, mpn, desired, action, estimate):
        current = _seats.seats(subscription, mpn)
        return {"customer_id": subscription.get("customerId"), "subscription_id": subscription.get("id"), "mpn": mpn,
                "current": current, "desired": desired, "delta": desired - current, "action": action,
                "price_change": _seats.price_change(estimate, subscription.get("billingPeriod"))}

    def _order_alone(self, subscription_id, build):
        """``(order, withdrawn)`` of ``OrderDesk.order_alone``; an order that failed is in ``context`` with the error."""
        try:
            order, withdrawn = self.desk.order_alone(subscription_id, build, self.waiter(), follow=self.params["wait"])
        except IMOrderRaceError as race:
            self.context["order"] = self.present(race.order)
            raise
        except IMWaitError as exc:
            self.context["order"] = self.present(exc.last)
            raise
        if withdrawn:
            self.context["order"] = self.present(withdrawn)
        return order, withdrawn
