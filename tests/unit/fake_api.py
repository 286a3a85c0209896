"""The fake Marketplace API of the unit tests: a small stateful API answered through ``responses``, under the real client.

Unit tests fake the HTTP layer, never the client above it. A test builds the real ``MarketplaceClient`` with the
``make_client`` fixture and lets this API answer it (the ``api`` fixture, both in tests/unit/conftest.py). The state is
plain dicts a test seeds and reads (``customers``, ``products``, ``subscriptions``, ``orders``); each route of the
contract (../shared/api/im-api-reference.md) is answered by one method below; every request received is recorded in
``requests``. The simulator in tests/simulator is the full stand-in (validation, faults, orders that move with time);
this is the part the unit tests need, with the shapes of the contract: ``{data, pagination}`` pages of thin list rows
(no products on subscriptions and orders, no PO number on orders), full records by id, 404 for an unknown id, errors
as ``{status, error, message}``, and a ``Date`` header from the API's clock (``now``).

What a test can set:

- ``racing``: another run's customers and orders that are created at the moment this run POSTs to the same collection
  (seed them with ``racing=True``);
- ``refusals``: ``POST /orders`` for a subscription id answered HTTP 400 with the API's message;
- ``fail(method, path, ...)``: a route answered with an error, or not answered at all;
- ``unique_external_ids``: ``POST /customers`` refuses a second customer with the same external id;
- ``keeps_attributes``: ``False`` when ``PATCH /subscriptions/{id}`` holds back the attributes sent;
- ``reads_quantity_as``: how a completed change order moves the seats: its quantity as the new ``total``, as seats to
  add (``delta``), or ``ignored``;
- ``auto_complete``: whether the orders this run places complete the first time they are read (else a test moves them
  with ``finish``);
- ``next_order`` and ``now``: the number and the creation time of the next order placed;
- ``page_size``: the largest page the API answers.
"""

import collections
import copy
import datetime
import email.utils
import http
import itertools
import json
import re
import threading
from urllib.parse import parse_qs, urlsplit

BASE = "http://api.test/marketplace/eu"
UNIT_PRICE = 12.5  # what one seat costs a month: the total of an order placed is its change of seats at this price
OPEN_STATUSES = ("submitted", "processing")
CUSTOMER_ROW = ("id", "externalId", "name", "status")

Request = collections.namedtuple("Request", "method path query body")


class Refusal(Exception):
    """An error answer of the API: HTTP ``status`` with the API's ``message``."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


def moment(text):
    """An API date-time (``2026-11-26T10:00:00Z``) as an aware datetime."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class FakeApi:
    """The Marketplace API at ``BASE``, answering every request that goes through ``rsps`` (a ``responses`` mock)."""

    ROUTES = (
        ("POST", r"/token", "issue_token"),
        ("GET", r"/customers", "list_customers"),
        ("POST", r"/customers", "create_customer"),
        ("GET", r"/customers/([^/]+)", "read_customer"),
        ("PATCH", r"/customers/([^/]+)", "update_customer"),
        ("GET", r"/products", "list_products"),
        ("GET", r"/subscriptions", "list_subscriptions"),
        ("GET", r"/subscriptions/([^/]+)", "read_subscription"),
        ("PATCH", r"/subscriptions/([^/]+)", "update_subscription"),
        ("POST", r"/subscriptions/([^/]+)/specialPricing", "special_pricing"),
        ("GET", r"/orders", "list_orders"),
        ("POST", r"/orders", "place_order"),
        ("GET", r"/orders/([^/]+)", "read_order"),
        ("PATCH", r"/orders/([^/]+)", "update_order"),
    )

    def __init__(self, rsps):
        self.customers, self.products, self.subscriptions, self.orders = {}, [], {}, {}
        self.requests = []  # every Request received, in order (the token's too)
        self.racing = {"customers": [], "orders": []}
        self.refusals = {}
        self.faults = {}
        self.unique_external_ids = False
        self.keeps_attributes = True
        self.reads_quantity_as = "total"
        self.auto_complete = True
        self.moving = set()  # ids of the orders that complete when read
        self.next_order = 1
        self.customer_ids = itertools.count(1000101)
        self.now = "2026-11-26T10:00:00Z"
        self.page_size = 1000
        self.lock = threading.RLock()  # the client reads with several threads
        for method in ("GET", "POST", "PATCH"):
            rsps.add_callback(method, re.compile(re.escape(BASE) + "/"), callback=self.answer, content_type="application/json")

    # ------------------------------------------------------------------ seeding

    def customer(self, customer_id, external_id, name, racing=False, **fields):
        record = dict({"id": customer_id, "externalId": external_id, "name": name, "status": "active"}, **fields)
        self.add("customers", record, racing)
        return copy.deepcopy(record)

    def product(self, mpn, name=None, **fields):
        self.products.append(dict({"mpn": mpn, "id": "P-" + mpn, "name": name or mpn, "minimumQuantity": "1", "maximumQuantity": "300",
                                   "subscriptionPeriod": {"type": "year", "duration": 1}, "billingPeriod": {"type": "month", "duration": 1}},
                                  **fields))

    def subscription(self, subscription_id, customer_id, mpn, seats, name=None, status="active", **fields):
        name = name or mpn
        self.subscriptions[subscription_id] = dict({
            "id": subscription_id, "name": name, "customerId": customer_id, "status": status, "creationDate": "2026-06-01",
            "renewalDate": "2027-06-01", "subscriptionPeriod": {"type": "year", "duration": 1},
            "billingPeriod": {"type": "month", "duration": 1}, "products": [{"mpn": mpn, "name": name, "quantity": seats}]}, **fields)

    def order(self, number, subscription_id, status, quantity=None, moves=False, racing=False, **fields):
        """A change order of ``quantity`` on a subscription (``fields`` replace any part of it, e.g. ``type``), already on
        the platform or, with ``racing``, placed by another run at the moment this run next POSTs /orders. One that
        ``moves`` completes when it is read."""
        held = self.subscriptions.get(subscription_id) or {"customerId": None, "products": [{"mpn": None}]}
        record = dict({
            "id": str(4000000 + number), "orderNumber": "SO%06d" % number, "type": "change", "status": status,
            "customerId": held["customerId"], "subscriptionId": subscription_id, "creationDate": "2026-11-26T09:00:00Z",
            "products": [{"mpn": held["products"][0]["mpn"], "quantity": quantity, "subscriptionId": subscription_id}]}, **fields)
        self.add("orders", record, racing)
        if moves:
            self.moving.add(record["id"])
        return copy.deepcopy(record)

    def add(self, collection, record, racing=False):
        if racing:
            self.racing[collection].append(record)
        else:
            getattr(self, collection)[record["id"]] = record

    def fail(self, method, path, status=400, message="refused", error=None):
        """Answer every ``method`` ``path`` (whatever the query) with HTTP ``status`` and ``message``, or give no answer:
        raise ``error``, a requests exception (a timeout, a dropped connection)."""
        self.faults[(method, path)] = error if error is not None else Refusal(status, message)

    def finish(self, order_id, status):
        """Move an order on to ``status``; a completed change order changes the seats (see ``reads_quantity_as``)."""
        with self.lock:
            order = self.orders[order_id]
            self.moving.discard(order_id)
            if status == "completed":
                for item in order.get("products") or []:
                    if item.get("subscriptionId") in self.subscriptions:
                        self.subscriptions[item["subscriptionId"]]["products"][0]["quantity"] += self.change_of(item)
                order["provisioningDate"] = self.now
            order["status"] = status

    # ------------------------------------------------------------------ reading what happened

    def seats(self, subscription_id):
        return self.subscriptions[subscription_id]["products"][0]["quantity"]

    def sent(self, method, path):
        """The requests received for ``method`` ``path`` (whatever the query), in order."""
        return [request for request in self.requests if (request.method, request.path) == (method, path)]

    def writes(self):
        """``(method, path, body)`` of every request but reads and the token's, in order."""
        return [(request.method, request.path, request.body) for request in self.requests
                if request.method != "GET" and request.path != "/token"]

    # ------------------------------------------------------------------ answers

    def answer(self, request):
        parts = urlsplit(request.url)
        path = parts.path[len(urlsplit(BASE).path):]
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        body = json.loads(request.body) if request.body else None
        with self.lock:
            self.requests.append(Request(request.method, path, query, body))
            headers = {"Date": email.utils.format_datetime(moment(self.now), usegmt=True)}
            try:
                fault = self.faults.get((request.method, path))
                if fault is not None:
                    raise fault
                for method, pattern, name in self.ROUTES:
                    found = re.fullmatch(pattern, path)
                    if found and method == request.method:
                        return 200, headers, json.dumps(getattr(self, name)(query, body, *found.groups()))
                raise Refusal(501, "the fake API has no route %s %s" % (request.method, path))
            except Refusal as refusal:
                error = {"status": refusal.status, "error": http.HTTPStatus(refusal.status).phrase, "message": refusal.message}
                return refusal.status, headers, json.dumps(error)

    def page(self, rows, query):
        offset, limit = int(query.get("offset", 0)), min(int(query.get("limit", 10)), self.page_size)
        return {"data": rows[offset:offset + limit], "pagination": {"offset": offset, "limit": limit, "total": len(rows)}}

    @staticmethod
    def find(records, kind, record_id):
        if record_id not in records:
            raise Refusal(404, "%s %s not found" % (kind, record_id))
        return records[record_id]

    def arrive(self, collection):
        """Another run's records of ``collection`` are created now, at the same moment as this run's POST."""
        for record in self.racing[collection]:
            getattr(self, collection)[record["id"]] = record
        self.racing[collection] = []

    def issue_token(self, _query, _body):
        return {"token": "tok-1", "expiresInSeconds": 1500}

    def list_customers(self, query, _body):
        rows = [row for row in self.customers.values() if query.get("externalId") in (None, row.get("externalId"))]
        return self.page([{key: row[key] for key in CUSTOMER_ROW if key in row} for row in rows], query)

    def create_customer(self, _query, body):
        self.arrive("customers")
        if self.unique_external_ids and any(row.get("externalId") == body.get("externalId") for row in self.customers.values()):
            raise Refusal(400, "a customer with externalId %s exists already" % body["externalId"])
        created = dict(body, id=str(next(self.customer_ids)), status="active")
        self.customers[created["id"]] = created
        return created

    def read_customer(self, _query, _body, customer_id):
        return self.find(self.customers, "customer", customer_id)

    def update_customer(self, _query, body, customer_id):
        customer = self.find(self.customers, "customer", customer_id)
        customer.update(body)
        return customer

    def list_products(self, query, _body):
        return self.page([row for row in self.products if all(query.get(key) in (None, row.get(key)) for key in ("mpn", "vendor"))], query)

    def list_subscriptions(self, query, _body):
        rows = [row for row in self.subscriptions.values() if all(query.get(key) in (None, row.get(key)) for key in ("customerId", "status"))]
        return self.page([{key: value for key, value in row.items() if key != "products"} for row in rows], query)

    def read_subscription(self, _query, _body, subscription_id):
        return self.find(self.subscriptions, "subscription", subscription_id)

    def update_subscription(self, _query, body, subscription_id):
        """Renewal, attributes and prices only: seats change through orders."""
        subscription = self.find(self.subscriptions, "subscription", subscription_id)
        if set(body) - {"renewalStatus", "attributes", "products"}:
            raise Refusal(400, "only renewalStatus, attributes and products prices can be changed with PATCH /subscriptions/{id}")
        if "renewalStatus" in body:
            subscription["renewalStatus"] = body["renewalStatus"]
        if "attributes" in body and self.keeps_attributes:
            subscription["attributes"] = dict(body["attributes"])
        self.reprice(subscription, body.get("products") or [])
        return subscription

    def special_pricing(self, _query, body, subscription_id):
        subscription = self.find(self.subscriptions, "subscription", subscription_id)
        self.reprice(subscription, body["products"])
        return subscription

    @staticmethod
    def reprice(subscription, items):
        for item in items:
            for line in subscription["products"]:
                if line["mpn"] == item["mpn"]:
                    line.update({key: value for key, value in item.items() if key != "mpn"})

    def list_orders(self, query, _body):
        def listed(order):
            held = {order.get("subscriptionId")} | {item.get("subscriptionId") for item in order.get("products") or []}
            return (all(query.get(key) in (None, order.get(key)) for key in ("customerId", "status"))
                    and query.get("subscriptionId") in {None} | held
                    and ("creationTimeFrom" not in query or moment(order["creationDate"]) >= moment(query["creationTimeFrom"])))

        rows = [order for order in self.orders.values() if listed(order)]
        return self.page([{key: value for key, value in row.items() if key not in ("products", "poNumber")} for row in rows], query)

    def place_order(self, _query, body):
        self.arrive("orders")
        if body.get("subscriptionId") in self.refusals:
            raise Refusal(400, self.refusals[body["subscriptionId"]])
        number, self.next_order = self.next_order, self.next_order + 1
        change = sum(self.change_of(item) for item in body["products"])
        placed = dict(copy.deepcopy(body), id=str(4000000 + number), orderNumber="SO%06d" % number, status="submitted",
                      creationDate=self.now, total={"amount": "%.2f" % (change * UNIT_PRICE), "currency": "USD"})
        self.orders[placed["id"]] = placed
        if self.auto_complete:
            self.moving.add(placed["id"])
        return placed

    def read_order(self, _query, _body, order_id):
        order = self.find(self.orders, "order", order_id)
        if order_id in self.moving and order["status"] in OPEN_STATUSES:
            self.finish(order_id, "completed")
        return order

    def update_order(self, _query, body, order_id):
        """``statusCode: CL`` withdraws an order that has not ended."""
        order = self.find(self.orders, "order", order_id)
        if body.get("statusCode") == "CL":
            if order["status"] not in OPEN_STATUSES:
                raise Refusal(400, "order %s is %s and can no longer be cancelled" % (order["orderNumber"], order["status"]))
            self.finish(order_id, "cancelled")
        return order

    def change_of(self, item):
        """The seats an order line adds: a new subscription's quantity, else the change ``reads_quantity_as`` makes."""
        if item.get("quantity") is None:
            return 0
        if not item.get("subscriptionId"):
            return item["quantity"]
        current = self.find(self.subscriptions, "subscription", item["subscriptionId"])["products"][0]["quantity"]
        return {"total": item["quantity"] - current, "delta": item["quantity"], "ignored": 0}[self.reads_quantity_as]
