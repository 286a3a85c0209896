# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seat planning: from a subscription and a desired seat count to a guarded, priced change. Private to this collection.

Shared by ``im_subscription`` (one line) and the bulk licence reconciliation, so both plan, guard and order seat
changes the same way. Seat counts change only through ``change`` orders: the API has no quantity in its
subscription update.
"""

from __future__ import annotations

import calendar
import datetime

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError, IMSeatMismatchError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._quantity_reading import explain_seats, sent_quantity

INCREASE, DECREASE, NONE, BLOCKED, CREATE, DEFERRED = "increase", "decrease", "none", "blocked", "create", "deferred"
# Actions that place an order.
ORDERING = (INCREASE, DECREASE, CREATE)


class Guardrails:
    """Limits evaluated before any order: decreases need ``allow_decrease``; ``max_*`` cap the seats changed per line."""

    def __init__(self, allow_decrease=False, max_increase=None, max_decrease=None):
        for key, value in (("max_increase", max_increase), ("max_decrease", max_decrease)):
            if value is not None and value < 0:
                raise IMConfigError("%s must be 0 or more, got %d" % (option(key), value))
        self.allow_decrease = allow_decrease
        self.max_increase = max_increase
        self.max_decrease = max_decrease

    def judge(self, current, desired):
        """``(action, reason)`` for moving from ``current`` to ``desired`` seats; ``reason`` is set when blocked."""
        delta = desired - current
        if delta == 0:
            return NONE, None
        if delta > 0:
            if self.max_increase is not None and delta > self.max_increase:
                return BLOCKED, "an increase of %d seats exceeds %s %d" % (delta, option("max_increase"), self.max_increase)
            return INCREASE, None
        if not self.allow_decrease:
            return BLOCKED, "a decrease from %d to %d seats needs %s: true" % (current, desired, option("allow_decrease"))
        if self.max_decrease is not None and -delta > self.max_decrease:
            return BLOCKED, "a decrease of %d seats exceeds %s %d" % (-delta, option("max_decrease"), self.max_decrease)
        return DECREASE, None


def guardrail_argument_spec():
    """The options ``Guardrails`` is made from, shared by ``im_subscription`` and ``im_licenses``. Documented by the
    ``guardrails`` doc fragment, which must stay identical (a unit test compares them)."""
    return dict(
        allow_decrease=dict(type="bool", default=False),
        max_increase=dict(type="int"),
        max_decrease=dict(type="int"),
    )


def _shift(day, period, sign):
    """``day`` moved by a subscription period (``{"type": "month", "duration": 1}``) forwards (+1) or backwards (-1)."""
    unit, count = (period or {}).get("type"), int((period or {}).get("duration") or 0) * sign
    if unit == "day":
        return day + datetime.timedelta(days=count)
    months = count * 12 if unit == "year" else count if unit == "month" else 0
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _iso_date(value):
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def term_dates(subscription):
    """``(start of the current term, next renewal)`` as dates, from the subscription's dates; ``None`` where unknown."""
    renewal = _iso_date(subscription.get("renewalDate")) or _iso_date(subscription.get("expirationDate"))
    created = _iso_date(subscription.get("creationDate"))
    start = _shift(renewal, subscription.get("subscriptionPeriod"), -1) if renewal else None
    if created and (start is None or created > start):
        start = created
    return start, renewal


def decide(current, desired, guardrails, window_days=None, term_start=None, renewal=None, today=None):
    """The plan for one line: ``(action, reason, deferred_until)``. Pure: no I/O.

    ``current`` is ``None`` when the customer holds no subscription of the product (the line creates one). A decrease
    outside the decrease window (``window_days`` after the start of the current term) is ``deferred`` to the next
    renewal, when a new window opens; it is judged by the guardrails first, so a forbidden decrease stays blocked.
    """
    if current is None:
        action, reason = guardrails.judge(0, desired)
        return (CREATE if action == INCREASE else action), reason, None
    action, reason = guardrails.judge(current, desired)
    if action == DECREASE and window_days is not None and term_start is not None:
        today = today or datetime.date.today()
        closes = term_start + datetime.timedelta(days=window_days)
        if today > closes:
            reason = ("decreases are accepted only within %d days of purchase or renewal (this term began %s); possible again "
                      "from the next renewal" % (window_days, term_start.isoformat()))
            return DEFERRED, reason, renewal.isoformat() if renewal else None
    return action, reason, None


# What a licence plan reads of a subscription (the API's SubscriptionDetailed): kept per line instead of the whole
# answer, so that a run of 100,000 lines holds a few hundred bytes for each, not every price, cost and parameter.
PLANNED_FIELDS = ("id", "name", "customerId", "status", "creationDate", "renewalDate", "expirationDate", "billingPeriod",
                  "subscriptionPeriod")
PLANNED_LINE_FIELDS = ("id", "mpn", "name", "vendor", "quantity", "unitPrice")


def planning_record(subscription):
    """The fields of ``subscription`` a licence plan uses (``None`` stays ``None``)."""
    if subscription is None:
        return None
    record = {key: subscription[key] for key in PLANNED_FIELDS if key in subscription}
    record["products"] = [{key: line[key] for key in PLANNED_LINE_FIELDS if key in line} for line in subscription.get("products") or []]
    return record


def product_line(subscription, mpn=None):
    """The subscription's product line for ``mpn`` (or its only line when ``mpn`` is ``None``)."""
    lines = subscription.get("products") or []
    if mpn is None:
        if len(lines) != 1:
            raise IMError("subscription %s has %d product lines; give mpn to say which one's seats to manage"
                          % (subscription.get("id"), len(lines)))
        return lines[0]
    for line in lines:
        if line.get("mpn") == mpn:
            return line
    raise IMError("subscription %s has no product %s (it has %s)" % (
        subscription.get("id"), mpn, ", ".join(str(line.get("mpn")) for line in lines) or "no product lines"))


def seats(subscription, mpn=None):
    """The seat count (unit limit) of the subscription's line for ``mpn``."""
    return int(float(product_line(subscription, mpn).get("quantity") or 0))


def _limit(raw):
    try:
        return int(float(raw))
    except (TypeError, ValueError):
        return None


def check_limits(product, quantity, where):
    """Fail when ``quantity`` is outside the catalog's minimum/maximum for ``product`` (the API would refuse it)."""
    low, high = _limit(product.get("minimumQuantity")), _limit(product.get("maximumQuantity"))
    if low is not None and quantity < low:
        raise IMConfigError("%s: %d seats of %s is below the minimum of %d the catalog allows" % (where, quantity, product.get("mpn"), low))
    if high is not None and quantity > high:
        raise IMConfigError("%s: %d seats of %s is above the maximum of %d the catalog allows" % (where, quantity, product.get("mpn"), high))


def change_order(subscription, mpn, current, desired, change_quantity, po_number=None):
    """The ``change`` order body: the new total on the line (or the signed delta when ``change_quantity`` is delta)."""
    quantity = sent_quantity(current, desired, change_quantity)
    return with_po_number({
        "type": "change",
        "customerId": subscription["customerId"],
        "subscriptionId": subscription["id"],
        "products": [{"mpn": mpn, "quantity": quantity, "subscriptionId": subscription["id"]}],
    }, po_number)


def change_from_fresh(fresh, mpn, planned_from, desired, change_quantity, po_number=None):
    """The change order body from ``fresh`` (the subscription read under its lock, once no order is open on it), or
    ``None`` when it has the desired seats already.

    Seats that moved against the plan, or further from the goal than planned, are not ordered from: the guardrails
    and the price were judged for the planned change.
    """
    current = seats(fresh, mpn)
    if current == desired:
        return None
    if (desired - current > 0) != (desired - planned_from > 0) or abs(desired - current) > abs(desired - planned_from):
        raise IMError("another order changed subscription %s (%s) from %d to %d seats since the plan was made; nothing was "
                      "ordered: run again to plan from %d" % (fresh.get("id"), mpn, planned_from, current, current), code="seats_moved")
    return change_order(fresh, mpn, current, desired, change_quantity, po_number)


def cancellation_order(subscription, po_number=None):
    body = {"type": "cancellation", "customerId": subscription["customerId"], "subscriptionId": subscription["id"]}
    return with_po_number(body, po_number)


def with_po_number(body, po_number):
    # Integrators put their ticket number here; it also makes a lost answer's order easier to recognise (_orders).
    if po_number:
        body["poNumber"] = po_number
    return body


def period_text(period):
    """``month``, ``year``, ``3 months`` from a period such as ``{"type": "month", "duration": 1}``; ``None`` if unknown."""
    unit = (period or {}).get("type")
    try:
        count = int(float((period or {}).get("duration") or 1))
    except (TypeError, ValueError):
        count = 1
    if unit not in ("day", "month", "year"):
        return None
    return unit if count == 1 else "%d %ss" % (count, unit)


def price_change(estimate, period=None):
    """``{"amount": "...", "currency": "...", "per": "month"}`` of an estimate's (or order's) total, or ``None``.

    ``per`` is the billing period the amount is charged for (``period``, the subscription's or product's), so that a
    price never shows without saying what it pays for; ``None`` when unknown.
    """
    total = (estimate or {}).get("total") or {}
    if total.get("amount") is None:
        return None
    return {"amount": str(total["amount"]), "currency": total.get("currency"), "per": period_text(period)}


def verify_seats(subscription, mpn, desired, order_name, change_quantity, current):
    """After a completed change order that moved ``current`` seats towards ``desired``, fail loudly when the seats are not
    what was asked; the message names the change-quantity reading that explains the seats found, if one does."""
    actual = seats(subscription, mpn)
    if actual == desired:
        return actual
    sent = sent_quantity(current, desired, change_quantity)
    reading = explain_seats(current, sent, actual)
    message = ("%s completed, but subscription %s now has %d seats of %s instead of the %d asked for (it had %d; the order "
               "carried the quantity %d). " % (order_name, subscription.get("id"), actual, mpn, desired, current, sent))
    if reading is not None and reading != change_quantity:
        message += ("The platform read that quantity as %s, not as %s: set change_quantity: %s (INGRAM_CHANGE_QUANTITY=%s) "
                    "and correct the seats of this subscription" % (
                        "seats to add" if reading == "delta" else "the new total",
                        "the new total" if change_quantity == "total" else "seats to add", reading, reading))
    else:
        message += ("Neither reading of change-order quantities explains this; another order may have changed the seats "
                    "meanwhile. Check the subscription's orders before running again")
        reading = None
    raise IMSeatMismatchError(message, reading)
