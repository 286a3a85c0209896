"""The canary's turn and record, over the real client and the fake API (tests/unit/fake_api.py): a canary left pending is
settled from its order and the seats it left, and one run's turn keeps the others waiting."""

import os

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._locks import flocked
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _canary
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._canary import CanaryGate


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def canary_left_pending(api, client, status="completed", seats=30, current=25, sent=30):
    """A gate whose earlier run placed a canary (``current`` -> 30 seats, quantity ``sent``) and never saw it end: the
    order is ``status`` now, and the subscription holds ``seats``."""
    api.subscription("3000001", "1000001", "MPN-1", seats)
    canary = api.order(21, "3000001", status, quantity=sent)
    gate = CanaryGate(client, wait_timeout=1, warn=print)
    gate.placed(canary, {"subscriptionId": "3000001", "products": [{"mpn": "MPN-1", "quantity": sent}]}, current)
    return gate


def reads(api):
    return [request.path for request in api.requests if request.method == "GET"]


def test_a_canary_still_open_stops_every_change_order(api, make_client):
    gate = canary_left_pending(api, make_client(), status="processing")
    assert gate.pending()
    stop = gate.stop_reason()
    assert "the canary order SO000021 (id 4000021) on subscription 3000001" in stop and "is still processing" in stop
    assert gate.pending()  # still to be settled by a later run
    assert reads(api) == ["/orders/4000021"]  # the seats are not judged while it is open


def test_a_canary_that_left_the_seats_asked_for_confirms_the_reading(api, make_client):
    gate = canary_left_pending(api, make_client(), seats=30)
    assert gate.stop_reason() is None
    assert not gate.pending() and not gate.needs_canary()
    assert gate.store.load()["change_quantity"] == "total"
    assert reads(api) == ["/orders/4000021", "/subscriptions/3000001"]


def test_a_canary_that_shows_the_other_reading_refuses_the_setting(api, make_client):
    gate = canary_left_pending(api, make_client(), seats=55)  # 25 + 30: the platform added the quantity sent
    stop = gate.stop_reason()
    assert "showed that this platform reads change quantities as delta" in stop
    assert "Set change_quantity: delta (INGRAM_CHANGE_QUANTITY=delta)" in stop
    assert gate.store.load()["change_quantity"] == "delta" and not gate.pending()


def test_seats_that_neither_reading_explains_are_left_to_the_user(api, make_client):
    gate = canary_left_pending(api, make_client(), seats=41)
    stop = gate.stop_reason()
    assert "neither reading of its quantity 30 (from 25 seats) explains" in stop
    assert "change_quantity_confirmed: true" in stop and gate.store.pending_path in stop
    assert gate.pending()


def test_a_canary_that_ended_in_error_changed_nothing_and_needs_a_new_one(api, make_client):
    gate = canary_left_pending(api, make_client(), status="error")
    assert gate.stop_reason() is None
    assert not gate.pending() and gate.needs_canary()
    assert reads(api) == ["/orders/4000021"]


def test_another_runs_turn_keeps_this_one_waiting_then_says_why(api, make_client, monkeypatch):
    monkeypatch.setattr(_canary, "TURN_MARGIN", 0)
    gate = CanaryGate(make_client(), wait_timeout=0.5, warn=print)
    os.makedirs(gate.store.directory, mode=0o700)
    with flocked(gate.store.path + ".canary.lock"):
        with gate.turn() as blocked:
            assert "another run on this machine held the canary's turn" in blocked
    with gate.turn() as blocked:
        assert blocked is None
    assert api.requests == []  # the turn is a lock on this machine, not a request
