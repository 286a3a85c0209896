"""OrderDesk over a fake client: a race with another run's order is settled by the API's order of creation, a lost
answer whose look-up fails says an order may exist, and nothing is ordered once the controller is gone."""

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig
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


def order(number, created="2026-12-05T10:00:00Z", status="submitted", kind="change", **fields):
    return dict({"id": str(4000000 + number), "orderNumber": "SO%06d" % number, "type": kind, "status": status,
                 "customerId": "1000001", "subscriptionId": "3000001", "creationDate": created}, **fields)


class FakeClient:
    """The orders of one subscription as the API would list and read them; records the writes."""

    def __init__(self, orders=(), placed=None, withdrawable=True):
        self.config = ConnectionConfig.from_params(dict(api_url="http://api.test/marketplace/eu", username="u", password="p",
                                                        subscription_key="k", marketplace="us"))
        self.server_date = "Sat, 05 Dec 2026 10:00:05 GMT"
        self.orders = {item["id"]: dict(item) for item in orders}
        self.placed = placed
        self.withdrawable = withdrawable
        self.posts, self.patches, self.after_post = [], [], []

    def paginate(self, path, query=None):
        assert path == "/orders"
        return [dict(item) for item in self.orders.values()]

    def get(self, path, query=None):
        if path.startswith("/subscriptions/"):
            return dict(SUBSCRIPTION, quantity_read=len(self.posts))
        return dict(self.orders[path.rsplit("/", 1)[1]])

    def post(self, path, body=None):
        self.posts.append(body)
        self.orders[self.placed["id"]] = dict(self.placed)
        for rival in self.after_post:  # other runs' orders that appear at the same moment
            self.orders[rival["id"]] = dict(rival)
        return dict(self.placed)

    def patch(self, path, body=None):
        self.patches.append((path, body))
        if not self.withdrawable:
            raise IMApiError("PATCH /orders/x: HTTP 400 cannot be cancelled", status=400, api_message="cannot be cancelled")
        found = self.orders[path.rsplit("/", 1)[1]]
        found["status"] = "cancelled"
        return dict(found)

    def map_concurrent(self, func, items, concurrency=8):
        return [func(item) for item in items]


def claim(client=None):
    """What a run saw before ordering: the orders ``client`` holds then (none without a client)."""
    return Claim("subscription 3000001", {"subscriptionId": "3000001"}, _orders.datetime.datetime(2026, 12, 5, 9, 59),
                 client.orders if client else (), _orders.SEAT_ORDER_TYPES)


def test_an_order_without_a_rival_stands():
    client = FakeClient(placed=order(21))
    desk = OrderDesk(client, warn=lambda message: None)
    assert desk.place_alone(BODY, claim(client))["orderNumber"] == "SO000021"
    assert client.patches == []


def test_the_later_of_two_orders_is_withdrawn_by_its_run_and_says_so():
    client = FakeClient(placed=order(22, created="2026-12-05T10:00:01Z"))
    client.after_post = [order(21, created="2026-12-05T10:00:01Z")]  # created first (lower id, same second)
    desk = OrderDesk(client, warn=lambda message: None)
    with pytest.raises(IMOrderRaceError) as race:
        desk.place_alone(BODY, claim(client))
    assert race.value.withdrawn and race.value.order["status"] == "cancelled"
    assert [rival["orderNumber"] for rival in race.value.rivals] == ["SO000021"]
    assert client.patches == [("/orders/4000022", {"statusCode": "CL"})]
    assert "another run placed order SO000021 (id 4000021) for subscription 3000001 at the same moment as this run's order " \
           "SO000022 (id 4000022); this run withdrew its own order (now cancelled)" in str(race.value)


def test_the_earlier_order_stands_and_leaves_the_withdrawal_to_the_later_run():
    client = FakeClient(placed=order(21))
    client.after_post = [order(22, created="2026-12-05T10:00:02Z")]
    desk = OrderDesk(client, warn=lambda message: None)
    assert desk.place_alone(BODY, claim(client))["orderNumber"] == "SO000021"
    assert client.patches == []


def test_an_order_that_cannot_be_withdrawn_is_a_failure_naming_both_orders():
    client = FakeClient(placed=order(22, created="2026-12-05T10:00:02Z"), withdrawable=False)
    client.after_post = [order(21, created="2026-12-05T10:00:01Z")]
    desk = OrderDesk(client, warn=lambda message: None)
    with pytest.raises(IMOrderRaceError) as race:
        desk.place_alone(BODY, claim(client))
    assert not race.value.withdrawn
    message = str(race.value)
    assert "SO000021" in message and "SO000022" in message and "could not be withdrawn" in message
    assert "subscription 3000001 may be ordered twice" in message and "a rerun is safe then" in message


def test_orders_seen_before_ordering_and_renewals_are_no_rivals():
    earlier = order(20, created="2026-12-05T09:59:30Z", status="completed")
    renewal = order(23, created="2026-12-05T10:00:00Z", kind="renewal")
    client = FakeClient(orders=[earlier], placed=order(22, created="2026-12-05T10:00:01Z"))
    seen = claim(client)  # the order listed before ordering is known
    client.after_post = [renewal]
    desk = OrderDesk(client, warn=lambda message: None)
    assert desk.place_alone(BODY, seen)["orderNumber"] == "SO000022"


def test_after_completion_a_rival_that_went_through_is_reported():
    ours = order(21, status="completed", provisioningDate="2026-12-05T10:00:10Z")
    client = FakeClient(orders=[ours, order(22, created="2026-12-05T10:00:02Z", status="completed")])
    desk = OrderDesk(client, warn=lambda message: None)
    with pytest.raises(IMOrderRaceError) as race:
        desk.confirm_alone(claim(), ours, Waiter(5))
    assert "order SO000022 (id 4000022), placed by another run for subscription 3000001 at the same moment as this run's " \
           "order SO000021 (id 4000021), was not withdrawn (completed)" in str(race.value)


def test_after_completion_withdrawn_rivals_and_later_orders_are_fine():
    ours = order(21, status="completed", provisioningDate="2026-12-05T10:00:10Z")
    client = FakeClient(orders=[ours, order(22, created="2026-12-05T10:00:02Z", status="cancelled"),
                                order(23, created="2026-12-05T10:00:20Z", status="processing")])  # placed after ours ended
    desk = OrderDesk(client, warn=lambda message: None)
    desk.confirm_alone(claim(), ours, Waiter(5))


def test_precedence_follows_creation_then_numeric_id():
    assert precedence(order(999, created="2026-12-05T10:00:00Z")) < precedence(order(1000, created="2026-12-05T10:00:00Z"))
    assert precedence({"id": "999", "creationDate": "2026-12-05T10:00:01Z"}) > precedence({"id": "1000", "creationDate": "2026-12-05T10:00:00Z"})


def test_a_lost_answer_whose_lookup_fails_says_an_order_may_exist():
    client = FakeClient()

    def lost(path, body=None):
        raise IMApiError("POST /orders: no answer within 30s (timeout)", method="POST", path="/orders", ambiguous=True)

    def failing(path, query=None):
        raise IMApiError("GET /orders: HTTP 503 unavailable (after 6 attempts)", status=503, method="GET", path="/orders")

    client.post, client.paginate = lost, failing
    with pytest.raises(IMApiError) as failure:
        OrderDesk(client, warn=lambda message: None).place(BODY)
    assert "looking for the order it may have created failed too (GET /orders: HTTP 503" in str(failure.value)
    assert "an order for subscription 3000001 may exist. A rerun is safe" in str(failure.value)


def test_nothing_is_ordered_once_the_controller_is_gone():
    class Gone:
        @staticmethod
        def gone():
            return "ansible-playbook (pid 4242) has ended"

    client = FakeClient(placed=order(21))
    with pytest.raises(IMError, match=r"not ordered: ansible-playbook \(pid 4242\) has ended"):
        OrderDesk(client, warn=lambda message: None, watch=Gone()).place(BODY)
    assert client.posts == []


class Clock:
    """A clock that each sleep moves forward, and that moves an order along as time passes."""

    def __init__(self, client, order_id, status_after):
        self.now, self.client, self.order_id, self.status_after = 0.0, client, order_id, status_after

    def sleep(self, seconds):
        self.now += seconds
        for at, status in self.status_after:
            if self.now >= at:
                self.client.orders[self.order_id]["status"] = status


def settling(status_after, timeout=10, enabled=True):
    client = FakeClient([order(1, status="processing")])
    clock = Clock(client, order(1)["id"], status_after)
    warnings = []
    desk = OrderDesk(client, warnings.append)
    waiter = Waiter(timeout, enabled=enabled, clock=lambda: clock.now, sleep=clock.sleep)
    return desk, waiter, [order(1, status="processing")], warnings


def test_settle_waits_until_an_open_order_completes_and_says_so():
    desk, waiter, orders, warnings = settling([(3, "completed")])
    desk.settle(orders, waiter, "subscription 3000001")
    assert warnings == ["waited for order SO000001 (id 4000001), already open on subscription 3000001, before planning"]


def test_settle_warns_about_someone_elses_failed_order_and_goes_on():
    desk, waiter, orders, warnings = settling([(2, "error")])
    desk.settle(orders, waiter, "subscription 3000001")
    assert warnings[0] == "order SO000001 (id 4000001) ended in status error"


def test_settle_stops_the_run_when_an_order_is_still_open_at_the_timeout():
    desk, waiter, orders, warnings = settling([(60, "completed")], timeout=5)
    with pytest.raises(IMError) as error:
        desk.settle(orders, waiter, "subscription 3000001")
    assert said(error.value) == ("order SO000001 (id 4000001), already open on subscription 3000001 before this run, is still "
                                 "processing after wait_timeout (5s); nothing was ordered. Run again once it has completed")
    assert warnings == []


def test_settle_without_waiting_says_how_to_wait():
    desk, waiter, orders, _warnings = settling([], enabled=False)
    with pytest.raises(IMError) as error:
        desk.settle(orders, waiter, "the subscriptions of lines 2")
    assert "still open on the subscriptions of lines 2; rerun when it has completed, or set wait: true" in said(error.value)


def test_a_plan_does_not_wait_for_open_orders_but_names_them():
    client = FakeClient([order(1, status="processing")])
    warnings = []
    desk = OrderDesk(client, warnings.append)
    assert desk.settled_subscription(SUBSCRIPTION, Waiter(10, check_mode=True), check_mode=True) is SUBSCRIPTION
    assert warnings == ["order SO000001 (id 4000001) is still open on subscription 3000001; a real run would wait for it first, "
                        "and this plan assumes the subscription as it is now"]


def test_a_real_run_reads_the_subscription_again_once_its_open_orders_have_ended():
    desk, waiter, _orders_given, warnings = settling([(3, "completed")])
    fresh = desk.settled_subscription(SUBSCRIPTION, waiter)
    assert fresh["quantity_read"] == 0 and fresh is not SUBSCRIPTION
    assert desk.client.orders["4000001"]["status"] == "completed"
    assert warnings == ["waited for order SO000001 (id 4000001), already open on subscription 3000001, before planning"]


def ordering(placed, status_after, after_post=()):
    """An OrderDesk whose client places ``placed`` (and shows ``after_post`` with it), and a waiter whose clock moves the
    order ``status_after`` names along."""
    client = FakeClient(placed=placed)
    client.after_post = list(after_post)
    clock = Clock(client, status_after[0], status_after[1])
    warnings = []
    return OrderDesk(client, warnings.append), Waiter(10, clock=lambda: clock.now, sleep=clock.sleep), warnings


def test_order_alone_follows_its_order_to_completion(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    desk, waiter, warnings = ordering(order(21), (order(21)["id"], [(1, "completed")]))
    placed, withdrawn = desk.order_alone("3000001", lambda fresh: BODY, waiter)
    assert (placed["orderNumber"], placed["status"], withdrawn) == ("SO000021", "completed", None)
    assert desk.client.posts == [BODY] and warnings == []


def test_order_alone_builds_from_the_fresh_subscription_and_orders_nothing_when_it_has_the_seats(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    desk, waiter, _warnings = ordering(order(21), (order(21)["id"], []))
    seen = []
    assert desk.order_alone("3000001", lambda fresh: seen.append(fresh) and None, waiter) == (None, None)
    assert seen[0]["id"] == "3000001" and desk.client.posts == []


def test_order_alone_after_a_lost_race_waits_for_the_order_that_stands(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rival = order(21, created="2026-12-05T10:00:01Z")
    desk, waiter, warnings = ordering(order(22, created="2026-12-05T10:00:01Z"), (rival["id"], [(2, "completed")]), [rival])
    placed, withdrawn = desk.order_alone("3000001", lambda fresh: BODY, waiter)
    assert placed is None and (withdrawn["orderNumber"], withdrawn["status"]) == ("SO000022", "cancelled")
    assert desk.client.orders[rival["id"]]["status"] == "completed"  # waited for: its seats are what counts now
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
