"""An event of the marketplace_events source in words: the sentence of the event mail, and the facts behind it."""

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.events import _events
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _event_words as words

AT = "2026-12-07T18:55:04Z"
BASIC = {"name": "Microsoft 365 Business Basic", "mpn": "CFQ7TTC0LH18:0001:P1M", "quantity": 7}


def event(kind, **fields):
    base = {"type": kind, "customer_id": "1000005", "customer_external_id": "HOOLI-005", "subscription_id": None, "order_id": None,
            "before": None, "after": None, "observed_at": AT}
    return dict(base, **fields)


def order_event(kind="order_status_changed", status="error", message="Insufficient funds", **fields):
    after = {"status": status, "status_code": "ER"}
    if message:
        after["message"] = message
    fields = dict({"order_type": "sales", "products": [BASIC], "before": {"status": "processing", "status_code": "IP"}}, **fields)
    return event(kind, order_id="4000123", order_number="SO000123", subscription_id="3000012", after=after, **fields)


def test_an_order_in_error_names_the_order_the_customer_the_products_and_the_platforms_message():
    assert words.sentence(order_event()) == (
        'Sales order SO000123 of customer HOOLI-005 ended in error: Microsoft 365 Business Basic, 7 seats - "Insufficient funds"')


def test_an_order_in_error_without_a_message_says_where_to_look():
    silent = order_event(message=_events.ERROR_MESSAGE)
    assert words.sentence(silent) == ("Sales order SO000123 of customer HOOLI-005 ended in error: Microsoft 365 Business Basic, 7 seats - "
                                      "the platform gives no reason here; the reseller control panel shows the order's details")
    assert words.sentence(order_event(message=None)) == words.sentence(silent)


@pytest.mark.parametrize("status, before, said", [
    ("completed", "processing", "completed"),
    ("cancelled", "submitted", "was cancelled"),
    ("processing", "submitted", "is now processing (was submitted)"),
])
def test_how_an_order_moved_on(status, before, said):
    moved = order_event(status=status, message=None, order_type="change", before={"status": before})
    assert words.sentence(moved) == "Change order SO000123 of customer HOOLI-005 %s: Microsoft 365 Business Basic, 7 seats" % said


def test_an_order_created_with_several_products_or_none_and_without_type_or_number():
    created = order_event("order_created", status="submitted", message=None, before=None,
                          products=[BASIC, {"mpn": "SH3AMCLOS", "quantity": "1.0"}, {"name": "Support", "quantity": None}])
    assert words.sentence(created) == ("Sales order SO000123 of customer HOOLI-005 was placed (submitted): Microsoft 365 Business Basic, "
                                       "7 seats; SH3AMCLOS, 1 seat; Support")
    bare = event("order_created", order_id="4000124", after={"status": "submitted"}, customer_external_id=None)
    assert words.sentence(bare) == "Order 4000124 of customer 1000005 was placed (submitted)"


def test_seats_status_renewal_and_customer_events():
    seats = event("seats_changed", subscription_id="3000001", product="Microsoft 365 E3", order_id="4000014",
                  before={"seats": 25}, after={"seats": 27})
    assert words.sentence(seats) == "Subscription 3000001 (Microsoft 365 E3) of customer HOOLI-005 went up from 25 to 27 seats (order 4000014)"
    fewer = dict(seats, before={"seats": 2}, after={"seats": 1}, order_id=None, product=None)
    assert words.sentence(fewer) == "Subscription 3000001 of customer HOOLI-005 went down from 2 to 1 seat"
    held = event("subscription_status_changed", subscription_id="3000001", product="Microsoft 365 E3",
                 before={"status": "active"}, after={"status": "hold"})
    assert words.sentence(held) == "Subscription 3000001 (Microsoft 365 E3) of customer HOOLI-005 is now on hold (was active)"
    renewal = event("renewal_approaching", subscription_id="3000004", product="Dropbox",
                    after={"renewal_date": "2026-12-11", "days_left": 4, "auto_renew": False})
    assert words.sentence(renewal) == "Subscription 3000004 (Dropbox) of customer HOOLI-005 renews on 11 December 2026, in 4 days, with auto-renew off"
    assert "renews on 7 December 2026, today," in words.sentence(dict(renewal, after={"renewal_date": "2026-12-07", "days_left": 0}))
    assert "tomorrow" in words.sentence(dict(renewal, after={"renewal_date": "2026-12-08", "days_left": 1}))
    assert words.sentence(event("customer_created", after={"name": "Hooli"})) == "New customer HOOLI-005: Hooli"


def test_a_source_error_and_an_unknown_event_keep_the_line():
    error = {"type": "source_error", "state": "began", "failure": "api_error", "message": "503", "observed_at": AT}
    assert words.sentence(error) == _events.describe(error) == "Marketplace events: the API cannot be read (503) since " + AT
    odd = event("something_new", after={"x": 1})
    assert words.sentence(odd) == _events.describe(odd)


def test_the_facts_of_an_event():
    assert words.facts(order_event()) == [
        ("Event", "order_status_changed"), ("Customer", "HOOLI-005 (id 1000005)"), ("Order", "Sales order SO000123 (id 4000123)"),
        ("Products", "Microsoft 365 Business Basic, 7 seats"), ("Subscription", "3000012"), ("Before", "status processing"),
        ("Now", "status error"), ("Platform's message", "Insufficient funds"), ("Observed", "7 December 2026, 18:55 UTC")]
    renewal = words.facts(event("renewal_approaching", subscription_id="3000004", product="Dropbox",
                                after={"renewal_date": "2026-12-11", "days_left": 4, "auto_renew": False}))
    assert ("Subscription", "3000004 (Dropbox)") in renewal and ("Now", "renewal date 2026-12-11, days left 4, auto renew False") in renewal
    error = words.facts({"type": "source_error", "state": "ended", "seconds": 12, "observed_at": AT})
    assert error == [("Event", "source_error"), ("Again at", "7 December 2026, 18:55 UTC")]
