"""The licence Reconciler over the real client and OrderDesk, only HTTP faked (responses, answered by a small stateful API):
read() resolves lines by subscription id or by customer and MPN across pages, and names what it cannot find; open_orders()
reports the submitted and processing orders of the lines that would order; apply() sends the delta or the new total as
change_quantity says, ends each line with its order and a verified seat count, fails only the line the API refuses, never
reports seats that read back wrong as completed, and places no order where none is needed."""

import copy
import datetime
import json
import re
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _license_planner as planner
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._license_reconciler import Reconciler
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import OrderDesk
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._waiter import Waiter

BASE = "http://api.test/marketplace/eu"
TODAY = datetime.date(2026, 11, 26)
M365, EXO, TEAMS = "CFQ7TTC0LDPB:0001:P1Y", "CFQ7TTC0LH16:0001:P1Y", "CFQ7TTC0RM8K:0001:P1Y"
NAMES = {M365: "Microsoft 365 Business Standard", EXO: "Exchange Online (Plan 1)", TEAMS: "Microsoft Teams Essentials"}
UNIT_PRICE = 12.5
REFUSAL = "Quantity 25 exceeds the number of licences the vendor allows for this subscription"


class FakeApi:
    """The Marketplace API as the contract describes it: thin list rows in ``{data, pagination}`` pages (at most
    ``page_size`` a page), detailed records by id, 404 for unknown ids. ``POST /orders`` answers a submitted order (or
    HTTP 400 for a subscription in ``refusals``); reading a placed order completes it and applies its change to the
    subscription, the line quantity read as ``reads_quantity_as`` (``ignored``: the seats stay as they were)."""

    def __init__(self, rsps, reads_quantity_as="total", page_size=1000):
        self.reads_quantity_as = reads_quantity_as
        self.page_size = page_size
        self.customers, self.products, self.subscriptions, self.orders = {}, [], {}, {}
        self.refusals = {}
        self.moving = set()
        self.numbers = iter(range(1, 1000))
        self.lock = threading.Lock()
        rsps.add(responses.POST, BASE + "/token", json={"token": "tok-1", "expiresInSeconds": 1500})
        for path, lister in (("/customers", self.list_customers), ("/products", self.list_products),
                             ("/subscriptions", self.list_subscriptions), ("/orders", self.list_orders)):
            rsps.add_callback(responses.GET, BASE + path, callback=self.locked(lister))
        rsps.add_callback(responses.GET, re.compile(re.escape(BASE) + r"/(customers|subscriptions|orders)/([^/?]+)$"),
                          callback=self.locked(self.detail))
        rsps.add_callback(responses.POST, BASE + "/orders", callback=self.locked(self.place))

    # ------------------------------------------------------------------ seeding

    def customer(self, customer_id, external_id, name):
        self.customers[customer_id] = {"id": customer_id, "externalId": external_id, "name": name, "status": "active"}

    def product(self, mpn):
        self.products.append({"mpn": mpn, "id": "P-" + mpn, "name": NAMES[mpn], "minimumQuantity": "1", "maximumQuantity": "300",
                              "subscriptionPeriod": {"type": "year", "duration": 1}, "billingPeriod": {"type": "month", "duration": 1}})

    def subscription(self, subscription_id, customer_id, mpn, seats, status="active"):
        self.subscriptions[subscription_id] = {
            "id": subscription_id, "name": NAMES[mpn], "customerId": customer_id, "status": status, "creationDate": "2026-06-01",
            "renewalDate": "2027-06-01", "subscriptionPeriod": {"type": "year", "duration": 1},
            "billingPeriod": {"type": "month", "duration": 1}, "products": [{"mpn": mpn, "name": NAMES[mpn], "quantity": seats}]}

    def order(self, number, subscription_id, status, quantity=None, moves=False):
        """An order already on the platform; one that ``moves`` completes when read, applying ``quantity``."""
        held = self.subscriptions[subscription_id]
        order_id = str(4000000 + number)
        self.orders[order_id] = {
            "id": order_id, "orderNumber": "SO%06d" % number, "type": "change", "status": status, "customerId": held["customerId"],
            "subscriptionId": subscription_id, "creationDate": "2026-11-26T09:00:00Z",
            "products": [{"mpn": held["products"][0]["mpn"], "quantity": quantity, "subscriptionId": subscription_id}]}
        if moves:
            self.moving.add(order_id)

    def seats(self, subscription_id):
        return self.subscriptions[subscription_id]["products"][0]["quantity"]

    # ------------------------------------------------------------------ answers

    def locked(self, handler):
        def answer(request):
            with self.lock:
                parts = urlsplit(request.url)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                return handler(request, parts.path[len(urlsplit(BASE).path):], query)
        return answer

    def page(self, rows, query):
        offset, limit = int(query.get("offset", 0)), min(int(query.get("limit", 10)), self.page_size)
        body = {"data": rows[offset:offset + limit], "pagination": {"offset": offset, "limit": limit, "total": len(rows)}}
        return 200, {}, json.dumps(body)

    @staticmethod
    def error(status, message):
        return status, {}, json.dumps({"status": status, "error": "Bad Request", "message": message})

    def list_customers(self, _request, _path, query):
        rows = [row for row in self.customers.values() if query.get("externalId") in (None, row["externalId"])]
        return self.page([{key: row[key] for key in ("id", "externalId", "name", "status")} for row in rows], query)

    def list_products(self, _request, _path, query):
        return self.page([row for row in self.products if query.get("mpn") in (None, row["mpn"])], query)

    def list_subscriptions(self, _request, _path, query):
        rows = [row for row in self.subscriptions.values()
                if query.get("customerId") in (None, row["customerId"]) and query.get("status") in (None, row["status"])]
        return self.page([{key: value for key, value in row.items() if key != "products"} for row in rows], query)

    def list_orders(self, _request, _path, query):
        rows = [row for row in self.orders.values()
                if all(query.get(field) in (None, row[field]) for field in ("customerId", "subscriptionId", "status"))]
        return self.page([{key: value for key, value in row.items() if key not in ("products", "poNumber")} for row in rows], query)

    def detail(self, _request, path, _query):
        collection, object_id = path.strip("/").split("/")
        found = {"customers": self.customers, "subscriptions": self.subscriptions, "orders": self.orders}[collection].get(object_id)
        if found is None:
            return self.error(404, "%s %s not found" % (collection[:-1].capitalize(), object_id))
        if collection == "orders" and object_id in self.moving and found["status"] in ("submitted", "processing"):
            self.complete(found)
        return 200, {}, json.dumps(found)

    def place(self, request, _path, _query):
        body = json.loads(request.body)
        if body.get("subscriptionId") in self.refusals:
            return self.error(400, self.refusals[body["subscriptionId"]])
        number = next(self.numbers)
        change = sum(self.change_of(item) for item in body["products"])
        placed = dict(copy.deepcopy(body), id=str(4000000 + number), orderNumber="SO%06d" % number, status="submitted",
                      creationDate="2026-11-26T10:00:%02dZ" % number,
                      total={"amount": "%.2f" % (change * UNIT_PRICE), "currency": "USD"})
        self.orders[placed["id"]] = placed
        self.moving.add(placed["id"])
        return 200, {}, json.dumps(placed)

    def change_of(self, item):
        current = self.seats(item["subscriptionId"])
        return {"total": item["quantity"] - current, "delta": item["quantity"], "ignored": 0}[self.reads_quantity_as]

    def complete(self, order):
        for item in order["products"]:
            self.subscriptions[item["subscriptionId"]]["products"][0]["quantity"] += self.change_of(item)
        order.update(status="completed", provisioningDate="2026-11-26T10:05:00Z")


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def api(rsps, tmp_path, monkeypatch):
    """Acme (ACME-001) holds 10 seats of M365, 20 of EXO and 5 of TEAMS; Globex (GLOBEX) 40 of M365 and 8 of EXO."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the ordering locks
    fake = FakeApi(rsps)
    fake.customer("1000001", "ACME-001", "Acme Manufacturing")
    fake.customer("1000002", "GLOBEX", "Globex")
    for mpn in (M365, EXO, TEAMS):
        fake.product(mpn)
    fake.subscription("3000001", "1000001", M365, 10)
    fake.subscription("3000002", "1000001", EXO, 20)
    fake.subscription("3000003", "1000001", TEAMS, 5)
    fake.subscription("3000004", "1000002", M365, 40)
    fake.subscription("3000005", "1000002", EXO, 8)
    return fake


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


def calls(rsps, method, path):
    return [call for call in rsps.calls if call.request.method == method and urlsplit(call.request.url).path == urlsplit(BASE + path).path]


def query(call):
    return {key: values[0] for key, values in parse_qs(urlsplit(call.request.url).query).items()}


def posted_orders(rsps):
    return [json.loads(call.request.body) for call in calls(rsps, "POST", "/orders")]


def change_body(subscription_id, customer_id, mpn, quantity):
    return {"type": "change", "customerId": customer_id, "subscriptionId": subscription_id,
            "products": [{"mpn": mpn, "quantity": quantity, "subscriptionId": subscription_id}]}


# ------------------------------------------------------------------ read


def test_read_resolves_lines_by_subscription_id_by_external_id_and_by_customer_id(reconciler, rsps):
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"), spec(10, customer="GLOBEX", mpn=EXO),
                         spec(45, customer="1000002", mpn=M365))
    assert [(state["customer_id"], state["mpn"], state["subscription"]["id"], state["problem"]) for state in states] == [
        ("1000001", M365, "3000001", None), ("1000002", EXO, "3000005", None), ("1000002", M365, "3000004", None)]
    assert [state["customer_name"] for state in states] == [None, "Globex", "Globex"]
    assert [state["product"]["name"] for state in states] == [NAMES[M365], NAMES[EXO], NAMES[M365]]
    assert [(line["current"], line["desired"], line["action"]) for line in lines] == [
        (10, 13, "increase"), (8, 10, "increase"), (40, 45, "increase")]
    assert calls(rsps, "GET", "/orders") == [] and calls(rsps, "POST", "/orders") == []


def test_read_names_an_unknown_subscription_and_an_unknown_customer_and_blocks_their_lines(reconciler):
    states, lines = plan(reconciler, spec(13, subscription_id="3999999"), spec(5, customer="NOBODY", mpn=M365),
                         spec(12, subscription_id="3000001"))
    assert states[0]["problem"] == "subscription id 3999999 not found"
    assert states[1]["problem"] == "customer NOBODY not found: no customer has this external id or id"
    assert [(line["action"], line["reason"]) for line in lines] == [
        ("blocked", "subscription id 3999999 not found"),
        ("blocked", "customer NOBODY not found: no customer has this external id or id"),
        ("increase", None)]


def test_read_follows_the_pages_of_the_subscription_listing(api, reconciler, rsps):
    api.page_size = 2  # Acme's three subscriptions: TEAMS is the only one on the second page
    states, lines = plan(reconciler, spec(7, customer="ACME-001", mpn=TEAMS))
    assert (states[0]["subscription"] or {}).get("id") == "3000003"
    assert (lines[0]["current"], lines[0]["action"]) == (5, "increase")
    listings = [query(call) for call in calls(rsps, "GET", "/subscriptions")]
    assert [(page["customerId"], page["offset"]) for page in listings] == [("1000001", "0"), ("1000001", "2")]
    assert [urlsplit(call.request.url).path for call in rsps.calls if "/subscriptions/" in call.request.url] == [
        "/marketplace/eu/subscriptions/3000003"]


# ------------------------------------------------------------------ open orders


def test_open_orders_reports_submitted_and_processing_orders_of_ordering_lines_by_index(api, reconciler, rsps):
    api.order(11, "3000001", "submitted")
    api.order(12, "3000005", "processing")
    api.order(13, "3000002", "completed")
    api.order(14, "3000003", "submitted")  # on line 4, which orders nothing
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"), spec(10, subscription_id="3000005"),
                         spec(25, subscription_id="3000002"), spec(5, subscription_id="3000003"))
    assert [line["action"] for line in lines] == ["increase", "increase", "increase", "none"]
    found = reconciler.open_orders(states, lines)
    assert {index: [order["orderNumber"] for order in orders] for index, orders in found.items()} == {1: ["SO000011"], 2: ["SO000012"]}
    assert sorted(query(call).get("status") for call in calls(rsps, "GET", "/orders")) == ["processing", "submitted"]
    assert calls(rsps, "POST", "/orders") == []


# ------------------------------------------------------------------ apply


@pytest.mark.parametrize("mode, desired, sent", [("delta", 13, 3), ("total", 13, 13), ("delta", 7, -3), ("total", 7, 7)])
def test_apply_sends_the_quantity_change_quantity_asks_for_and_verifies_the_seats(api, reconciler, rsps, clock, mode, desired, sent):
    api.reads_quantity_as = mode
    states, lines = plan(reconciler, spec(desired, subscription_id="3000001"))
    confirmation = reconciler.apply(states, lines, mode, waiter(clock))
    assert posted_orders(rsps) == [change_body("3000001", "1000001", M365, sent)]
    assert lines[0]["result"] == planner.COMPLETED and lines[0]["message"] is None and lines[0]["failure"] is None
    assert lines[0]["order"] == {"id": "4000001", "order_number": "SO000001", "status": "completed"}
    assert lines[0]["price_change"] == {"amount": "%.2f" % ((desired - 10) * UNIT_PRICE), "currency": "USD", "per": "month"}
    assert api.seats("3000001") == desired
    assert confirmation[0] is lines[0] and (confirmation[1]["id"], confirmation[1]["orderNumber"]) == ("4000001", "SO000001")
    order_read = rsps.calls.index(calls(rsps, "GET", "/orders/4000001")[-1])
    assert rsps.calls.index(calls(rsps, "POST", "/orders")[0]) < order_read < rsps.calls.index(calls(rsps, "GET", "/subscriptions/3000001")[-1])
    assert clock == [0.5]


def test_an_order_the_api_refuses_fails_its_line_only_and_is_not_sent_again(api, reconciler, rsps, clock):
    api.refusals["3000002"] = REFUSAL
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"), spec(25, subscription_id="3000002"),
                         spec(7, subscription_id="3000003"))
    confirmation = reconciler.apply(states, lines, "total", waiter(clock))
    assert [line["result"] for line in lines] == ["completed", "failed", "completed"]
    assert lines[1]["message"] == "POST /orders: HTTP 400 " + REFUSAL
    assert [line["failure"] for line in lines] == [None, "refused_by_api", None]
    assert lines[1]["order"] is None
    assert sorted(body["subscriptionId"] for body in posted_orders(rsps)) == ["3000001", "3000002", "3000003"]
    assert [api.seats(sid) for sid in ("3000001", "3000002", "3000003")] == [13, 20, 7]
    assert confirmation[0]["index"] in (1, 3)
    assert planner.run_outcome(lines) == planner.PARTIAL


@pytest.mark.parametrize("platform, seats, explanation", [
    ("delta", 23, "The platform read that quantity as seats to add, not as the new total: set change_quantity: delta"),
    ("ignored", 10, "Neither reading of change-order quantities explains this"),
])
def test_a_completed_order_whose_seats_read_back_wrong_is_not_a_success(api, reconciler, rsps, clock, platform, seats, explanation):
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
    assert len(posted_orders(rsps)) == 1


def test_a_line_already_at_its_seats_sends_nothing(reconciler, rsps, clock):
    states, lines = plan(reconciler, spec(10, subscription_id="3000001"))
    sent_before = len(rsps.calls)
    assert reconciler.apply(states, lines, "total", waiter(clock)) is None
    assert (lines[0]["action"], lines[0]["result"], lines[0]["order"]) == ("none", "none", None)
    assert len(rsps.calls) == sent_before


def test_an_open_order_that_reaches_the_seats_before_ordering_leaves_nothing_to_order(api, reconciler, rsps, clock):
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"))
    api.order(21, "3000001", "submitted", quantity=13, moves=True)  # placed elsewhere after the plan was made
    reconciler.apply(states, lines, "total", waiter(clock))
    assert posted_orders(rsps) == []
    assert lines[0]["result"] == "none" and lines[0]["order"] is None
    assert lines[0]["message"] == ("order SO000021 (id 4000021) brought subscription 3000001 to 13 seats while this run worked; "
                                   "nothing was ordered")


def test_seats_moved_against_the_plan_are_not_ordered_from(api, reconciler, rsps, clock):
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"))
    api.subscriptions["3000001"]["products"][0]["quantity"] = 15
    reconciler.apply(states, lines, "total", waiter(clock))
    assert posted_orders(rsps) == []
    assert (lines[0]["result"], lines[0]["failure"]) == (planner.LINE_FAILED, "seats_moved")
    assert lines[0]["message"] == ("another order changed subscription 3000001 (%s) from 10 to 15 seats since the plan was made; "
                                   "nothing was ordered: run again to plan from 15" % lines[0]["mpn"])


def test_with_wait_off_lines_end_submitted_and_are_not_read_back(api, reconciler, rsps, clock):
    states, lines = plan(reconciler, spec(13, subscription_id="3000001"), spec(10, subscription_id="3000005"))
    reads_before = len(calls(rsps, "GET", "/subscriptions/3000001"))
    assert reconciler.apply(states, lines, "total", waiter(clock, enabled=False)) is None
    assert [(line["result"], line["order"]["status"]) for line in lines] == [("submitted", "submitted")] * 2
    assert sorted(body["subscriptionId"] for body in posted_orders(rsps)) == ["3000001", "3000005"]
    assert [call for call in rsps.calls if "/orders/" in call.request.url] == []
    assert len(calls(rsps, "GET", "/subscriptions/3000001")) == reads_before + 1  # the fresh read before ordering, none after
    assert clock == []
