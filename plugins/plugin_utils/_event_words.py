# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An event of the marketplace_events source in words, for the people who read the event mail: one sentence that says
what happened (``sentence``), and the facts behind it as labelled rows (``facts``). Private to this collection (used by
the ``event_text`` and ``mail_html`` filters, on the controller)."""

from __future__ import annotations

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.events import _events
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils._report_figures import day_text, moment_text

ORDER_TYPES = {"sales": "Sales order", "change": "Change order", "renewal": "Renewal order", "cancellation": "Cancellation order"}
SUBSCRIPTION_STATUSES = {"hold": "on hold", "terminated": "terminated", "removed": "removed", "active": "active", "pending": "pending"}
NO_REASON = "the platform gives no reason here; the reseller control panel shows the order's details"


def _whole(value):
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def seats_text(count):
    """``7 seats``, ``1 seat``."""
    return "%d seat%s" % (count, "" if count == 1 else "s")


def products_text(products):
    """``Microsoft 365 Business Basic, 7 seats``: the products of an order with their seats, several joined by ``; ``."""
    parts = []
    for product in products or []:
        name = product.get("name") or product.get("mpn") or "a product"
        seats = _whole(product.get("quantity"))
        parts.append(name if seats is None else "%s, %s" % (name, seats_text(seats)))
    return "; ".join(parts)


def customer_text(event):
    return "customer %s" % (event.get("customer_external_id") or event.get("customer_id") or "unknown")


def subscription_text(event):
    """``Subscription 3000001 (Microsoft 365 E3)``."""
    return "Subscription %s%s" % (event.get("subscription_id"), " (%s)" % event["product"] if event.get("product") else "")


def order_text(event):
    """``Change order SO000014``, or ``Order 4000014`` when the event carries neither its type nor its number."""
    return "%s %s" % (ORDER_TYPES.get(event.get("order_type"), "Order"), event.get("order_number") or event.get("order_id"))


def platform_message(event):
    """What the platform says about an order in error, or ``None`` when it says nothing (or the event is no error)."""
    after = event.get("after") or {}
    if after.get("status") != "error":
        return None
    message = after.get("message")
    return None if not message or message == _events.ERROR_MESSAGE else str(message)


def _order_sentence(event):
    after, before = event.get("after") or {}, event.get("before") or {}
    status = after.get("status")
    if event.get("type") == "order_created":
        happened = "was placed (%s)" % status if status else "was placed"
    elif status == "error":
        happened = "ended in error"
    elif status == "completed":
        happened = "completed"
    elif status == "cancelled":
        happened = "was cancelled"
    else:
        happened = "is now %s%s" % (status, " (was %s)" % before["status"] if before.get("status") else "")
    text = "%s of %s %s" % (order_text(event), customer_text(event), happened)
    products = products_text(event.get("products"))
    if products:
        text += ": " + products
    if status == "error" and event.get("type") == "order_status_changed":
        message = platform_message(event)
        text += ' - "%s"' % message if message else " - " + NO_REASON
    return text


def days_text(days):
    """``today``, ``tomorrow``, ``in 5 days``."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return "in %s days" % days


def sentence(event):
    """One sentence that says what an event means, for example ``Change order SO000014 of customer HOOLI-005 ended in
    error: Microsoft 365 Business Basic, 7 seats - "Insufficient funds"``."""
    kind = event.get("type")
    after, before = event.get("after") or {}, event.get("before") or {}
    if kind in ("order_created", "order_status_changed"):
        return _order_sentence(event)
    if kind == "seats_changed" and "seats" in after:
        old, new = _whole(before.get("seats")), _whole(after.get("seats"))
        direction = "went up" if old is not None and new is not None and new > old else "went down"
        text = "%s of %s %s from %s to %s" % (subscription_text(event), customer_text(event), direction, old, seats_text(new or 0))
        return text + (" (order %s)" % event["order_id"] if event.get("order_id") else "")
    if kind == "subscription_status_changed":
        now, was = (SUBSCRIPTION_STATUSES.get(value, value) for value in (after.get("status"), before.get("status")))
        return "%s of %s is now %s%s" % (subscription_text(event), customer_text(event), now, " (was %s)" % was if was else "")
    if kind == "renewal_approaching":
        return "%s of %s renews on %s, %s, with auto-renew off" % (
            subscription_text(event), customer_text(event), day_text(after.get("renewal_date")), days_text(after.get("days_left")))
    if kind == "customer_created":
        who = event.get("customer_external_id") or event.get("customer_id")
        return "New customer %s%s" % (who, ": %s" % after["name"] if after.get("name") else "")
    return _events.describe(event)


def _state(value):
    if not value:
        return "none"
    return ", ".join("%s %s" % (key.replace("_", " "), value[key]) for key in value if key not in ("status_code", "message"))


def facts(event):
    """``[(label, text)]``: what the event carries, each fact in words (what happened, for whom, on what, when)."""
    rows = [("Event", str(event.get("type")))]
    if event.get("type") == "source_error":
        rows.append(("Since" if event.get("state") == "began" else "Again at", moment_text(event.get("observed_at"))))
        if event.get("message"):
            rows.append(("Message", str(event["message"])))
        return rows
    customer = event.get("customer_external_id")
    rows.append(("Customer", "%s (id %s)" % (customer, event.get("customer_id")) if customer else str(event.get("customer_id"))))
    if event.get("order_id") and event.get("type") in ("order_created", "order_status_changed"):
        rows.append(("Order", "%s (id %s)" % (order_text(event), event["order_id"])))
        if event.get("products"):
            rows.append(("Products", products_text(event["products"])))
    if event.get("subscription_id"):
        rows.append(("Subscription", subscription_text(event)[len("Subscription "):]))
    if event.get("before") is not None:
        rows.append(("Before", _state(event["before"])))
    rows.append(("Now", _state(event.get("after"))))
    message = platform_message(event)
    if (event.get("after") or {}).get("status") == "error":
        rows.append(("Platform's message", message or NO_REASON))
    rows.append(("Observed", moment_text(event.get("observed_at"))))
    return rows
