"""The simulated marketplace: in-memory records and every API operation on them.

All methods are synchronous: the HTTP layer awaits only outside them (body reads, injected delays),
so a mutation is never interleaved with another request and no locks are needed.

Records are dicts holding the public fields of the API object plus internal keys that start with an
underscore (see common.public). Dicts keep insertion order, so iterating in reverse lists newest first.
"""

import base64
import binascii
import collections
import csv
import dataclasses
import datetime
import io
import itertools
import json
import re
import secrets
import time
import uuid
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from . import seed
from .accounts import customer_row, new_account, update_account
from .common import (
    ApiError, add_period, bad_request, get_attributes, get_bool, get_list, get_period, get_str, iso_datetime, money, not_found,
    one_value, paginate, parse_amount, parse_date, parse_datetime, period_months, public, reject_unknown, require_object, utcnow,
)
from .faults import Faults
from .params import check_parameters, parse_parameters

ORDER_TYPES = ("sales", "change", "renewal", "cancellation")
ORDER_STATUSES = ("submitted", "processing", "error", "completed", "cancelled")
# Internal status codes: CP and AS are seen on the live API, CL in the spec's PATCH example; NW and ER are ours.
STATUS_CODES = {"submitted": "NW", "processing": "AS", "completed": "CP", "error": "ER", "cancelled": "CL"}
ORDER_ROW_FIELDS = ("id", "orderNumber", "type", "customerId", "creationDate", "provisioningDate", "status", "statusCode", "total",
                    "attributes", "creditCheck")
SUBSCRIPTION_STATUSES = ("pending", "active", "hold", "terminated", "removed")
SUBSCRIPTION_ROW_FIELDS = ("id", "name", "customerId", "status", "attributes", "renewalStatus", "creationDate", "renewalDate",
                           "lastModifiedDate", "expirationDate", "billingModel", "billingPeriod", "subscriptionPeriod")
REPORT_STATUSES = ("submitted", "processing", "completed", "error")
REPORT_FORMATS = ("csv", "json", "xml")
CONTENT_TYPES = {"csv": "text/csv", "json": "application/json", "xml": "application/xml"}
PRICE_FIELDS = ("unitPrice", "unitCost", "unitProviderCost")
ID_STARTS = {"customer": 1000001, "reseller": 2000001, "subscription": 3000001, "order": 4000001, "order_number": 1}
SEAT_CHANGE = 'seat changes need a change order (POST /orders with "type": "change" and the new total quantity)'
STATUS_CHANGE = 'a subscription is cancelled with a cancellation order (POST /orders with "type": "cancellation")'
NON_WRITES = ("/token", "/orders/estimate", "/validation/parameters")  # POSTs that change nothing
API_PREFIX = re.compile(r"^/marketplace/[^/]+")
ID_SEGMENT = re.compile(r"/(\d+|[0-9a-fA-F]{8}-[0-9a-fA-F-]{27})(?=/|$)")


@dataclasses.dataclass(frozen=True)
class Config:
    """Credentials the simulator accepts, and where it can be reached (for report download URLs)."""

    username: str = "demo"
    password: str = "demo-password"
    subscription_key: str = "demo-key"
    marketplace: str = "us"
    public_root: str = "http://127.0.0.1:8080"


def _filter_text(query, name):
    value = query.get(name)
    return value if value else None


def _quantity(line, where, signed):
    """A whole number of seats; the API's examples even send "2.0" as a string."""
    raw = line.get("quantity")
    if raw is None:
        raise bad_request(f"{where}.quantity is required")
    try:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise InvalidOperation
        value = Decimal(str(raw))
    except InvalidOperation:
        raise bad_request(f"{where}.quantity must be a number, got {raw!r}") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise bad_request(f"{where}.quantity must be a whole number, got {raw!r}")
    if not signed and value <= 0:
        raise bad_request(f"{where}.quantity must be a positive number, got {raw!r}")
    return int(value)


def _check_limits(product, quantity, where, label):
    low, high = int(product["minimumQuantity"]), int(product["maximumQuantity"])
    if quantity < low:
        raise bad_request(f"{where}: {label} {quantity} of {product['mpn']} is below the minimum of {low}")
    if quantity > high:
        raise bad_request(f"{where}: {label} {quantity} of {product['mpn']} is above the maximum of {high}")


def _in_period(moment, start, end):
    return (start is None or moment >= start) and (end is None or moment <= end)


class SimState:
    """Everything the simulator knows; `reset()` returns to the seed."""

    def __init__(self, config):
        self.config = config
        self.faults = Faults()
        # API requests being served now, by the reset they started after: a request a client gave up on before a
        # reset may still be running, and must not count towards the concurrency of the next test.
        self.in_flight = collections.Counter()
        self.generation = 0
        # Every token and download signature handed out since start (not reset): what tests scan output for.
        self.issued_secrets = {"tokens": [], "download_signatures": []}
        self.reset()

    def reset(self):
        self.faults.reset()
        self.rendezvous = {}  # (path, target) -> the asyncio.Event a held POST waits on (rendezvous_seconds)
        self.log = []
        self.generation += 1
        self.max_in_flight = 0
        self.captured = None  # full requests, kept only after POST /_sim/capture (for contract tests of clients)
        self.tokens = {}
        self.tokens_issued = 0
        self._ids = {kind: itertools.count(start) for kind, start in ID_STARTS.items()}
        self.products = seed.catalog()
        self.plans = seed.service_plans(self.products)
        self.resellers, self.customers, self.subscriptions, self.orders, self.reports, self.files = {}, {}, {}, {}, {}, {}
        self._open_orders, self._open_reports = [], []  # ids still on their way to a final status, oldest first
        seed.populate(self)

    def _page(self, rows, query):
        return paginate(rows, query, self.faults.settings["max_page_size"])

    def _new_id(self, kind):
        return str(next(self._ids[kind]))

    # --- gateway: keys, tokens, request log --------------------------------------------------------

    def check_subscription_key(self, key):
        if not key or not secrets.compare_digest(key.encode(), self.config.subscription_key.encode()):
            raise ApiError(401, "Access denied due to missing or invalid subscription key (X-Subscription-Key).")

    def issue_token(self, authorization, body):
        """POST /token: Basic auth with the API user's credentials and {"marketplace": code}."""
        if not self._basic_auth_ok(authorization):
            raise ApiError(401, "Invalid username or password (Basic authentication required).")
        marketplace = get_str({} if body is None else require_object(body), "marketplace", required=True)
        if marketplace != self.config.marketplace:
            raise bad_request(f"marketplace {marketplace!r} is not available to this API user; this simulator serves marketplace "
                              f"{self.config.marketplace!r}")
        ttl = self.faults.settings["token_ttl"]
        token = secrets.token_urlsafe(32)
        self.tokens[token] = time.time() + ttl
        self.tokens_issued += 1
        self.issued_secrets["tokens"].append(token)
        return {"token": token, "expiresInSeconds": ttl}

    def _basic_auth_ok(self, authorization):
        scheme, _space, encoded = (authorization or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            username, _colon, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return (secrets.compare_digest(username.encode(), self.config.username.encode())
                and secrets.compare_digest(password.encode(), self.config.password.encode()))

    def check_bearer(self, authorization):
        scheme, _space, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "Missing bearer token: send Authorization: Bearer <token> from POST /token.")
        expires = self.tokens.get(token)
        if expires is None:
            raise ApiError(401, "Invalid bearer token.")
        if expires <= time.time():
            del self.tokens[token]
            raise ApiError(401, "The bearer token has expired; request a new one from POST /token.")

    def record(self, method, path, query):
        # "at": wall-clock seconds when the request arrived (for throughput measurements).
        entry = {"method": method, "path": path, "query": query, "status": None, "at": round(time.time(), 3)}
        self.log.append(entry)
        return entry

    def capture(self, method, path, query, headers, raw_body):
        """Keep a whole request (secrets masked) while capturing is on, so tests can check clients against the contract."""
        if self.captured is None:
            return
        authorization = headers.get("Authorization", "")
        kept = {name: headers[name] for name in ("Content-Type", "Accept", "X-Client-Id") if name in headers}
        if authorization:
            kept["Authorization"] = authorization.split(" ", 1)[0] + " ********"
        if "X-Subscription-Key" in headers:
            kept["X-Subscription-Key"] = "********"
        body = raw_body.decode("utf-8", errors="replace") if raw_body else None
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        contacts = parsed.get("contactPersons") if isinstance(parsed, dict) else None
        for contact in contacts if isinstance(contacts, list) else []:
            if isinstance(contact, dict) and "password" in contact:
                contact["password"] = "********"
        self.captured.append({"method": method, "path": path, "query": query, "headers": kept,
                              "body": json.dumps(parsed) if parsed is not None else body})

    def stats(self):
        by_route = collections.Counter()
        for entry in self.log:
            route = ID_SEGMENT.sub("/{id}", API_PREFIX.sub("", entry["path"]))
            by_route[f"{entry['method']} {route}"] += 1
        return {
            "total": len(self.log),
            "by_method": dict(collections.Counter(entry["method"] for entry in self.log)),
            "by_path": dict(collections.Counter(f"{entry['method']} {entry['path']}" for entry in self.log)),
            "by_route": dict(by_route),
            "writes": sum(1 for entry in self.log if entry["method"] in ("POST", "PATCH") and not entry["path"].endswith(NON_WRITES)),
            "tokens": self.tokens_issued,
            "max_in_flight": self.max_in_flight,
        }

    # --- asynchronous processing -----------------------------------------------------------------

    def advance(self):
        """Move every order and report whose time has come, oldest first (called on each request)."""
        now = time.time()
        for order_id in list(self._open_orders):
            order = self.orders[order_id]
            if order["status"] == "submitted" and now >= order["_processing_at"]:
                self._set_order_status(order, "processing")
            if order["status"] == "processing" and now >= order["_due_at"]:
                self._finish_order(order)
        for report_id in list(self._open_reports):
            report = self.reports[report_id]
            if report["status"] == "submitted" and now >= report["_processing_at"]:
                report["status"] = "processing"
            if report["status"] == "processing" and now >= report["_due_at"]:
                if report["_fail"]:
                    report["status"] = "error"
                else:
                    self._publish_report(report)
                self._open_reports.remove(report_id)

    def _set_order_status(self, order, status):
        order["status"], order["statusCode"] = status, STATUS_CODES[status]
        if status in ("completed", "error", "cancelled"):
            self._open_orders.remove(order["id"])

    def _finish_order(self, order):
        if order["_fail"] or not self._apply_order(order):
            self._set_order_status(order, "error")
            return
        order["provisioningDate"] = iso_datetime(utcnow())
        self._set_order_status(order, "completed")

    def _apply_order(self, order):
        """The order's effect on subscriptions; False (the order ends in error) when it no longer applies."""
        today = datetime.date.today()
        if order["type"] == "sales":
            for index, line in enumerate(order["_lines"]):
                subscription = self.add_subscription(order["customerId"], line["product"], line["new"], line["parameters"], today)
                order["products"][index]["subscriptionId"] = subscription["id"]
                order.setdefault("subscriptionId", subscription["id"])
            return True
        subscription = self.subscriptions[order["subscriptionId"]]
        if order["type"] == "cancellation":
            if subscription["status"] in ("terminated", "removed"):
                return False
            subscription["status"] = "terminated"
        elif subscription["status"] != "active":
            return False
        elif order["type"] == "renewal":
            term = subscription["subscriptionPeriod"]
            expiration = add_period(datetime.date.fromisoformat(subscription["expirationDate"]), term)
            subscription["expirationDate"] = subscription["renewalDate"] = expiration.isoformat()
        else:
            targets = []
            for line in order["_lines"]:
                held = self._held_line(subscription, line["product"])
                quantity = line["new"] if order["_mode"] == "total" else held["quantity"] + line["requested"]
                low, high = int(line["product"]["minimumQuantity"]), int(line["product"]["maximumQuantity"])
                if not low <= quantity <= high:
                    return False
                targets.append((held, quantity))
            for held, quantity in targets:
                held["quantity"] = quantity
        subscription["lastModifiedDate"] = today.isoformat()
        return True

    # --- catalog ----------------------------------------------------------------------------------

    def product_by_id(self, product_id):
        return next(product for product in self.products if product["id"] == product_id)

    def product_by_mpn(self, mpn):
        return next(product for product in self.products if product["mpn"] == mpn)

    def find_product(self, line, where, products=None):
        """The one product a request line names (mpn or id, narrowed by vendor and periods) in the catalog or the given list."""
        wanted = {key: get_str(line, key, f"{where}.") for key in ("id", "mpn", "vendor")}
        if not wanted["id"] and not wanted["mpn"]:
            raise bad_request(f"{where}.mpn or {where}.id is required")
        wanted.update((key, get_period(line, key, f"{where}.")) for key in ("subscriptionPeriod", "billingPeriod"))
        matches = [product for product in (self.products if products is None else products)
                   if all(value is None or product[key] == value for key, value in wanted.items())]
        name = f"mpn {wanted['mpn']}" if wanted["mpn"] else f"id {wanted['id']}"
        if not matches and products is not None:
            return None
        if not matches:
            raise bad_request(f"{where}: no product in the catalog matches {name} (with the vendor and periods given, if any)")
        if len(matches) > 1:
            raise bad_request(f"{where}: {name} matches {len(matches)} products; add vendor, subscriptionPeriod and billingPeriod to identify one")
        return matches[0]

    def list_products(self, query):
        name, service, mpn, vendor = (_filter_text(query, key) for key in ("name", "serviceName", "mpn", "vendor"))
        rows = [public(product) for product in self.products
                if (not name or name.lower() in product["name"].lower()) and (not service or product["serviceName"] == service)
                and (not mpn or product["mpn"] == mpn) and (not vendor or product["vendor"].lower() == vendor.lower())]
        return self._page(rows, query)

    def list_plans(self, query):
        return self._page([{key: value for key, value in plan.items() if key != "planSwitches"} for plan in self.plans.values()], query)

    def get_plan(self, plan_id):
        if plan_id not in self.plans:
            raise not_found(f"plan {plan_id} not found")
        return self.plans[plan_id]

    # --- customers and resellers --------------------------------------------------------------------

    def add_reseller(self, fields):
        reseller = {"id": self._new_id("reseller"), **fields}
        self.resellers[reseller["id"]] = reseller
        return reseller

    def add_customer(self, fields, reseller_id):
        customer = {"id": self._new_id("customer"), **fields, "resellerId": reseller_id}
        self.customers[customer["id"]] = customer
        return customer

    def get_customer(self, customer_id):
        if customer_id not in self.customers:
            raise not_found(f"customer {customer_id} not found")
        return self.customers[customer_id]

    def get_reseller(self, reseller_id):
        if reseller_id not in self.resellers:
            raise not_found(f"reseller {reseller_id} not found")
        return self.resellers[reseller_id]

    def create_customer(self, body, reseller_id=seed.OWN_RESELLER_ID):
        self.get_reseller(reseller_id)
        account = new_account(body, "customer")
        taken = [customer["id"] for customer in self.customers.values()
                 if account.get("externalId") and customer.get("externalId") == account["externalId"]]
        if taken and self.faults.settings["unique_external_ids"]:
            raise bad_request(f"externalId {account['externalId']} is already used by customer {taken[0]}")
        return self.add_customer(account, reseller_id)

    def update_customer(self, customer_id, body):
        return update_account(self.get_customer(customer_id), body, "customer")

    def create_reseller(self, body):
        return self.add_reseller(new_account(body, "reseller"))

    def update_reseller(self, reseller_id, body):
        return update_account(self.get_reseller(reseller_id), body, "reseller")

    @staticmethod
    def _account_matches(account, query):
        name, email, external_id = (_filter_text(query, key) for key in ("name", "email", "externalId"))
        return ((not name or name.lower() in account["name"].lower())
                and (not email or any(contact["email"].lower() == email.lower() for contact in account["contactPersons"]))
                and (not external_id or account.get("externalId") == external_id))

    def list_customers(self, query, reseller_id=None):
        if reseller_id is not None:
            self.get_reseller(reseller_id)
        else:
            reseller_id = _filter_text(query, "resellerId")
        rows = [customer_row(customer) for customer in reversed(self.customers.values())
                if self._account_matches(customer, query) and (not reseller_id or customer["resellerId"] == reseller_id)]
        return self._page(rows, query)

    def list_resellers(self, query):
        return self._page([reseller for reseller in reversed(self.resellers.values()) if self._account_matches(reseller, query)], query)

    # --- subscriptions ------------------------------------------------------------------------------

    def add_subscription(self, customer_id, product, quantity, parameters, created):
        """A new active subscription for one product; seeded ones have been renewed up to a future date."""
        term = product["subscriptionPeriod"]
        expiration = add_period(created, term)
        while expiration <= datetime.date.today():
            expiration = add_period(expiration, term)
        subscription_id = self._new_id("subscription")
        subscription = {
            "id": subscription_id, "name": product["name"], "customerId": customer_id, "status": "active", "attributes": {},
            "renewalStatus": True, "creationDate": created.isoformat(), "renewalDate": expiration.isoformat(),
            "lastModifiedDate": created.isoformat(), "expirationDate": expiration.isoformat(),
            "billingModel": product["billingModel"], "billingPeriod": dict(product["billingPeriod"]),
            "subscriptionPeriod": dict(term), "planId": product["_plan"],
            "orderParameters": [dict(item) for item in parameters],
            "fulfillmentParameters": seed.fulfillment_parameters(product, parameters),
            "_lines": [{"product": product, "quantity": quantity, "unitPrice": Decimal(product["prices"][0]["amount"]),
                        "unitCost": Decimal(product["costs"][0]["amount"]), "unitProviderCost": Decimal(product["costs"][0]["amount"]),
                        "vendorSubscriptionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sim-subscription-{subscription_id}"))}],
        }
        self.subscriptions[subscription_id] = subscription
        return subscription

    def _get_subscription(self, subscription_id):
        if subscription_id not in self.subscriptions:
            raise not_found(f"subscription {subscription_id} not found")
        return self.subscriptions[subscription_id]

    def platform_update_subscription(self, subscription_id, body):
        """POST /_sim/subscriptions/{id}: what the platform or a vendor changes without an order (a suspension, a
        renewal date); ``status`` and ``renewalDate`` only."""
        subscription = self._get_subscription(subscription_id)
        body = require_object(body)
        reject_unknown(body, ("status", "renewalDate"), "a subscription through /_sim")
        if "status" in body:
            if body["status"] not in SUBSCRIPTION_STATUSES:
                raise bad_request(f"status must be one of {', '.join(SUBSCRIPTION_STATUSES)}, got {body['status']!r}")
            subscription["status"] = body["status"]
        if "renewalDate" in body:
            subscription["renewalDate"] = datetime.date.fromisoformat(get_str(body, "renewalDate", required=True)).isoformat()
        subscription["lastModifiedDate"] = datetime.date.today().isoformat()
        return public(subscription)

    def get_subscription(self, subscription_id):
        return self._subscription_detail(self._get_subscription(subscription_id))

    @staticmethod
    def _subscription_detail(subscription):
        """SubscriptionDetailed: products with unit prices, and totals per billing period and per term."""
        billing_periods = max(1, period_months(subscription["subscriptionPeriod"]) // period_months(subscription["billingPeriod"]))
        products, totals = [], collections.Counter()
        for line in subscription["_lines"]:
            product, quantity = line["product"], line["quantity"]
            amounts = {key: quantity * line[key] for key in PRICE_FIELDS}
            totals.update(amounts)
            products.append({
                "mpn": product["mpn"], "vendor": product["vendor"], "id": product["id"], "quantity": quantity, "name": product["name"],
                **{key: money(line[key]) for key in PRICE_FIELDS},
                "extendedPrice": money(amounts["unitPrice"]), "vendorSubscriptionId": line["vendorSubscriptionId"],
                "totalSubscriptionPrice": money(amounts["unitPrice"] * billing_periods),
                "totalSubscriptionCost": money(amounts["unitCost"] * billing_periods),
                "totalSubscriptionProviderCost": money(amounts["unitProviderCost"] * billing_periods),
            })
        return {**public(subscription), "products": products, "totalPrice": money(totals["unitPrice"]),
                "totalSubscriptionPrice": money(totals["unitPrice"] * billing_periods),
                "totalSubscriptionCost": money(totals["unitCost"] * billing_periods),
                "totalSubscriptionProviderCost": money(totals["unitProviderCost"] * billing_periods)}

    def list_subscriptions(self, query):
        status = one_value(query, "status", SUBSCRIPTION_STATUSES)
        customer_id = _filter_text(query, "customerId")
        start, end = (parse_date(query[key], key) if query.get(key) else None for key in ("creationDateFrom", "creationDateTo"))
        rows = [{key: subscription[key] for key in SUBSCRIPTION_ROW_FIELDS} for subscription in reversed(self.subscriptions.values())
                if (not status or subscription["status"] == status) and (not customer_id or subscription["customerId"] == customer_id)
                and _in_period(datetime.date.fromisoformat(subscription["creationDate"]), start, end)]
        return self._page(rows, query)

    @staticmethod
    def _held_line(subscription, product):
        return next((line for line in subscription["_lines"] if line["product"] is product), None)

    def _line_for_update(self, subscription, item, where):
        product_id, mpn = get_str(item, "id", f"{where}."), get_str(item, "mpn", f"{where}.")
        if not product_id and not mpn:
            raise bad_request(f"{where}.mpn or {where}.id is required")
        for line in subscription["_lines"]:
            if (not product_id or line["product"]["id"] == product_id) and (not mpn or line["product"]["mpn"] == mpn):
                return line
        raise bad_request(f"{where}: {mpn or product_id} is not a product of subscription {subscription['id']}")

    def _price_changes(self, subscription, items):
        """Validated (line, field, amount) triples from SubscriptionProductUpdate items."""
        changes = []
        for index, item in enumerate(items):
            where = f"products[{index}]"
            item = require_object(item, where)
            if "quantity" in item:
                raise bad_request(f"{where}.quantity cannot be changed on a subscription: {SEAT_CHANGE}")
            reject_unknown(item, ("mpn", "id") + PRICE_FIELDS, "a subscription product (only prices can change)", f"; {SEAT_CHANGE}")
            line = self._line_for_update(subscription, item, where)
            for key in PRICE_FIELDS:
                if item.get(key) is None:
                    continue
                price = require_object(item[key], f"{where}.{key}")
                currency = get_str(price, "currency", f"{where}.{key}.", required=True)
                if currency != "USD":
                    raise bad_request(f"{where}.{key}.currency must be USD, the subscription's currency")
                changes.append((line, key, parse_amount(price.get("amount"), f"{where}.{key}.amount")))
        return changes

    def update_subscription(self, subscription_id, body):
        """PATCH: renewalStatus, attributes and unit prices only."""
        subscription = self._get_subscription(subscription_id)
        body = require_object(body)
        if "quantity" in body:
            raise bad_request(f"quantity cannot be changed with PATCH /subscriptions/{{id}}: {SEAT_CHANGE}")
        if "status" in body:
            raise bad_request(f"status cannot be changed with PATCH /subscriptions/{{id}}: {STATUS_CHANGE}; {SEAT_CHANGE}")
        reject_unknown(body, ("renewalStatus", "attributes", "products"), "a subscription with PATCH", f"; {SEAT_CHANGE}")
        renewal, attributes = get_bool(body, "renewalStatus"), get_attributes(body)
        changes = self._price_changes(subscription, get_list(body, "products") or [])
        if renewal is not None:
            subscription["renewalStatus"] = renewal
        if attributes is not None:
            # The contract does not say whether attributes merge or replace; the simulator replaces the map, so a client
            # that wants to keep keys must send them (im_subscription does, unless purge_attributes is set).
            subscription["attributes"] = dict(attributes)
        return self._reprice(subscription, changes)

    def special_pricing(self, subscription_id, body):
        subscription = self._get_subscription(subscription_id)
        items = get_list(require_object(body), "products", required=True)
        return self._reprice(subscription, self._price_changes(subscription, items))

    def _reprice(self, subscription, changes):
        for line, key, amount in changes:
            line[key] = amount
        subscription["lastModifiedDate"] = datetime.date.today().isoformat()
        return self._subscription_detail(subscription)

    # --- activation parameters -------------------------------------------------------------------

    def _domain_taken(self, domain, customer_id):
        """Whether another customer holds the domain, in a subscription or an order still in progress."""
        def uses(parameters):
            return any(item["name"] == "domain" and isinstance(item["value"], str) and item["value"].lower() == domain for item in parameters)
        for subscription in self.subscriptions.values():
            if subscription["customerId"] != customer_id and subscription["status"] != "removed" and uses(subscription["orderParameters"]):
                return True
        return any(self.orders[order_id]["customerId"] != customer_id and uses(line["parameters"])
                   for order_id in self._open_orders for line in self.orders[order_id]["_lines"])

    def validate_parameters(self, body):
        body = require_object(body)
        customer_id = get_str(body, "customerId", required=True)
        if customer_id not in self.customers:
            raise bad_request(f"customerId: customer {customer_id} not found")
        order_type = get_str(body, "type") or "sales"
        if order_type not in ORDER_TYPES + ("migration",):
            raise bad_request(f"type must be one of {', '.join(ORDER_TYPES)}, migration; got {order_type!r}")
        data = []
        for index, line in enumerate(get_list(body, "products", required=True)):
            where = f"products[{index}]"
            line = require_object(line, where)
            product = self.find_product(line, where)
            if line.get("parameters") is None:
                raise bad_request(f"{where}.parameters is required")
            results = check_parameters(product, parse_parameters(line, where), lambda domain: self._domain_taken(domain, customer_id))
            item = {"id": product["id"], "mpn": product["mpn"], "vendor": product["vendor"], "billingPeriod": product["billingPeriod"],
                    "subscriptionPeriod": product["subscriptionPeriod"], "parameters": results}
            if get_str(line, "draftRequestId", f"{where}."):
                item["draftRequestId"] = line["draftRequestId"]
            data.append(item)
        return {"data": data, "pagination": {"offset": 0, "limit": max(1, len(data)), "total": len(data)}}

    # --- orders -----------------------------------------------------------------------------------

    def _plan_order(self, body):
        """Validate an order body (POST /orders and /orders/estimate) into a plan; nothing is changed."""
        body = require_object(body)
        customer_id = get_str(body, "customerId", required=True)
        customer = self.customers.get(customer_id)
        if customer is None:
            raise bad_request(f"customerId: customer {customer_id} not found")
        order_type = get_str(body, "type") or "sales"
        if order_type not in ORDER_TYPES:
            raise bad_request(f"type must be one of {', '.join(ORDER_TYPES)}; got {order_type!r}")
        if order_type != "cancellation" and customer["status"] != "active":
            raise bad_request(f"customer {customer_id} is {customer['status']} and cannot place {order_type} orders")
        lines = get_list(body, "products", required=order_type in ("sales", "change")) or []
        lines = [require_object(line, f"products[{index}]") for index, line in enumerate(lines)]
        plan = {"type": order_type, "customerId": customer_id, "poNumber": get_str(body, "poNumber"),
                "attributes": get_attributes(body), "subscription": None, "lines": [], "mode": self.faults.settings["change_quantity"]}
        if order_type == "sales":
            plan["lines"] = [self._plan_sales_line(customer_id, line, f"products[{index}]") for index, line in enumerate(lines)]
            return plan
        plan["subscription"] = self._order_subscription(body, lines, customer_id, order_type)
        if order_type == "change":
            plan["lines"] = [self._plan_change_line(plan["subscription"], line, f"products[{index}]", plan["mode"])
                             for index, line in enumerate(lines)]
        return plan

    def _plan_sales_line(self, customer_id, line, where):
        product = self.find_product(line, where)
        quantity = _quantity(line, where, signed=False)
        _check_limits(product, quantity, where, "quantity")
        parameters = parse_parameters(line, where)
        for result in check_parameters(product, parameters, lambda domain: self._domain_taken(domain, customer_id)):
            if result["result"] == "error":
                raise bad_request(f"{where}.parameters: {result['name']}: {result['valueError']}")
        return {"product": product, "requested": quantity, "current": 0, "new": quantity, "parameters": parameters}

    def _plan_change_line(self, subscription, line, where, mode):
        """In "total" mode the line quantity is the new seat count; in "delta" mode a signed number to add."""
        product = self.find_product(line, where, [held["product"] for held in subscription["_lines"]])
        if product is None:
            raise bad_request(f"{where}: {line.get('mpn') or line.get('id')} is not a product of subscription {subscription['id']}")
        held = self._held_line(subscription, product)
        requested = _quantity(line, where, signed=mode == "delta")
        new = requested if mode == "total" else held["quantity"] + requested
        if new == held["quantity"]:
            raise bad_request(f"{where}: subscription {subscription['id']} already has {new} of {product['mpn']}; nothing to change")
        _check_limits(product, new, where, f"resulting quantity on subscription {subscription['id']}")
        return {"product": product, "requested": requested, "current": held["quantity"], "new": new, "parameters": []}

    def _order_subscription(self, body, lines, customer_id, order_type):
        subscription_id = get_str(body, "subscriptionId")
        on_lines = {get_str(line, "subscriptionId", f"products[{index}].") for index, line in enumerate(lines)} - {None}
        if len(on_lines) > 1 or (subscription_id and on_lines and on_lines != {subscription_id}):
            raise bad_request("products[].subscriptionId must match the order's subscriptionId")
        subscription_id = subscription_id or next(iter(on_lines), None)
        if not subscription_id:
            raise bad_request(f"subscriptionId is required for {order_type} orders")
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            raise bad_request(f"subscriptionId: subscription {subscription_id} not found")
        if subscription["customerId"] != customer_id:
            raise bad_request(f"subscription {subscription_id} belongs to customer {subscription['customerId']}, not to {customer_id}")
        if order_type == "cancellation" and subscription["status"] in ("terminated", "removed"):
            raise bad_request(f"subscription {subscription_id} is already {subscription['status']}")
        if order_type in ("change", "renewal") and subscription["status"] != "active":
            raise bad_request(f"subscription {subscription_id} is {subscription['status']}; only active subscriptions accept {order_type} orders")
        return subscription

    @staticmethod
    def _price_plan(plan):
        """total, details (the signed change per line) and products (the request's quantities) from catalog prices."""
        details, products, total = [], [], Decimal(0)
        subscription = plan["subscription"]
        for line in plan["lines"]:
            product = line["product"]
            price, change = Decimal(product["prices"][0]["amount"]), line["new"] - line["current"]
            total += price * change
            item = {"mpn": product["mpn"], "vendor": product["vendor"], "id": product["id"], "name": product["name"],
                    "billingPeriod": product["billingPeriod"], "subscriptionPeriod": product["subscriptionPeriod"],
                    "quantity": line["requested"], "extendedPrice": money(price * change)}
            if line["parameters"]:
                item["parameters"] = [dict(parameter) for parameter in line["parameters"]]
            if subscription:
                item["subscriptionId"] = subscription["id"]
            products.append(item)
            description = (f"{product['name']}: {line['current']} -> {line['new']}" if subscription
                           else f"{product['name']}: recurring fee for {line['new']}")
            details.append({"type": "recurring" if change > 0 else "downgrade", "mpn": product["mpn"], "productId": product["id"],
                            "duration": {"type": product["billingPeriod"]["type"], "duration": float(product["billingPeriod"]["duration"])},
                            "description": description, "quantity": change, "unitPrice": money(price), "extendedPrice": money(price * change)})
        if plan["type"] == "renewal":
            detail = SimState._subscription_detail(subscription)
            total = Decimal(detail["totalSubscriptionPrice"]["amount"])
        return {"total": money(total), "details": details, "products": products}

    def estimate_order(self, body):
        """Prices from the catalog; the estimate_details and estimate_proration faults make it look like a platform that
        prorates and shows no per-line change (what the collection must then treat as inconclusive)."""
        plan = self._plan_order(body)
        estimate = {"type": plan["type"], "customerId": plan["customerId"], **self._price_plan(plan)}
        factor = Decimal(str(self.faults.settings["estimate_proration"]))
        if factor != 1:
            estimate["total"] = money(Decimal(estimate["total"]["amount"]) * factor)
            for item in estimate["products"] + estimate["details"]:
                item["extendedPrice"] = money(Decimal(item["extendedPrice"]["amount"]) * factor)
        if not self.faults.settings["estimate_details"]:
            del estimate["details"]
        subscription = plan["subscription"]
        if subscription is not None:
            estimate["subscriptionId"] = subscription["id"]
        return estimate

    def create_order(self, body):
        plan = self._plan_order(body)
        self._check_decrease_window(plan)
        order = self._store_order(plan, utcnow(), self.faults.settings["order_processing_seconds"], self.faults.take("order_error_next"))
        return self._order_detail(order)

    def _check_decrease_window(self, plan):
        """With the decrease_window_days fault, refuse seat decreases outside the window after purchase or renewal,
        as licence programmes such as Microsoft NCE do."""
        days = self.faults.settings["decrease_window_days"]
        subscription = plan["subscription"]
        if days is None or plan["type"] != "change" or not any(line["new"] < line["current"] for line in plan["lines"]):
            return
        renewal = datetime.date.fromisoformat(subscription["renewalDate"])
        start = max(datetime.date.fromisoformat(subscription["creationDate"]), add_period(renewal, subscription["subscriptionPeriod"], -1))
        if datetime.date.today() > start + datetime.timedelta(days=days):
            raise bad_request(f"subscription {subscription['id']}: seats can only be reduced within {days} days of purchase or renewal "
                              f"(the current term began {start.isoformat()}); a reduction is possible again from {renewal.isoformat()}")

    def _store_order(self, plan, created, processing_seconds, fail):
        order_id = self._new_id("order")
        order = {"id": order_id, "orderNumber": f"SO{int(self._new_id('order_number')):06d}", "type": plan["type"],
                 "customerId": plan["customerId"], "creationDate": iso_datetime(created), "status": "submitted",
                 "statusCode": STATUS_CODES["submitted"], **self._price_plan(plan), "creditCheck": True,
                 "_created": created, "_processing_at": created.timestamp() + processing_seconds / 2,
                 "_due_at": created.timestamp() + processing_seconds, "_fail": fail, "_lines": plan["lines"], "_mode": plan["mode"]}
        for key in ("poNumber", "attributes"):
            if plan[key] is not None:
                order[key] = plan[key]
        if plan["subscription"]:
            order["subscriptionId"] = plan["subscription"]["id"]
        self.orders[order_id] = order
        self._open_orders.append(order_id)
        return order

    def add_historic_order(self, customer_id, product, quantity, parameters, day):
        """A seeded sales order, already completed, and the subscription it created."""
        plan = {"type": "sales", "customerId": customer_id, "poNumber": None, "attributes": None, "subscription": None, "mode": "total",
                "lines": [{"product": product, "requested": quantity, "current": 0, "new": quantity, "parameters": parameters}]}
        created = datetime.datetime.combine(day, datetime.time(10, 0), datetime.timezone.utc)
        order = self._store_order(plan, created, 0, False)
        subscription = self.add_subscription(customer_id, product, quantity, parameters, day)
        order["products"][0]["subscriptionId"] = order["subscriptionId"] = subscription["id"]
        order["provisioningDate"] = iso_datetime(created + datetime.timedelta(minutes=5))
        self._set_order_status(order, "completed")
        return subscription

    def add_historic_cancellation(self, subscription, day):
        plan = {"type": "cancellation", "customerId": subscription["customerId"], "poNumber": None, "attributes": None,
                "subscription": subscription, "mode": "total", "lines": []}
        created = datetime.datetime.combine(day, datetime.time(10, 0), datetime.timezone.utc)
        order = self._store_order(plan, created, 0, False)
        order["provisioningDate"] = iso_datetime(created + datetime.timedelta(minutes=5))
        subscription["status"], subscription["lastModifiedDate"] = "terminated", day.isoformat()
        self._set_order_status(order, "completed")

    def _get_order(self, order_id):
        if order_id not in self.orders:
            raise not_found(f"order {order_id} not found")
        return self.orders[order_id]

    @staticmethod
    def _order_detail(order):
        return public(order)

    def get_order(self, order_id):
        return self._order_detail(self._get_order(order_id))

    def update_order(self, order_id, body):
        """PATCH: creditCheck, and statusCode ("CL" cancels an order that has not completed)."""
        order = self._get_order(order_id)
        body = require_object(body)
        reject_unknown(body, ("creditCheck", "statusCode"), "an order with PATCH")
        credit_check, status_code = get_bool(body, "creditCheck"), get_str(body, "statusCode")
        if status_code == "CL" and order["status"] in ("completed", "error"):
            raise bad_request(f"order {order['orderNumber']} is {order['status']} and can no longer be cancelled")
        if status_code == "CL" and not self.faults.settings["order_withdrawal"]:
            raise bad_request(f"order {order['orderNumber']} cannot be cancelled through the API; ask support")
        if credit_check is not None:
            order["creditCheck"] = credit_check
        if status_code == "CL" and order["status"] != "cancelled":
            self._set_order_status(order, "cancelled")
        elif status_code:
            order["statusCode"] = status_code
        return self._order_detail(order)

    def list_orders(self, query, reseller_id=None):
        """GET /orders (all filters) or GET /resellers/{id}/orders (no orderNumber/statusCode filters in the contract)."""
        if reseller_id is not None:
            self.get_reseller(reseller_id)
        wanted = {"status": one_value(query, "status", ORDER_STATUSES), "customerId": _filter_text(query, "customerId")}
        if reseller_id is None:
            wanted.update(orderNumber=_filter_text(query, "orderNumber"), statusCode=_filter_text(query, "statusCode"))
        start, end = (parse_datetime(query[key], key) if query.get(key) else None for key in ("creationTimeFrom", "creationTimeTo"))
        subscription_id = _filter_text(query, "subscriptionId")
        rows = []
        for order in reversed(self.orders.values()):
            if (any(value and order[key] != value for key, value in wanted.items()) or not _in_period(order["_created"], start, end)
                    or (reseller_id and self.customers[order["customerId"]]["resellerId"] != reseller_id)):
                continue
            # A sales order knows its subscriptions only once completed; change/renewal/cancellation from the start.
            if subscription_id and subscription_id not in {order.get("subscriptionId")} | {line.get("subscriptionId") for line in order["products"]}:
                continue
            rows.append({key: order[key] for key in ORDER_ROW_FIELDS if key in order})
        return self._page(rows, query)

    # --- reports ----------------------------------------------------------------------------------

    def create_report(self, body):
        body = require_object(body)
        name = get_str(body, "name", required=True)
        if name not in seed.REPORT_GENERATORS:
            raise bad_request(f"name must be one of the configured report generators: {', '.join(seed.REPORT_GENERATORS)}; got {name!r}")
        start = parse_datetime(get_str(body, "startDate", required=True), "startDate")
        end = parse_datetime(body["endDate"], "endDate") if get_str(body, "endDate") else None
        if end is not None and end < start:
            raise bad_request("endDate must not be before startDate")
        report_format = get_str(body, "format") or "csv"
        if report_format not in REPORT_FORMATS:
            raise bad_request(f"format must be one of {', '.join(REPORT_FORMATS)} (xlsx is not generated by the simulator); got {report_format!r}")
        now = utcnow()
        processing_seconds = self.faults.settings["order_processing_seconds"]
        report = {"id": str(uuid.uuid4()), "name": name, "status": "submitted", "type": "onetime", "format": report_format,
                  "creationDate": iso_datetime(now), "startDate": iso_datetime(start),
                  "_created": now, "_processing_at": now.timestamp() + processing_seconds / 2, "_due_at": now.timestamp() + processing_seconds,
                  "_fail": self.faults.take("report_error_next")}
        if end is not None:
            report["endDate"] = iso_datetime(end)
        if get_str(body, "customizationName"):
            report["customizationName"] = body["customizationName"]
        self.reports[report["id"]] = report
        self._open_reports.append(report["id"])
        return self._report_view(report)

    def add_completed_report(self, report_id, name, report_type, report_format, day):
        created = datetime.datetime.combine(day, datetime.time(2, 0), datetime.timezone.utc)
        start = datetime.datetime.combine(day - datetime.timedelta(days=30), datetime.time(0, 0), datetime.timezone.utc)
        report = {"id": report_id, "name": name, "status": "completed", "type": report_type, "format": report_format,
                  "creationDate": iso_datetime(created), "startDate": iso_datetime(start), "endDate": iso_datetime(created), "_created": created}
        self.reports[report_id] = report
        self._publish_report(report)

    def _publish_report(self, report):
        """Complete a report: write its file (the customers' subscriptions) and a signed download URL."""
        rows = []
        for subscription in self.subscriptions.values():
            customer = self.customers[subscription["customerId"]]
            for line in subscription["_lines"]:
                rows.append({"customerId": customer["id"], "customerExternalId": customer.get("externalId", ""), "customerName": customer["name"],
                             "subscriptionId": subscription["id"], "subscriptionName": subscription["name"], "status": subscription["status"],
                             "mpn": line["product"]["mpn"], "vendor": line["product"]["vendor"], "quantity": line["quantity"],
                             "unitPrice": money(line["unitPrice"])["amount"], "currency": "USD", "creationDate": subscription["creationDate"],
                             "renewalDate": subscription["renewalDate"]})
        if report["format"] == "json":
            content = json.dumps({"report": report["name"], "rows": rows}, indent=1)
        elif report["format"] == "xml":
            root = ElementTree.Element("report", name=report["name"])
            for row in rows:
                ElementTree.SubElement(root, "row", {key: str(value) for key, value in row.items()})
            content = ElementTree.tostring(root, encoding="unicode")
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["customerId"])
            writer.writeheader()
            writer.writerows(rows)
            content = buffer.getvalue()
        file_name, signature = f"{report['id']}.{report['format']}", secrets.token_urlsafe(24)
        self.issued_secrets["download_signatures"].append(signature)
        self.files[file_name] = {"signature": signature, "content_type": CONTENT_TYPES[report["format"]], "body": content.encode()}
        report["status"] = "completed"
        report["_download"] = f"/_sim/files/{file_name}?sig={signature}"

    def _report_view(self, report):
        """The Report; the download URL is built on read because the listening address is known only after start-up."""
        view = public(report)
        if "_download" in report:
            view["downloadUrl"] = self.config.public_root + report["_download"]
        return view

    def get_report(self, report_id):
        if report_id not in self.reports:
            raise not_found(f"report {report_id} not found")
        return self._report_view(self.reports[report_id])

    def list_reports(self, query):
        status = one_value(query, "status", REPORT_STATUSES)
        name, report_format, report_type = (_filter_text(query, key) for key in ("name", "format", "type"))
        start, end = (parse_date(query[key], key) if query.get(key) else None for key in ("from", "to"))
        rows = [self._report_view(report) for report in reversed(self.reports.values())
                if (not status or report["status"] == status) and (not name or report["name"].lower() == name.lower())
                and (not report_format or report["format"] == report_format) and (not report_type or report["type"] == report_type)
                and _in_period(report["_created"].date(), start, end)]
        return self._page(rows, query)

    def download(self, file_name, signature):
        stored = self.files.get(file_name)
        if stored is None:
            raise not_found(f"file {file_name} not found")
        if not signature or not secrets.compare_digest(signature.encode(), stored["signature"].encode()):
            raise ApiError(403, "Signature did not match; use the downloadUrl of the report as given.")
        return stored
