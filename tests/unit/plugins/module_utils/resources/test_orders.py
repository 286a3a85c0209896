"""OrderDesk over the real client and the fake API (tests/unit/fake_api.py): a race with another run's order is settled by
the API's order of creation, a lost answer whose look-up fails says an order may exist, and nothing is ordered once the
controller is gone."""

import pytest
import requests

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError, IMError, IMOrderRaceError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import Vocabulary
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources import _orders
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import Claim, OrderDesk, precedence
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._waiter import Waiter


def said(message):
    """A message of this layer as a playbook's own task says it: the options it marks, by their names."""
    return Vocabulary().say(str(message))


BODY = {"type": "change", "customerId": "1000001", "subscriptionId": "3000001",
        "products": [{"mpn": "MPN-1", "quantity": 30, "subscriptionId": "3000001"}]}
SUBSCRIPTION = {"id": "3000001", "customerId": "1000001", "status": "active", "products": [{"mpn": "MPN-1", "quantity": 27}]}
WITHDRAW = ("PATCH", "/orders/4000022", {"statusCode": "CL"})


@pytest.fixture
def api(api, tmp_path, monkeypatch):
    """Customer 1000001 holds 27 seats of MPN-1 (subscription 3000001); orders move on only when a test says so."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the ordering locks
    api.customer("1000001", "ACME-001", "Acme")
    api.subscription("3000001", "1000001", "MPN-1", 27)
    api.auto_complete = False
    return api


def order(api, number, created="2026-12-05T10:00:00Z", status="submitted", **fields):
    """An order of 30 seats on subscription 3000001 created at ``created`` (``racing``: by another run, as this run orders)."""
    return api.order(number, "3000001", status, quantity=30, creationDate=created, **fields)


def placing(api, number, created="2026-12-05T10:00:00Z"):
    """This run's next order is number ``number``, created at ``created`` (the API's clock then)."""
    api.next_order, api.now = number, created


def claim(api=None):
    """What a run saw before ordering: the orders ``api`` holds then (none without it)."""
    return Claim("subscription 3000001", {"subscriptionId": "3000001"}, _orders.datetime.datetime(2026, 12, 5, 9, 59),
                 list(api.orders) if api else (), _orders.SEAT_ORDER_TYPES)


def test_an_order_without_a_rival_stands(api, make_client):
    placing(api, 21)
    desk = OrderDesk(make_client(), warn=lambda message: None)
    assert desk.place_alone(BODY, claim(api))["orderNumber"] == "SO000021"
    assert api.writes() == [("POST", "/orders", BODY)]


def test_the_later_of_two_orders_is_withdrawn_by_its_run_and_says_so(api, make_client):
    placing(api, 22, "2026-12-05T10:00:01Z")
    order(api, 21, "2026-12-05T10:00:01Z", racing=True)  # created first (lower id, same second)
    desk = OrderDesk(make_client(), warn=lambda message: None)
    with pytest.raises(IMOrderRaceError) as race:
        desk.place_alone(BODY, claim(api))
    assert race.value.withdrawn and race.value.order["status"] == "cancelled"
    assert [rival["orderNumber"] for rival in race.value.rivals] == ["SO000021"]
    assert api.writes() == [("POST", "/orders", BODY), WITHDRAW]
    assert (api.orders["4000022"]["status"], api.orders["4000021"]["status"]) == ("cancelled", "submitted")
    assert "another run placed order SO000021 (id 4000021) for subscription 3000001 at the same moment as this run's order " \
           "SO000022 (id 4000022); this run withdrew its own order (now cancelled)" in str(race.value)


def test_the_earlier_order_stands_and_leaves_the_withdrawal_to_the_later_run(api, make_client):
    placing(api, 21)
    order(api, 22, "2026-12-05T10:00:02Z", racing=True)
    desk = OrderDesk(make_client(), warn=lambda message: None)
    assert desk.place_alone(BODY, claim(api))["orderNumber"] == "SO000021"
    assert api.writes() == [("POST", "/orders", BODY)]


def test_an_order_that_cannot_be_withdrawn_is_a_failure_naming_both_orders(api, make_client):
    placing(api, 22, "2026-12-05T10:00:02Z")
    order(api, 21, "2026-12-05T10:00:01Z", racing=True)
    api.fail("PATCH", "/orders/4000022", 400, "order SO000022 cannot be cancelled through the API; ask support")
    desk = OrderDesk(make_client(), warn=lambda message: None)
    with pytest.raises(IMOrderRaceError) as race:
        desk.place_alone(BODY, claim(api))
    assert not race.value.withdrawn
    assert api.writes() == [("POST", "/orders", BODY), WITHDRAW]
    message = str(race.value)
    assert "SO000021" in message and "SO000022" in message and "could not be withdrawn" in message
    assert "subscription 3000001 may be ordered twice" in message and "a rerun is safe then" in message


def test_orders_seen_before_ordering_and_renewals_are_no_rivals(api, make_client):
    order(api, 20, "2026-12-05T09:59:30Z", status="completed")
    seen = claim(api)  # the order listed before ordering is known
    order(api, 23, "2026-12-05T10:00:00Z", type="renewal", products=[], racing=True)
    placing(api, 22, "2026-12-05T10:00:01Z")
    desk = OrderDesk(make_client(), warn=lambda message: None)
    assert desk.place_alone(BODY, seen)["orderNumber"] == "SO000022"
    assert api.writes() == [("POST", "/orders", BODY)]


def test_after_completion_a_rival_that_went_through_is_reported(api, make_client):
    ours = order(api, 21, status="completed", provisioningDate="2026-12-05T10:00:10Z")
    order(api, 22, "2026-12-05T10:00:02Z", status="completed")
    desk = OrderDesk(make_client(), warn=lambda message: None)
    with pytest.raises(IMOrderRaceError) as race:
        desk.confirm_alone(claim(), ours, Waiter(5))
    assert "order SO000022 (id 4000022), placed by another run for subscription 3000001 at the same moment as this run's " \
           "order SO000021 (id 4000021), was not withdrawn (completed)" in str(race.value)


def test_after_completion_withdrawn_rivals_and_later_orders_are_fine(api, make_client):
    ours = order(api, 21, status="completed", provisioningDate="2026-12-05T10:00:10Z")
    order(api, 22, "2026-12-05T10:00:02Z", status="cancelled")
    order(api, 23, "2026-12-05T10:00:20Z", status="processing")  # placed after ours ended
    desk = OrderDesk(make_client(), warn=lambda message: None)
    desk.confirm_alone(claim(), ours, Waiter(5))
    assert [request.query.get("creationTimeFrom") for request in api.sent("GET", "/orders")] == ["2026-12-05T09:59:00Z"]
    assert api.writes() == []


def test_precedence_follows_creation_then_numeric_id():
    assert precedence({"id": "999", "creationDate": "2026-12-05T10:00:00Z"}) < precedence({"id": "1000", "creationDate": "2026-12-05T10:00:00Z"})
    assert precedence({"id": "999", "creationDate": "2026-12-05T10:00:01Z"}) > precedence({"id": "1000", "creationDate": "2026-12-05T10:00:00Z"})


def test_a_lost_answer_whose_lookup_fails_says_an_order_may_exist(api, make_client):
    api.fail("POST", "/orders", error=requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"))
    api.fail("GET", "/orders", 503, "unavailable")
    with pytest.raises(IMApiError) as failure:
        OrderDesk(make_client(), warn=lambda message: None).place(BODY)
    assert "looking for the order it may have created failed too (GET /orders: HTTP 503" in str(failure.value)
    assert "an order for subscription 3000001 may exist. A rerun is safe" in str(failure.value)
    assert len(api.sent("POST", "/orders")) == 1  # never sent again


def test_nothing_is_ordered_once_the_controller_is_gone(api, make_client):
    class Gone:
        @staticmethod
        def gone():
            return "ansible-playbook (pid 4242) has ended"

    with pytest.raises(IMError, match=r"not ordered: ansible-playbook \(pid 4242\) has ended"):
        OrderDesk(make_client(), warn=lambda message: None, watch=Gone()).place(BODY)
    assert api.requests == []


class Clock:
    """A clock that each sleep moves forward, and that moves an order of the API along as time passes."""

    def __init__(self, api, order_id, status_after):
        self.now, self.api, self.order_id, self.status_after = 0.0, api, order_id, list(status_after)

    def sleep(self, seconds):
        self.now += seconds
        while self.status_after and self.now >= self.status_after[0][0] and self.order_id in self.api.orders:
            self.api.finish(self.order_id, self.status_after.pop(0)[1])


def settling(api, make_client, status_after, timeout=10, enabled=True):
    """An OrderDesk, a waiter whose clock moves order 1 (open on subscription 3000001) along, the order and the warnings."""
    still_open = order(api, 1, status="processing")
    clock = Clock(api, still_open["id"], status_after)
    warnings = []
    desk = OrderDesk(make_client(), warnings.append)
    waiter = Waiter(timeout, enabled=enabled, clock=lambda: clock.now, sleep=clock.sleep)
    return desk, waiter, [still_open], warnings


def test_settle_waits_until_an_open_order_completes_and_says_so(api, make_client):
    desk, waiter, orders, warnings = settling(api, make_client, [(3, "completed")])
    desk.settle(orders, waiter, "subscription 3000001")
    assert warnings == ["waited for order SO000001 (id 4000001), already open on subscription 3000001, before planning"]
    assert api.orders["4000001"]["status"] == "completed" and len(api.sent("GET", "/orders/4000001")) > 1  # polled until then


def test_settle_warns_about_someone_elses_failed_order_and_goes_on(api, make_client):
    desk, waiter, orders, warnings = settling(api, make_client, [(2, "error")])
    desk.settle(orders, waiter, "subscription 3000001")
    assert warnings[0] == "order SO000001 (id 4000001) ended in status error"


def test_settle_stops_the_run_when_an_order_is_still_open_at_the_timeout(api, make_client):
    desk, waiter, orders, warnings = settling(api, make_client, [(60, "completed")], timeout=5)
    with pytest.raises(IMError) as error:
        desk.settle(orders, waiter, "subscription 3000001")
    assert said(error.value) == ("order SO000001 (id 4000001), already open on subscription 3000001 before this run, is still "
                                 "processing after wait_timeout (5s); nothing was ordered. Run again once it has completed")
    assert warnings == []


def test_settle_without_waiting_says_how_to_wait(api, make_client):
    desk, waiter, orders, _warnings = settling(api, make_client, [], enabled=False)
    with pytest.raises(IMError) as error:
        desk.settle(orders, waiter, "the subscriptions of lines 2")
    assert "still open on the subscriptions of lines 2; rerun when it has completed, or set wait: true" in said(error.value)
    assert api.requests == []


def test_a_plan_does_not_wait_for_open_orders_but_names_them(api, make_client):
    order(api, 1, status="processing")
    warnings = []
    desk = OrderDesk(make_client(), warnings.append)
    assert desk.settled_subscription(SUBSCRIPTION, Waiter(10, check_mode=True), check_mode=True) is SUBSCRIPTION
    assert warnings == ["order SO000001 (id 4000001) is still open on subscription 3000001; a real run would wait for it first, "
                        "and this plan assumes the subscription as it is now"]
    assert [request.path for request in api.requests if request.method == "GET"] == ["/orders"]  # listed, neither waited for nor read


def test_a_real_run_reads_the_subscription_again_once_its_open_orders_have_ended(api, make_client):
    desk, waiter, _orders_given, warnings = settling(api, make_client, [(3, "completed")])
    fresh = desk.settled_subscription(SUBSCRIPTION, waiter)
    assert fresh["products"][0]["quantity"] == 30 and fresh is not SUBSCRIPTION  # read after order 1 brought it from 27 to 30
    assert api.orders["4000001"]["status"] == "completed"
    assert api.requests[-1].path == "/subscriptions/3000001" and api.requests[-2].path == "/orders/4000001"
    assert warnings == ["waited for order SO000001 (id 4000001), already open on subscription 3000001, before planning"]


def ordering(api, make_client, number, status_after, created="2026-12-05T10:00:00Z"):
    """An OrderDesk whose next order is number ``number`` (created at ``created``), and a waiter whose clock moves the order
    ``status_after`` names along."""
    placing(api, number, created)
    clock = Clock(api, status_after[0], status_after[1])
    warnings = []
    client = make_client()
    client.get("/subscriptions/3000001")  # a run reads before it orders: the client knows the API's clock (its Date)
    return OrderDesk(client, warnings.append), Waiter(10, clock=lambda: clock.now, sleep=clock.sleep), warnings


def test_order_alone_follows_its_order_to_completion(api, make_client):
    desk, waiter, warnings = ordering(api, make_client, 21, ("4000021", [(1, "completed")]))
    placed, withdrawn = desk.order_alone("3000001", lambda fresh: BODY, waiter)
    assert (placed["orderNumber"], placed["status"], withdrawn) == ("SO000021", "completed", None)
    assert api.writes() == [("POST", "/orders", BODY)] and warnings == []
    assert api.seats("3000001") == 30


def test_order_alone_builds_from_the_fresh_subscription_and_orders_nothing_when_it_has_the_seats(api, make_client):
    desk, waiter, _warnings = ordering(api, make_client, 21, ("4000021", []))
    seen = []
    assert desk.order_alone("3000001", lambda fresh: seen.append(fresh) and None, waiter) == (None, None)
    assert seen[0]["id"] == "3000001" and api.writes() == []


def test_order_alone_after_a_lost_race_waits_for_the_order_that_stands(api, make_client):
    rival = order(api, 21, "2026-12-05T10:00:01Z", racing=True)
    desk, waiter, warnings = ordering(api, make_client, 22, (rival["id"], [(2, "completed")]), created="2026-12-05T10:00:01Z")
    placed, withdrawn = desk.order_alone("3000001", lambda fresh: BODY, waiter)
    assert placed is None and (withdrawn["orderNumber"], withdrawn["status"]) == ("SO000022", "cancelled")
    assert api.orders[rival["id"]]["status"] == "completed"  # waited for: its seats are what counts now
    assert api.writes() == [("POST", "/orders", BODY), WITHDRAW]
    assert "this run withdrew its own order (now cancelled), so it is ordered once" in warnings[0]


def test_parameter_problems_name_the_product_parameter_messages_and_allowed_values():
    results = [{"mpn": "MPN-1", "parameters": [{"name": "domain", "result": "ok"},
                                               {"name": "domain2", "result": "error", "message": "The domain is not available.",
                                                "valueError": "contoso.com is reserved"}]},
               {"mpn": "MPN-2", "parameters": [{"name": "seats_tier", "result": "error", "valueChoices": [{"value": "S"}, {"value": "M"}]}]}]
    assert _orders.parameter_problems(results, ["products line 1 (MPN-1)", "products line 2 (MPN-2)"]) == [
        "products line 1 (MPN-1) parameter domain2: The domain is not available. (contoso.com is reserved)",
        "products line 2 (MPN-2) parameter seats_tier: not valid, allowed values: S, M"]
    assert _orders.parameter_problems(results, [])[1].startswith("MPN-2 parameter seats_tier")
    assert _orders.parameter_problems([{"mpn": "MPN-1", "parameters": None}], []) == []


def test_a_sales_order_of_an_mpn_is_a_sales_order_holding_it():
    assert _orders.sales_order_of({"type": "sales", "products": [{"mpn": "A"}, {"mpn": "B"}]}, "B")
    assert _orders.sales_order_of({"products": [{"mpn": "A"}]}, "A")  # an order without a type is a sales order
    assert not _orders.sales_order_of({"type": "change", "products": [{"mpn": "A"}]}, "A")
    assert not _orders.sales_order_of({"type": "sales", "products": None}, "A")
