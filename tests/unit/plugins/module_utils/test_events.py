"""The change detection of the marketplace_events source, pure: two snapshots in, events out; and what is kept
between polls (bounded by the account, not by time)."""

import datetime
import importlib.util
import os

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils import _events
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._errors import IMConfigError

AT = "2026-12-06T10:00:00Z"
TODAY = datetime.date(2026, 12, 6)


def snapshot(**parts):
    base = _events.empty()
    base["customers"] = {"1000001": {"external_id": "ACME-001", "name": "Acme"}}
    base.update(parts)
    return base


def subscription(**fields):
    return dict({"customer_id": "1000001", "name": "Microsoft 365 E3", "status": "active", "seats": 25,
                 "renewal_date": "2027-06-01", "auto_renew": True}, **fields)


def order(status, **fields):
    return dict({"customer_id": "1000001", "order_number": "SO000014", "type": "change", "status": status,
                 "status_code": {"submitted": "NW", "completed": "CP", "error": "ER"}.get(status), "subscription_ids": ["3000001"]},
                **fields)


def kinds(events):
    return [event["type"] for event in events]


def test_nothing_changed_means_no_event():
    same = snapshot(subscriptions={"3000001": subscription()}, orders={"4000014": order("submitted")})
    assert _events.changes(same, same, AT, TODAY, 10) == []


def test_an_order_placed_outside_ansible_then_completed_changes_the_seats():
    before = snapshot(subscriptions={"3000001": subscription()})
    placed = snapshot(subscriptions={"3000001": subscription()}, orders={"4000014": order("submitted")})
    events = _events.changes(before, placed, AT)
    assert events == [{"type": "order_created", "customer_id": "1000001", "customer_external_id": "ACME-001",
                       "subscription_id": "3000001", "order_id": "4000014", "order_number": "SO000014", "order_type": "change",
                       "products": [], "before": None, "after": {"status": "submitted", "status_code": "NW"}, "observed_at": AT}]
    done = snapshot(subscriptions={"3000001": subscription(seats=27, changed_by="4000014")}, orders={"4000014": order("completed")})
    events = _events.changes(placed, done, AT)
    assert kinds(events) == ["order_status_changed", "seats_changed"]
    assert events[0]["before"] == {"status": "submitted", "status_code": "NW"} and events[0]["after"]["status"] == "completed"
    assert events[1]["before"] == {"seats": 25} and events[1]["after"] == {"seats": 27} and events[1]["order_id"] == "4000014"


def test_an_order_event_names_the_products_of_the_order_detail():
    detail = {"id": "4000015", "customerId": "1000001", "orderNumber": "SO000015", "type": "sales", "status": "error", "statusCode": "ER",
              "products": [{"mpn": "CFQ7TTC0LH18:0001:P1M", "name": "Microsoft 365 Business Basic", "quantity": 7, "unitPrice": {}}]}
    record = _events._order_record(detail)
    assert record["products"] == [{"name": "Microsoft 365 Business Basic", "mpn": "CFQ7TTC0LH18:0001:P1M", "quantity": 7}]
    events = _events.changes(snapshot(), snapshot(orders={"4000015": record}), AT)
    assert [event["products"] for event in events] == [record["products"]] * 2
    assert _events._order_record(dict(detail, products=None))["products"] == []


def test_an_order_first_seen_when_it_had_already_failed_gives_its_end_with_the_message():
    failed = snapshot(orders={"4000015": order("error", message="Microsoft refused the tenant")})
    events = _events.changes(snapshot(), failed, AT)
    assert kinds(events) == ["order_created", "order_status_changed"]
    assert events[1]["before"] is None
    assert events[1]["after"] == {"status": "error", "status_code": "ER", "message": "Microsoft refused the tenant"}
    silent = _events.changes(snapshot(), snapshot(orders={"4000016": order("error")}), AT)
    assert silent[1]["after"]["message"] == _events.ERROR_MESSAGE


def test_status_changes_without_an_order_and_a_new_customer():
    before = snapshot(subscriptions={"3000001": subscription(), "3000002": subscription(status="hold")})
    after = snapshot(subscriptions={"3000001": subscription(status="hold"), "3000002": subscription(status="active")})
    after["customers"]["1000099"] = {"external_id": "NEW-099", "name": "New Customer"}
    events = _events.changes(before, after, AT)
    assert [(event["type"], event.get("subscription_id"), event["before"], event["after"]) for event in events] == [
        ("customer_created", None, None, {"name": "New Customer"}),
        ("subscription_status_changed", "3000001", {"status": "active"}, {"status": "hold"}),
        ("subscription_status_changed", "3000002", {"status": "hold"}, {"status": "active"}),
    ]
    assert events[0]["customer_external_id"] == "NEW-099"


def test_a_renewal_with_auto_renew_off_is_announced_once_per_renewal_date():
    coming = snapshot(subscriptions={"3000001": subscription(auto_renew=False, renewal_date="2026-12-13"),
                                     "3000002": subscription(renewal_date="2026-12-10"),  # renews by itself
                                     "3000003": subscription(auto_renew=False, renewal_date="2027-02-01")})  # not yet
    events = _events.changes(coming, coming, AT, TODAY, 10)
    assert [(event["subscription_id"], event["after"]) for event in events] == [
        ("3000001", {"renewal_date": "2026-12-13", "days_left": 7, "auto_renew": False})]
    kept = _events.settle(coming, events)
    assert _events.changes(kept, kept, AT, TODAY, 10) == []
    moved = _events.settle(coming, events)
    moved["subscriptions"]["3000001"]["renewal_date"] = "2026-12-14"
    assert kinds(_events.changes(kept, moved, AT, TODAY, 10)) == ["renewal_approaching"]


def test_what_is_kept_between_polls_does_not_grow_with_time():
    ended = snapshot(subscriptions={"3000001": subscription(changed_by="4000014")},
                     orders={"4000014": order("completed"), "4000015": order("submitted")},
                     renewals={"3000001": "2026-01-01", "3999999": "2026-12-13"})
    kept = _events.settle(ended, [])
    assert list(kept["orders"]) == ["4000015"]  # only open orders are followed
    assert kept["renewals"] == {}  # an old renewal date and a subscription that is gone are forgotten
    assert "changed_by" not in kept["subscriptions"]["3000001"]


def test_every_event_has_the_same_keys_and_a_line_for_people():
    before = snapshot(subscriptions={"3000001": subscription()})
    after = snapshot(subscriptions={"3000001": subscription(seats=30, changed_by="4000014")}, orders={"4000014": order("completed")})
    for event in _events.changes(before, after, AT):
        assert {"type", "customer_id", "customer_external_id", "subscription_id", "order_id", "before", "after",
                "observed_at"} <= set(event)
    seats = _events.changes(before, after, AT)[-1]
    assert _events.describe(dict(seats, order_number="SO000014")) == (
        "seats_changed: customer ACME-001, subscription 3000001 (Microsoft 365 E3), order SO000014: seats 25 -> seats 30 "
        "(observed 2026-12-06T10:00:00Z)")


def test_the_source_refuses_an_argument_it_does_not_know_naming_it(monkeypatch, tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    spec = importlib.util.spec_from_file_location("marketplace_events", os.path.join(
        root, "extensions", "eda", "plugins", "event_source", "marketplace_events.py"))
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(IMConfigError, match=r"^marketplace_events: unknown argument intervall \(the arguments are api_url, "):
        plugin.Source({"intervall": 5})
