"""The change detection of the marketplace_events source, pure: two snapshots in, events out; and what is kept
between polls (bounded by the account, not by time)."""

import datetime
import json
import os
import re

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.events import _events

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
    assert events == [{"type": "order_created", "event_id": "order_created:4000014", "customer_id": "1000001",
                       "customer_external_id": "ACME-001", "subscription_id": "3000001", "order_id": "4000014", "order_number": "SO000014",
                       "order_type": "change", "products": [], "before": None, "after": {"status": "submitted", "status_code": "NW"},
                       "observed_at": AT}]
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


# ---------------------------------------------------------------------------------------------------- ids and times

def test_the_same_change_has_the_same_id_and_another_change_another():
    before = snapshot(subscriptions={"3000001": subscription()}, orders={"4000014": order("submitted")})
    after = snapshot(subscriptions={"3000001": subscription(seats=27, changed_by="4000014", status="hold")},
                     orders={"4000014": order("completed")})
    first, again = _events.changes(before, after, AT), _events.changes(before, after, "2026-12-06T11:00:00Z")
    assert [event["event_id"] for event in first] == [event["event_id"] for event in again] == [
        "order_status_changed:4000014:completed", "seats_changed:3000001:25:27:4000014",
        "subscription_status_changed:3000001:active:hold:4000014"]
    failed = _events.changes(before, snapshot(subscriptions={"3000001": subscription()}, orders={"4000014": order("error")}), AT)
    assert failed[0]["event_id"] == "order_status_changed:4000014:error"
    # Without an order, a status change is told from the next round of the same change by its day.
    held = snapshot(subscriptions={"3000001": subscription(status="hold")})
    assert _events.changes(snapshot(subscriptions={"3000001": subscription()}), held, AT)[0]["event_id"] == \
        "subscription_status_changed:3000001:active:hold:2026-12-06"
    renewing = snapshot(subscriptions={"3000001": subscription(auto_renew=False, renewal_date="2026-12-13")})
    assert _events.changes(renewing, renewing, AT, TODAY, 10)[0]["event_id"] == "renewal_approaching:3000001:2026-12-13"


def test_observed_at_is_when_the_api_says_the_change_happened_else_when_the_poll_began():
    created, provisioned = "2026-12-06T09:58:12Z", "2026-12-06T09:59:40Z"
    placed = snapshot(orders={"4000014": order("submitted", created=created)})
    assert [event["observed_at"] for event in _events.changes(snapshot(), placed, AT)] == [created]
    done = snapshot(orders={"4000014": order("completed", created=created, provisioned=provisioned)})
    assert [event["observed_at"] for event in _events.changes(placed, done, AT)] == [provisioned]
    failed = snapshot(orders={"4000014": order("error", created=created)})
    assert [event["observed_at"] for event in _events.changes(placed, failed, AT)] == [AT]


def test_a_source_error_has_the_keys_every_event_has():
    began = _events.source_error("began", AT, AT, failure="api_unreachable", message="no answer")
    ended = _events.source_error("ended", AT, "2026-12-06T10:05:00Z", seconds=300.0)
    for event in (began, ended):
        assert {"type", "event_id", "customer_id", "customer_external_id", "subscription_id", "order_id", "before", "after",
                "observed_at", "state"} <= set(event)
    assert (began["event_id"], ended["event_id"]) == ("source_error:began:" + AT, "source_error:ended:" + AT)


# ---------------------------------------------------------------------------------------------------- the checkpoint

def test_events_stay_pending_until_acknowledged_and_a_reopened_checkpoint_has_them_unchanged(tmp_path):
    path = str(tmp_path / "state" / "events.json")
    events = _events.changes(snapshot(), snapshot(orders={"4000014": order("error")}), AT)
    checkpoint = _events.Checkpoint(path).open()
    assert (checkpoint.snapshot, checkpoint.pending) == (None, [])
    checkpoint.record(snapshot(), events)
    checkpoint.acknowledge(events[0])
    reopened = _events.Checkpoint(path).open()
    assert reopened.pending == events[1:] and reopened.snapshot == snapshot()
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_a_checkpoint_of_the_former_format_is_read_as_a_snapshot_with_nothing_pending(tmp_path):
    path = tmp_path / "events.json"
    path.write_text(json.dumps(dict(snapshot(), format=1)))
    path.chmod(0o600)
    checkpoint = _events.Checkpoint(str(path)).open()
    assert checkpoint.pending == [] and checkpoint.snapshot["customers"] == snapshot()["customers"]


def test_a_volume_directory_writable_by_its_group_with_the_set_group_id_bit_is_accepted(tmp_path):
    volume = tmp_path / "volume"
    volume.mkdir()
    volume.chmod(0o2775)
    checkpoint = _events.Checkpoint(str(volume / "events.json")).open()
    checkpoint.record(snapshot(), [])
    assert _events.Checkpoint(str(volume / "events.json")).open().snapshot == snapshot()
    (volume / "events.json").chmod(0o664)  # the file itself writable by the group: refused, naming the file
    with pytest.raises(IMConfigError, match=r"^checkpoint %s has mode 0664: group or others can write to it" % re.escape(str(volume / "events.json"))):
        _events.Checkpoint(str(volume / "events.json")).open()


@pytest.mark.parametrize("mode, owner, accepted, words", [
    (0o1777, 12345, True, None),  # /tmp: others cannot replace a file of yours there
    (0o0777, None, False, "has mode 0777: every user can write to it"),
    (0o0755, 12345, False, "belongs to uid 12345, not to you"),
])
def test_a_checkpoint_directory_is_refused_only_where_another_user_could_replace_the_file(tmp_path, mode, owner, accepted, words):
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(mode)
    if owner is not None:
        if os.geteuid() != 0:
            pytest.skip("giving a directory to another user needs root")  # the mode cases run everywhere
        os.chown(directory, owner, -1)
    path = str(directory / "events.json")
    if accepted:
        _events.Checkpoint(path).open().record(snapshot(), [])
        return
    with pytest.raises(IMConfigError) as err:
        _events.Checkpoint(path).open()
    assert str(err.value).startswith("checkpoint directory %s %s" % (directory, words)) and "XDG_CACHE_HOME" not in str(err.value)
