"""The licence Reconciler over the real client and OrderDesk, only HTTP faked (the fake API, tests/unit/fake_api.py):
read() resolves lines by subscription id or by customer and MPN across pages, and names what it cannot find; open_orders()
reports the submitted and processing orders of the lines that would order; apply() sends the delta or the new total as
change_quantity says, ends each line with its order and a verified seat count, fails only the line the API refuses, never
reports seats that read back wrong as completed, and places no order where none is needed."""

import datetime

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _license_planner as planner
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._license_reconciler import Reconciler
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import OrderDesk
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._waiter import Waiter
from tests.unit.fake_api import UNIT_PRICE

TODAY = datetime.date(2026, 11, 26)
M365, EXO, TEAMS = "CFQ7TTC0LDPB:0001:P1Y", "CFQ7TTC0LH16:0001:P1Y", "CFQ7TTC0RM8K:0001:P1Y"
NAMES = {M365: "Microsoft 365 Business Standard", EXO: "Exchange Online (Plan 1)", TEAMS: "Microsoft Teams Essentials"}
REFUSAL = "Quantity 25 exceeds the number of licences the vendor allows for this subscription"


@pytest.fixture
def api(api, tmp_path, monkeypatch):
    """Acme (ACME-001) holds 10 seats of M365, 20 of EXO and 5 of TEAMS; Globex (GLOBEX) 40 of M365 and 8 of EXO."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the ordering locks
    api.customer("1000001", "ACME-001", "Acme Manufacturing")
    api.customer("1000002", "GLOBEX", "Globex")
    for mpn in (M365, EXO, TEAMS):
        api.product(mpn, NAMES[mpn])
    for subscription_id, customer_id, mpn, seats in (("3000001", "1000001", M365, 10), ("3000002", "1000001", EXO, 20),
                                                     ("3000003", "1000001", TEAMS, 5), ("3000004", "1000002", M365, 40),
                                                     ("3000005", "1000002", EXO, 8)):
        api.subscription(subscription_id, customer_id, mpn, seats, NAMES[mpn])
    return api


@pytest.fixture
def clock(sleeps):
    """The unit tests' fake time (tests/unit/conftest.py): every sleep recorded, the clock moved on by it."""
    return sleeps


@pytest.fixture
def reconciler(api, make_client):
    warnings = []
    client = make_client()
    built = Reconciler(client, OrderDesk(client, warnings.append, concurrency=3), warnings.append, concurrency=3, today=TODAY)
    built.warnings = warnings
    return built


def spec(quantity, customer=None, mpn=None, subscription_id=None):
    """A licence line as the module's declarations hand it over."""
    return {"customer": customer, "mpn": mpn, "subscription_id": subscription_id, "quantity": quantity, "decrease_window_days": None,
            "parameters": None, "po_number": None, "source": None, "derivation": None, "columns": {}}


def plan(reconciler, *specs):
    states = reconciler.read(list(specs))
    return states, planner.plan_lines(states, _seats.Guardrails(allow_decrease=True), None, TODAY)


def waiter(clock, enabled=True):
    return Waiter(600, enabled=enabled, clock=clock.monotonic, sleep=clock)


def at(api, method, path):
    """Where in the API's requests ``method`` ``path`` came."""
    return [index for index, request in enumerate(api.requests) if (request.method, request.path) == (method, path)]


def posted_orders(api):
    return [request.body for request in api.sent("POST", "/orders")]


def change_body(subscription_id, customer_id, mpn, quantity):
    return {"type": "change", "customerId": customer_id, "subscriptionId": subscription_id,
            "products": [{"mpn": mpn, "quantity": quantity, "subscriptionId": subscription_id}]}


# ------------------------------------------------------------------ read


def test_read_resolves_lines_by_subscription_id_by_external_id_and_by_customer_id(reconciler, api):
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"), spec(10, customer="GLOBEX", mpn=EXO),
                         spec(45, customer="1000002", mpn=M365))
    assert [(state["customer_id"], state["mpn"], state["subscription"]["id"], state["problem"]) for state in states] == [
        ("1000001", M365, "3000001", None), ("1000002", EXO, "3000005", None), ("1000002", M365, "3000004", None)]
    assert [state["customer_name"] for state in states] == [None, "Globex", "Globex"]
    assert [state["product"]["name"] for state in states] == [NAMES[M365], NAMES[EXO], NAMES[M365]]
    assert [(line["current"], line["desired"], line["action"]) for line in lines] == [
        (10, 13, "increase"), (8, 10, "increase"), (40, 45, "increase")]
    assert api.sent("GET", "/orders") == [] and api.sent("POST", "/orders") == []


def test_read_names_an_unknown_subscription_and_an_unknown_customer_and_blocks_their_lines(reconciler):
    states, lines = plan(reconciler, spec(13, subscription_id="3999999"), spec(5, customer="NOBODY", mpn=M365),
                         spec(12, subscription_id="3000001"))
    assert states[0]["problem"] == "subscription id 3999999 not found"
    assert states[1]["problem"] == "customer NOBODY not found: no customer has this external id or id"
    assert [(line["action"], line["reason"]) for line in lines] == [
        ("blocked", "subscription id 3999999 not found"),
        ("blocked", "customer NOBODY not found: no customer has this external id or id"),
        ("increase", None)]


def test_read_follows_the_pages_of_the_subscription_listing(api, reconciler):
    api.page_size = 2  # Acme's three subscriptions: TEAMS is the only one on the second page
    states, lines = plan(reconciler, spec(7, customer="ACME-001", mpn=TEAMS))
    assert (states[0]["subscription"] or {}).get("id") == "3000003"
    assert (lines[0]["current"], lines[0]["action"]) == (5, "increase")
    listings = [request.query for request in api.sent("GET", "/subscriptions")]
    assert [(page["customerId"], page["offset"]) for page in listings] == [("1000001", "0"), ("1000001", "2")]
    assert [request.path for request in api.requests if request.path.startswith("/subscriptions/")] == ["/subscriptions/3000003"]


# ------------------------------------------------------------------ open orders


def test_open_orders_reports_submitted_and_processing_orders_of_ordering_lines_by_index(api, reconciler):
    api.order(11, "3000001", "submitted")
    api.order(12, "3000005", "processing")
    api.order(13, "3000002", "completed")
    api.order(14, "3000003", "submitted")  # on line 4, which orders nothing
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"), spec(10, subscription_id="3000005"),
                         spec(25, subscription_id="3000002"), spec(5, subscription_id="3000003"))
    assert [line["action"] for line in lines] == ["increase", "increase", "increase", "none"]
    found = reconciler.open_orders(states, lines)
    assert {index: [order["orderNumber"] for order in orders] for index, orders in found.items()} == {1: ["SO000011"], 2: ["SO000012"]}
    assert sorted(request.query.get("status") for request in api.sent("GET", "/orders")) == ["processing", "submitted"]
    assert api.sent("POST", "/orders") == []


# ------------------------------------------------------------------ apply


@pytest.mark.parametrize("mode, desired, sent", [("delta", 13, 3), ("total", 13, 13), ("delta", 7, -3), ("total", 7, 7)])
def test_apply_sends_the_quantity_change_quantity_asks_for_and_verifies_the_seats(api, reconciler, clock, mode, desired, sent):
    api.reads_quantity_as = mode
    states, lines = plan(reconciler, spec(desired, subscription_id="3000001"))
    confirmation = reconciler.apply(states, lines, mode, waiter(clock))
    assert posted_orders(api) == [change_body("3000001", "1000001", M365, sent)]
    assert lines[0]["result"] == planner.COMPLETED and lines[0]["message"] is None and lines[0]["failure"] is None
    assert lines[0]["order"] == {"id": "4000001", "order_number": "SO000001", "status": "completed"}
    assert lines[0]["price_change"] == {"amount": "%.2f" % ((desired - 10) * UNIT_PRICE), "currency": "USD", "per": "month"}
    assert api.seats("3000001") == desired
    assert confirmation[0] is lines[0] and (confirmation[1]["id"], confirmation[1]["orderNumber"]) == ("4000001", "SO000001")
    assert at(api, "POST", "/orders")[0] < at(api, "GET", "/orders/4000001")[-1] < at(api, "GET", "/subscriptions/3000001")[-1]
    assert clock == [0.5]


def test_an_order_the_api_refuses_fails_its_line_only_and_is_not_sent_again(api, reconciler, clock):
    api.refusals["3000002"] = REFUSAL
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"), spec(25, subscription_id="3000002"),
                         spec(7, subscription_id="3000003"))
    confirmation = reconciler.apply(states, lines, "total", waiter(clock))
    assert [line["result"] for line in lines] == ["completed", "failed", "completed"]
    assert lines[1]["message"] == "POST /orders: HTTP 400 " + REFUSAL
    assert [line["failure"] for line in lines] == [None, "refused_by_api", None]
    assert lines[1]["order"] is None
    assert sorted(body["subscriptionId"] for body in posted_orders(api)) == ["3000001", "3000002", "3000003"]
    assert [api.seats(sid) for sid in ("3000001", "3000002", "3000003")] == [13, 20, 7]
    assert confirmation[0]["index"] in (1, 3)
    assert planner.run_outcome(lines) == planner.PARTIAL


@pytest.mark.parametrize("platform, seats, explanation", [
    ("delta", 23, "The platform read that quantity as seats to add, not as the new total: set change_quantity: delta"),
    ("ignored", 10, "Neither reading of change-order quantities explains this"),
])
def test_a_completed_order_whose_seats_read_back_wrong_is_not_a_success(api, reconciler, clock, platform, seats, explanation):
    api.reads_quantity_as = platform
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"))
    confirmation = reconciler.apply(states, lines, "total", waiter(clock))
    assert api.seats("3000001") == seats
    assert (lines[0]["result"], lines[0]["failure"]) == (planner.LINE_FAILED, "seats_differ")
    assert lines[0]["message"].startswith("order SO000001 (id 4000001) completed, but subscription 3000001 now has %d seats of %s "
                                          "instead of the 13 asked for (it had 10; the order carried the quantity 13). " % (seats, M365))
    assert explanation in lines[0]["message"]
    assert lines[0]["order"] == {"id": "4000001", "order_number": "SO000001", "status": "completed"}
    assert confirmation is None
    assert len(posted_orders(api)) == 1


def test_a_line_already_at_its_seats_sends_nothing(reconciler, api, clock):
    states, lines = plan(reconciler, spec(10, subscription_id="3000001"))
    sent_before = len(api.requests)
    assert reconciler.apply(states, lines, "total", waiter(clock)) is None
    assert (lines[0]["action"], lines[0]["result"], lines[0]["order"]) == ("none", "none", None)
    assert len(api.requests) == sent_before


def test_an_open_order_that_reaches_the_seats_before_ordering_leaves_nothing_to_order(api, reconciler, clock):
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"))
    api.order(21, "3000001", "submitted", quantity=13, moves=True)  # placed elsewhere after the plan was made
    reconciler.apply(states, lines, "total", waiter(clock))
    assert posted_orders(api) == []
    assert lines[0]["result"] == "none" and lines[0]["order"] is None
    assert lines[0]["message"] == ("order SO000021 (id 4000021) brought subscription 3000001 to 13 seats while this run worked; "
                                   "nothing was ordered")


def test_seats_moved_against_the_plan_are_not_ordered_from(api, reconciler, clock):
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"))
    api.subscriptions["3000001"]["products"][0]["quantity"] = 15
    reconciler.apply(states, lines, "total", waiter(clock))
    assert posted_orders(api) == []
    assert (lines[0]["result"], lines[0]["failure"]) == (planner.LINE_FAILED, "seats_moved")
    assert lines[0]["message"] == ("another order changed subscription 3000001 (%s) from 10 to 15 seats since the plan was made; "
                                   "nothing was ordered: run again to plan from 15" % lines[0]["mpn"])


def test_with_wait_off_lines_end_submitted_and_are_not_read_back(api, reconciler, clock):
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"), spec(10, subscription_id="3000005"))
    reads_before = len(api.sent("GET", "/subscriptions/3000001"))
    assert reconciler.apply(states, lines, "total", waiter(clock, enabled=False)) is None
    assert [(line["result"], line["order"]["status"]) for line in lines] == [("submitted", "submitted")] * 2
    assert sorted(body["subscriptionId"] for body in posted_orders(api)) == ["3000001", "3000005"]
    assert [request for request in api.requests if request.path.startswith("/orders/")] == []
    assert len(api.sent("GET", "/subscriptions/3000001")) == reads_before + 1  # the fresh read before ordering, none after
    assert clock == []
