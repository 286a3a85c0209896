"""The canary's turn and record: a canary left pending is settled from its order and the seats it left, and one run's
turn keeps the others waiting."""

import os

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._locks import flocked
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _canary
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._canary import CanaryGate


class FakeClient:
    def __init__(self, order_status="completed", seats=30, change_quantity="total"):
        self.config = ConnectionConfig.from_params(dict(api_url="http://api.test/marketplace/eu", username="u", password="p",
                                                        subscription_key="k", marketplace="us", change_quantity=change_quantity))
        self.order = {"id": "4000021", "orderNumber": "SO000021", "status": order_status}
        self.subscription = {"id": "3000001", "products": [{"mpn": "MPN-1", "quantity": seats}]}

    def get_or_none(self, path):
        return dict(self.order) if path == "/orders/4000021" else None

    def get(self, path):
        assert path == "/subscriptions/3000001"
        return self.subscription


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def canary_left_pending(client, current=25, sent=30):
    """A gate whose earlier run placed a canary (25 -> 30 seats, quantity ``sent``) and never saw it end."""
    gate = CanaryGate(client, wait_timeout=1, warn=print)
    gate.placed(client.order, {"subscriptionId": "3000001", "products": [{"mpn": "MPN-1", "quantity": sent}]}, current)
    return gate


def test_a_canary_still_open_stops_every_change_order():
    gate = canary_left_pending(FakeClient(order_status="processing"))
    assert gate.pending()
    stop = gate.stop_reason()
    assert "the canary order SO000021 (id 4000021) on subscription 3000001" in stop and "is still processing" in stop
    assert gate.pending()  # still to be settled by a later run


def test_a_canary_that_left_the_seats_asked_for_confirms_the_reading():
    gate = canary_left_pending(FakeClient(seats=30))
    assert gate.stop_reason() is None
    assert not gate.pending() and not gate.needs_canary()
    assert gate.store.load()["change_quantity"] == "total"


def test_a_canary_that_shows_the_other_reading_refuses_the_setting():
    gate = canary_left_pending(FakeClient(seats=55))  # 25 + 30: the platform added the quantity sent
    stop = gate.stop_reason()
    assert "showed that this platform reads change quantities as delta" in stop
    assert "Set change_quantity: delta (INGRAM_CHANGE_QUANTITY=delta)" in stop
    assert gate.store.load()["change_quantity"] == "delta" and not gate.pending()


def test_seats_that_neither_reading_explains_are_left_to_the_user():
    gate = canary_left_pending(FakeClient(seats=41))
    stop = gate.stop_reason()
    assert "neither reading of its quantity 30 (from 25 seats) explains" in stop
    assert "change_quantity_confirmed: true" in stop and gate.store.pending_path in stop
    assert gate.pending()


def test_a_canary_that_ended_in_error_changed_nothing_and_needs_a_new_one():
    gate = canary_left_pending(FakeClient(order_status="error"))
    assert gate.stop_reason() is None
    assert not gate.pending() and gate.needs_canary()


def test_another_runs_turn_keeps_this_one_waiting_then_says_why(monkeypatch):
    monkeypatch.setattr(_canary, "TURN_MARGIN", 0)
    gate = CanaryGate(FakeClient(), wait_timeout=0.5, warn=print)
    os.makedirs(gate.store.directory, mode=0o700)
    with flocked(gate.store.path + ".canary.lock"):
        with gate.turn() as blocked:
            assert "another run on this machine held the canary's turn" in blocked
    with gate.turn() as blocked:
        assert blocked is None
