"""Behaviour tests of the Marketplace API simulator, over real HTTP against a simulator subprocess."""

import concurrent.futures
import datetime
import email.utils
import pathlib
import sys
import time

import pytest
import requests

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # plain `pytest` does not put the repository root on sys.path
    sys.path.insert(0, str(REPO_ROOT))
from tests.simulator.harness import Simulator  # noqa: E402  pylint: disable=wrong-import-position

ACME, GLOBEX, INITECH = "1000001", "1000002", "1000003"
ACME_M365_STANDARD = "3000001"  # 25 x CFQ7TTC0LDPB:0001:P1Y, domain acme-mfg.com
BASIC_MONTHLY = "CFQ7TTC0LH18:0001:P1M"  # min 1, max 300, needs the domain parameter
DROPBOX_MONTHLY = "DBX-BUS-STD-M"  # min 3


@pytest.fixture(scope="module")
def simulator():
    with Simulator() as sim:
        yield sim


@pytest.fixture(name="sim")
def fresh_simulator(simulator):
    simulator.reset()
    simulator.set_faults(order_processing_seconds=0.2)
    return simulator


class Api:
    """A minimal client: one token, the standard headers."""

    def __init__(self, sim):
        self.sim = sim
        self.session = requests.Session()
        self.session.headers["X-Subscription-Key"] = sim.credentials["subscription_key"]
        self._token = None

    def token(self):
        response = self.session.post(f"{self.sim.base_url}/token", json={"marketplace": "us"},
                                     auth=(self.sim.credentials["username"], self.sim.credentials["password"]))
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def call(self, method, path, timeout=10, **kwargs):
        if self._token is None:
            self._token = self.token()
        headers = {"Authorization": f"Bearer {self._token}", **kwargs.pop("headers", {})}
        return self.session.request(method, f"{self.sim.base_url}{path}", headers=headers, timeout=timeout, **kwargs)

    def ok(self, method, path, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == 200, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def error(self, status, method, path, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        body = response.json()
        assert body["status"] == status and body["correlationId"] == response.headers["X-Correlation-ID"]
        return body["message"]

    def wait_order(self, order_id, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            order = self.ok("GET", f"/orders/{order_id}")
            if order["status"] in ("completed", "error", "cancelled") or time.monotonic() > deadline:
                return order
            time.sleep(0.05)

    def seats(self, subscription_id):
        return self.ok("GET", f"/subscriptions/{subscription_id}")["products"][0]["quantity"]


@pytest.fixture
def api(sim):
    return Api(sim)


def new_customer(**overrides):
    body = {
        "externalId": "TEST-1", "name": "Test Customer Ltd", "language": "en",
        "address": {"streetAddress": "1 Test Way", "postalCode": "12345", "city": "Testville", "countryCode": "US"},
        "contactPersons": [{"type": "admin", "firstName": "Ada", "lastName": "Admin", "email": "ada@test.example",
                            "phoneNumber": "+15555550100", "login": "ada.admin", "password": "S3cret!pass"}],
    }
    body.update(overrides)
    return body


def sales_order(customer_id, mpn=BASIC_MONTHLY, quantity=5, domain="test-customer.com"):
    line = {"mpn": mpn, "quantity": quantity}
    if domain:
        line["parameters"] = [{"name": "domain", "value": domain}]
    return {"type": "sales", "customerId": customer_id, "poNumber": "PO-1", "products": [line]}


def change_order(subscription_id, quantity, customer_id=ACME, mpn="CFQ7TTC0LDPB:0001:P1Y"):
    return {"type": "change", "customerId": customer_id, "subscriptionId": subscription_id, "products": [{"mpn": mpn, "quantity": quantity}]}


# --- authentication ------------------------------------------------------------------------------

def test_token_and_auth_failures(sim):
    token_url = f"{sim.base_url}/token"
    key = {"X-Subscription-Key": "demo-key"}
    wrong_password = requests.post(token_url, json={"marketplace": "us"}, auth=("demo", "nope"), headers=key, timeout=5)
    assert wrong_password.status_code == 401
    wrong_key = requests.post(token_url, json={"marketplace": "us"}, auth=("demo", "demo-password"), headers={"X-Subscription-Key": "x"}, timeout=5)
    assert wrong_key.status_code == 401
    wrong_marketplace = requests.post(token_url, json={"marketplace": "de"}, auth=("demo", "demo-password"), headers=key, timeout=5)
    assert wrong_marketplace.status_code == 400 and "marketplace" in wrong_marketplace.json()["message"]
    issued = requests.post(token_url, json={"marketplace": "us"}, auth=("demo", "demo-password"), headers=key, timeout=5).json()
    assert issued["expiresInSeconds"] == 1500 and len(issued["token"]) > 20
    assert requests.get(f"{sim.base_url}/customers", headers=key, timeout=5).status_code == 401  # no bearer
    bearer = {"Authorization": f"Bearer {issued['token']}"}
    assert requests.get(f"{sim.base_url}/customers", headers=bearer, timeout=5).status_code == 401  # no key
    assert requests.get(f"{sim.base_url}/customers", headers={**key, **bearer}, timeout=5).status_code == 200
    assert "demo-password" not in wrong_password.text and issued["token"] not in str(sim.requests())
    # any region segment works
    assert requests.get(f"{sim.root_url}/marketplace/na/customers", headers={**key, **bearer}, timeout=5).status_code == 200


def test_token_expires(sim, api):
    sim.set_faults(token_ttl=1)
    assert api.ok("GET", "/customers")["pagination"]["total"] == 4
    time.sleep(1.1)
    assert "expired" in api.error(401, "GET", "/customers")


# --- lists ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/subscriptions?status=active,terminated", "/orders?status=submitted,processing",
                                  "/reports?status=completed,error", "/subscriptions?status=active&status=terminated"])
def test_status_filter_takes_one_value(api, path):
    assert "exactly one value" in api.error(400, "GET", path)


def test_pagination_envelope_clamp_and_newest_first(api):
    first = api.ok("GET", "/subscriptions")
    assert first["pagination"] == {"offset": 0, "limit": 10, "total": 12} and len(first["data"]) == 10
    rest = api.ok("GET", "/subscriptions", params={"offset": 10})
    assert len(rest["data"]) == 2 and {row["id"] for row in rest["data"]}.isdisjoint({row["id"] for row in first["data"]})
    clamped = api.ok("GET", "/products", params={"limit": 5000})
    assert clamped["pagination"]["limit"] == 1000 and len(clamped["data"]) == clamped["pagination"]["total"] >= 14
    assert api.ok("GET", "/customers", params={"limit": 1, "unknownParam": "x"})["pagination"]["total"] == 4
    created = [api.ok("POST", "/customers", json=new_customer(externalId=f"NEW-{n}"))["id"] for n in range(2)]
    assert [row["id"] for row in api.ok("GET", "/customers", params={"limit": 2})["data"]] == created[::-1]
    dates = [row["creationDate"] for row in api.ok("GET", "/orders", params={"limit": 100})["data"]]
    assert dates == sorted(dates, reverse=True)


def test_list_rows_are_thin(api):
    customer = api.ok("GET", "/customers", params={"externalId": "ACME-001"})["data"]
    assert customer == [{"id": ACME, "externalId": "ACME-001", "name": "Acme Manufacturing Inc.", "status": "active", "resellerId": "2000001"}]
    assert {"address", "contactPersons", "language"} <= set(api.ok("GET", f"/customers/{ACME}"))
    subscription_row = api.ok("GET", "/subscriptions", params={"customerId": ACME})["data"][0]
    assert "products" not in subscription_row and "totalPrice" not in subscription_row
    order_row = api.ok("GET", "/orders")["data"][0]
    assert not {"products", "poNumber", "details"} & set(order_row) and {"id", "orderNumber", "status", "statusCode"} <= set(order_row)


def test_customer_filters(api):
    assert [row["id"] for row in api.ok("GET", "/customers", params={"name": "glob"})["data"]] == [GLOBEX]
    assert [row["id"] for row in api.ok("GET", "/customers", params={"email": "PETER@initech.example"})["data"]] == [INITECH]
    assert api.ok("GET", "/customers", params={"externalId": "acme-001"})["data"] == []  # exact match
    assert [row["id"] for row in api.ok("GET", "/customers", params={"resellerId": "2000002"})["data"]] == ["1000004"]
    assert [row["id"] for row in api.ok("GET", "/resellers/2000002/customers")["data"]] == ["1000004"]
    assert api.ok("GET", "/products", params={"vendor": "Adobe"})["pagination"]["total"] == 2


# --- customers -----------------------------------------------------------------------------------

def test_customer_create_validation_and_defaults(api):
    broken = new_customer()
    del broken["address"]["countryCode"]
    assert api.error(400, "POST", "/customers", json=broken) == "address.countryCode is required"
    assert "countryCode" in api.error(400, "POST", "/customers", json=new_customer(address={**new_customer()["address"], "countryCode": "usa"}))
    bad_email = new_customer()
    bad_email["contactPersons"][0]["email"] = "not-an-email"
    assert "contactPersons[0].email" in api.error(400, "POST", "/customers", json=bad_email)
    assert api.error(400, "POST", "/customers", json=new_customer(language=None)) == "language is required"
    created = api.ok("POST", "/customers", json=new_customer())
    assert created["resellerId"] == "2000001" and created["status"] == "active" and created["id"].isdigit()
    assert "login" not in created["contactPersons"][0] and "password" not in created["contactPersons"][0]
    assert "S3cret" not in str(api.ok("GET", f"/customers/{created['id']}"))
    under_reseller = api.ok("POST", "/resellers/2000002/customers", json=new_customer(externalId="SUB-1"))
    assert under_reseller["resellerId"] == "2000002"
    assert api.error(404, "GET", "/customers/999") == "customer 999 not found"


def test_customer_patch_rules(api):
    assert "only active and creditHold" in api.error(400, "PATCH", f"/customers/{ACME}", json={"status": "adminHold"})
    assert api.ok("PATCH", f"/customers/{ACME}", json={"status": "creditHold"})["status"] == "creditHold"
    assert "creditHold" in api.error(400, "POST", "/orders", json=sales_order(ACME))
    assert api.ok("PATCH", f"/customers/{ACME}", json={"status": "active"})["status"] == "active"
    assert "language" in api.error(400, "PATCH", f"/customers/{ACME}", json={"language": "fr"})
    address = {"streetAddress": "2 New Street", "postalCode": "10001", "city": "New York", "countryCode": "US"}
    assert api.ok("PATCH", f"/customers/{ACME}", json={"address": address, "name": "Acme Corp"})["address"] == address
    assert api.error(400, "PATCH", f"/customers/{ACME}", json={"address": {**address, "city": ""}}) == "address.city is required"
    assert api.ok("GET", f"/customers/{ACME}")["name"] == "Acme Corp"


def test_reseller_create_requires_currency(api):
    body = new_customer(externalId="RES-NEW")
    assert api.error(400, "POST", "/resellers", json=body) == "currency is required"
    created = api.ok("POST", "/resellers", json={**body, "currency": "USD"})
    assert api.ok("GET", f"/resellers/{created['id']}")["currency"] == "USD"
    assert api.ok("PATCH", f"/resellers/{created['id']}", json={"name": "Renamed"})["name"] == "Renamed"


# --- orders --------------------------------------------------------------------------------------

def test_sales_order_lifecycle_creates_subscription(sim, api):
    sim.set_faults(order_processing_seconds=1.0)  # processing from 0.5 s to 1 s: a wide window to observe
    customer = api.ok("POST", "/customers", json=new_customer())["id"]
    order = api.ok("POST", "/orders", json=sales_order(customer, quantity=7))
    assert order["status"] == "submitted" and order["orderNumber"].startswith("SO") and order["creationDate"].endswith("Z")
    assert order["total"] == {"currency": "USD", "amount": "50.40"} and order["details"][0]["quantity"] == 7
    assert api.ok("GET", "/subscriptions", params={"customerId": customer})["data"] == []
    time.sleep(0.6)
    assert api.ok("GET", f"/orders/{order['id']}")["status"] == "processing"
    done = api.wait_order(order["id"])
    assert done["status"] == "completed" and done["statusCode"] == "CP" and done["provisioningDate"]
    subscription_id = done["subscriptionId"]
    assert done["products"][0]["subscriptionId"] == subscription_id
    rows = api.ok("GET", "/subscriptions", params={"customerId": customer})["data"]
    assert [row["id"] for row in rows] == [subscription_id] and rows[0]["status"] == "active"
    detail = api.ok("GET", f"/subscriptions/{subscription_id}")
    assert detail["products"][0]["quantity"] == 7 and detail["orderParameters"] == [{"name": "domain", "value": "test-customer.com"}]
    assert api.ok("GET", "/orders", params={"subscriptionId": subscription_id})["data"][0]["id"] == order["id"]


def test_ambiguous_mpn_and_required_parameters(api):
    message = api.error(400, "POST", "/orders", json=sales_order(INITECH, mpn="CFQ7TTC0LF8Q:0001", domain="initech.io"))
    assert "vendor, subscriptionPeriod and billingPeriod" in message
    line = {"mpn": "CFQ7TTC0LF8Q:0001", "vendor": "Microsoft", "subscriptionPeriod": {"type": "month", "duration": 1}, "quantity": 2,
            "parameters": [{"name": "domain", "value": "initech.io"}]}
    assert api.ok("POST", "/orders", json={"type": "sales", "customerId": INITECH, "products": [line]})["products"][0]["id"] == "PRD100401"
    assert "domain is required" in api.error(400, "POST", "/orders", json=sales_order(GLOBEX, domain=None))
    assert "already in use" in api.error(400, "POST", "/orders", json=sales_order(GLOBEX, domain="initech.io"))
    assert "products[0].quantity must be a positive number" in api.error(400, "POST", "/orders", json=sales_order(GLOBEX, quantity=0))
    assert "customer 42 not found" in api.error(400, "POST", "/orders", json=sales_order("42"))


def test_min_max_quantity(api):
    message = api.error(400, "POST", "/orders", json=sales_order(GLOBEX, quantity=301, domain="globex-corp.de"))
    assert BASIC_MONTHLY in message and "301" in message and "maximum of 300" in message
    message = api.error(400, "POST", "/orders", json=sales_order(GLOBEX, mpn=DROPBOX_MONTHLY, quantity=2, domain=None))
    assert DROPBOX_MONTHLY in message and "minimum of 3" in message
    message = api.error(400, "POST", "/orders", json=change_order(ACME_M365_STANDARD, 400))
    assert "resulting quantity" in message and "400" in message and "maximum of 300" in message


def test_change_order_sets_new_total_and_details_show_delta(api):
    order = api.ok("POST", "/orders", json=change_order(ACME_M365_STANDARD, 30))
    assert order["products"][0]["quantity"] == 30 and order["details"][0]["quantity"] == 5
    assert order["total"]["amount"] == "62.50" and order["subscriptionId"] == ACME_M365_STANDARD
    assert api.seats(ACME_M365_STANDARD) == 25  # applied on completion only
    assert api.wait_order(order["id"])["status"] == "completed"
    assert api.seats(ACME_M365_STANDARD) == 30
    decrease = api.ok("POST", "/orders", json=change_order(ACME_M365_STANDARD, 20))
    assert decrease["details"][0]["quantity"] == -10 and decrease["total"]["amount"] == "-125.00"
    assert decrease["details"][0]["type"] == "downgrade"
    api.wait_order(decrease["id"])
    assert api.seats(ACME_M365_STANDARD) == 20
    assert "nothing to change" in api.error(400, "POST", "/orders", json=change_order(ACME_M365_STANDARD, 20))
    assert "subscriptionId is required" in api.error(400, "POST", "/orders", json={**change_order(ACME_M365_STANDARD, 3), "subscriptionId": None})
    assert "belongs to customer" in api.error(400, "POST", "/orders", json=change_order(ACME_M365_STANDARD, 3, customer_id=GLOBEX))


def test_change_order_delta_mode(sim, api):
    sim.set_faults(change_quantity="delta")
    order = api.ok("POST", "/orders", json=change_order(ACME_M365_STANDARD, 3))
    assert order["details"][0]["quantity"] == 3
    api.wait_order(order["id"])
    assert api.seats(ACME_M365_STANDARD) == 28
    api.wait_order(api.ok("POST", "/orders", json=change_order(ACME_M365_STANDARD, -8))["id"])
    assert api.seats(ACME_M365_STANDARD) == 20


def test_cancellation_terminates(api):
    order = api.ok("POST", "/orders", json={"type": "cancellation", "customerId": ACME, "subscriptionId": ACME_M365_STANDARD})
    assert order["products"] == [] and order["details"] == []
    assert api.wait_order(order["id"])["status"] == "completed"
    assert api.ok("GET", f"/subscriptions/{ACME_M365_STANDARD}")["status"] == "terminated"
    assert "terminated" in api.error(400, "POST", "/orders", json=change_order(ACME_M365_STANDARD, 30))


def test_renewal_extends_dates(api):
    before = api.ok("GET", f"/subscriptions/{ACME_M365_STANDARD}")
    api.wait_order(api.ok("POST", "/orders", json={"type": "renewal", "customerId": ACME, "subscriptionId": ACME_M365_STANDARD})["id"])
    after = api.ok("GET", f"/subscriptions/{ACME_M365_STANDARD}")
    expected = datetime.date.fromisoformat(before["expirationDate"]).replace(year=int(before["expirationDate"][:4]) + 1).isoformat()
    assert after["expirationDate"] == after["renewalDate"] == expected


def test_order_error_next(sim, api):
    sim.set_faults(order_error_next=1)
    failed = api.wait_order(api.ok("POST", "/orders", json=change_order(ACME_M365_STANDARD, 30))["id"])
    assert failed["status"] == "error" and failed["statusCode"] == "ER"
    assert api.seats(ACME_M365_STANDARD) == 25
    assert api.wait_order(api.ok("POST", "/orders", json=change_order(ACME_M365_STANDARD, 30))["id"])["status"] == "completed"
    assert sim.faults()["order_error_next"] == 0


def test_order_patch_cancel(sim, api):
    sim.set_faults(order_processing_seconds=30)
    order = api.ok("POST", "/orders", json=change_order(ACME_M365_STANDARD, 30))
    assert api.ok("PATCH", f"/orders/{order['id']}", json={"creditCheck": False})["creditCheck"] is False
    cancelled = api.ok("PATCH", f"/orders/{order['id']}", json={"statusCode": "CL"})
    assert cancelled["status"] == "cancelled" and cancelled["statusCode"] == "CL"
    assert "cannot be set" in api.error(400, "PATCH", f"/orders/{order['id']}", json={"status": "completed"})
    historic = api.ok("GET", "/orders", params={"customerId": ACME, "status": "completed", "limit": 1})["data"][0]
    assert "can no longer be cancelled" in api.error(400, "PATCH", f"/orders/{historic['id']}", json={"statusCode": "CL"})
    assert api.seats(ACME_M365_STANDARD) == 25


def test_estimate_persists_nothing(api):
    before = api.ok("GET", "/orders")["pagination"]["total"]
    estimate = api.ok("POST", "/orders/estimate", json=change_order(ACME_M365_STANDARD, 27))
    assert "id" not in estimate and "orderNumber" not in estimate
    assert estimate["total"] == {"currency": "USD", "amount": "25.00"} and estimate["products"][0]["extendedPrice"]["amount"] == "25.00"
    assert estimate["details"][0]["quantity"] == 2
    assert api.ok("GET", "/orders")["pagination"]["total"] == before and api.seats(ACME_M365_STANDARD) == 25
    assert "maximum" in api.error(400, "POST", "/orders/estimate", json=change_order(ACME_M365_STANDARD, 301))


def test_subscription_patch_and_special_pricing(api):
    assert "change order" in api.error(400, "PATCH", f"/subscriptions/{ACME_M365_STANDARD}", json={"quantity": 30})
    assert "cancellation order" in api.error(400, "PATCH", f"/subscriptions/{ACME_M365_STANDARD}", json={"status": "terminated"})
    assert "change order" in api.error(400, "PATCH", f"/subscriptions/{ACME_M365_STANDARD}", json={"planId": 10003})
    message = api.error(400, "PATCH", f"/subscriptions/{ACME_M365_STANDARD}", json={"products": [{"mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 3}]})
    assert "change order" in message
    patched = api.ok("PATCH", f"/subscriptions/{ACME_M365_STANDARD}", json={"renewalStatus": False, "attributes": {"costCenter": "42"}})
    assert patched["renewalStatus"] is False and patched["attributes"] == {"costCenter": "42"} and patched["products"][0]["quantity"] == 25
    priced = api.ok("POST", f"/subscriptions/{ACME_M365_STANDARD}/specialPricing",
                    json={"products": [{"mpn": "CFQ7TTC0LDPB:0001:P1Y", "unitPrice": {"currency": "USD", "amount": "10.00"}}]})
    assert priced["products"][0]["unitPrice"]["amount"] == "10.00" and priced["totalPrice"]["amount"] == "250.00"
    assert priced["totalSubscriptionPrice"]["amount"] == "3000.00"


# --- faults --------------------------------------------------------------------------------------

def test_lost_order_response_still_creates_the_order(sim, api):
    sim.set_faults(lose_order_responses=1)
    before = api.ok("GET", "/orders", params={"customerId": ACME})["pagination"]["total"]
    with pytest.raises(requests.ConnectionError):
        api.call("POST", "/orders", json=change_order(ACME_M365_STANDARD, 30))
    after = api.ok("GET", "/orders", params={"customerId": ACME})
    assert after["pagination"]["total"] == before + 1 and after["data"][0]["type"] == "change"
    assert [entry["status"] for entry in sim.requests() if entry["method"] == "POST" and entry["path"].endswith("/orders")] == [None]


def test_drop_next_and_error_next_do_not_act(sim, api):
    api.ok("GET", "/customers")
    sim.set_faults(drop_next=1)
    with pytest.raises(requests.ConnectionError):
        api.call("POST", "/customers", json=new_customer(externalId="DROPPED"))
    sim.set_faults(error_next=1, error_status=503)
    response = api.call("POST", "/customers", json=new_customer(externalId="FAILED"))
    assert response.status_code == 503 and response.headers["X-Correlation-ID"].startswith("sim-")
    assert api.ok("GET", "/customers")["pagination"]["total"] == 4
    statuses = [entry["status"] for entry in sim.requests() if entry["method"] == "POST" and entry["path"].endswith("/customers")]
    assert statuses == [None, 503]


def test_error_rate_is_reproducible(sim, api):
    api.ok("GET", "/customers")

    def run():
        sim.set_faults(error_rate=0.5, seed=7)
        return [api.call("GET", "/products").status_code for _index in range(12)]
    first = run()
    assert set(first) == {200, 500} and run() == first


@pytest.mark.parametrize("fmt", ["seconds", "http-date"])
def test_rate_limit(sim, api, fmt):
    api.ok("GET", "/customers")
    sim.set_faults(rate_limit={"requests": 3, "window_seconds": 60, "retry_after": 7, "retry_after_format": fmt})
    assert [api.call("GET", "/customers").status_code for _index in range(4)] == [200, 200, 200, 429]
    limited = api.call("GET", "/customers")
    assert limited.status_code == 429
    if fmt == "seconds":
        assert limited.headers["Retry-After"] == "7"
    else:
        retry_at = email.utils.parsedate_to_datetime(limited.headers["Retry-After"])
        assert 4 <= (retry_at - datetime.datetime.now(datetime.timezone.utc)).total_seconds() <= 9
    sim.set_faults(rate_limit={"requests": 1, "window_seconds": 60, "retry_after": None})
    api.ok("GET", "/customers")
    assert "Retry-After" not in api.call("GET", "/customers").headers


def test_target_limits_faults(sim, api):
    sim.set_faults(error_rate=1.0, target={"method": "GET", "path": "^/subscriptions/"})
    assert api.call("GET", f"/subscriptions/{ACME_M365_STANDARD}").status_code == 500
    assert api.call("GET", "/subscriptions").status_code == 200


def test_slow_response_after_acting(sim, api):
    api.ok("GET", "/customers")
    sim.set_faults(slow_ms=1500, slow_next=1)
    with pytest.raises(requests.Timeout):
        api.call("POST", "/customers", json=new_customer(externalId="SLOW-1"), timeout=0.4)
    assert api.ok("GET", "/customers", params={"externalId": "SLOW-1"})["pagination"]["total"] == 1


def test_concurrent_requests_are_not_serialised(sim, api):
    api.ok("GET", "/customers")
    sim.set_faults(latency_ms=300)
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(api.call, "GET", "/products") for _index in range(10)]
        statuses = [future.result().status_code for future in futures]
    # Counted by the simulator, not timed: a busy machine must not make this fail.
    assert statuses == [200] * 10 and sim.stats()["max_in_flight"] >= 5


# --- validation, reports, control ----------------------------------------------------------------

def test_validate_parameters(api):
    body = {"customerId": GLOBEX, "products": [
        {"mpn": BASIC_MONTHLY, "parameters": [{"name": "domain", "value": "acme-mfg.com"}, {"name": "tenant_region", "value": "MARS"},
                                              {"name": "colour", "value": "blue"}]},
        {"mpn": "CFQ7TTC0LDPB:0001:P1M", "parameters": [{"name": "domain", "value": "contoso.com"}]},
        {"mpn": "CFQ7TTC0LDPB:0001:P1M", "parameters": [{"name": "domain", "value": "globex-corp.de"}]},
        {"mpn": "CFQ7TTC0LDPB:0001:P1M", "parameters": [{"name": "domain", "value": "not a domain"}]},
    ]}
    data = api.ok("POST", "/validation/parameters", json=body)["data"]
    taken, region, unknown = data[0]["parameters"]
    assert taken["result"] == "error" and "already in use" in taken["valueError"]
    assert region["result"] == "error" and [choice["value"] for choice in region["valueChoices"]] == ["US", "EU", "APAC"]
    assert unknown["result"] == "error" and unknown["message"] == "unknown parameter"
    assert data[1]["parameters"][0]["result"] == "error" and "reserved" in data[1]["parameters"][0]["valueError"]
    assert data[2]["parameters"][0]["result"] == "success"  # the customer's own domain
    assert data[3]["parameters"][0]["result"] == "error"


def test_reports_complete_with_download(sim, api):
    assert "name must be one of" in api.error(400, "POST", "/reports", json={"name": "Nope", "startDate": "2024-01-01T00:00:00Z"})
    report = api.ok("POST", "/reports", json={"name": "Provisioned Orders", "startDate": "2024-01-01T00:00:00Z", "format": "csv"})
    assert report["status"] == "submitted" and report["type"] == "onetime" and "downloadUrl" not in report
    time.sleep(0.25)
    done = api.ok("GET", f"/reports/{report['id']}")
    assert done["status"] == "completed" and done["downloadUrl"].startswith(f"{sim.root_url}/_sim/files/{report['id']}.csv?sig=")
    download = requests.get(done["downloadUrl"], timeout=5)
    assert download.status_code == 200 and "ACME-001" in download.text and download.text.startswith("customerId,")
    assert requests.get(done["downloadUrl"].split("?")[0] + "?sig=wrong", timeout=5).status_code == 403
    assert api.ok("GET", "/reports")["data"][0]["id"] == report["id"]
    assert api.ok("GET", "/reports", params={"status": "completed"})["pagination"]["total"] == 4
    seeded = api.ok("GET", "/reports", params={"format": "xml", "type": "daily"})["data"][0]
    assert seeded["name"] == "Marketplace API" and requests.get(seeded["downloadUrl"], timeout=5).text.startswith("<report")


def test_plans(api):
    plans = api.ok("GET", "/plans")["data"]
    assert plans and "planSwitches" not in plans[0]
    assert api.ok("GET", "/plans/10001")["planSwitches"]
    assert api.error(404, "GET", "/plans/1") == "plan 1 not found"


def test_request_log_stats_and_reset(sim, api):
    api.ok("GET", "/customers", params={"externalId": "ACME-001"})
    api.error(404, "GET", "/orders/999")
    log = sim.requests()
    assert all(isinstance(entry.pop("at"), float) for entry in log)
    assert log == [
        {"method": "POST", "path": "/marketplace/eu/token", "query": {}, "status": 200},
        {"method": "GET", "path": "/marketplace/eu/customers", "query": {"externalId": "ACME-001"}, "status": 200},
        {"method": "GET", "path": "/marketplace/eu/orders/999", "query": {}, "status": 404},
    ]
    stats = sim.stats()
    assert stats["by_method"] == {"POST": 1, "GET": 2} and stats["tokens"] == 1 and stats["writes"] == 0
    assert stats["by_route"]["GET /orders/{id}"] == 1 and stats["by_path"]["GET /marketplace/eu/customers"] == 1
    api.ok("POST", "/customers", json=new_customer())
    sim.reset()
    assert sim.requests() == [] and sim.stats()["tokens"] == 0
    assert api.call("GET", "/customers").status_code == 401  # tokens are gone too
    assert sim.faults()["order_processing_seconds"] == 1.0


def test_seed_generate(sim, api):
    created = sim.seed(customers=3, subscriptions_per_customer=4, external_id_prefix="BENCH-")["customers"]
    assert [customer["externalId"] for customer in created] == ["BENCH-0001", "BENCH-0002", "BENCH-0003"]
    for customer in created:
        assert len({subscription["mpn"] for subscription in customer["subscriptions"]}) == 4
        rows = api.ok("GET", "/subscriptions", params={"customerId": customer["id"]})["data"]
        assert {row["id"] for row in rows} == {subscription["id"] for subscription in customer["subscriptions"]}
        assert {row["status"] for row in rows} == {"active"}
    subscription = created[0]["subscriptions"][0]
    assert api.seats(subscription["id"]) == subscription["quantity"]
    sim.reset()
    assert sim.seed(customers=3, subscriptions_per_customer=4, external_id_prefix="BENCH-")["customers"] == created
    more = sim.seed(customers=1, subscriptions_per_customer=1, external_id_prefix="BENCH-")["customers"]
    assert more[0]["externalId"] == "BENCH-0004"


def test_seed_generate_with_subscriptions_created_days_ago(sim, api):
    """age_days: created that long ago and renewed up to a future date, so their term started before today."""
    (customer,) = sim.seed(customers=1, subscriptions_per_customer=1, external_id_prefix="OLD-", age_days=40)["customers"]
    detail = api.ok("GET", "/subscriptions/" + customer["subscriptions"][0]["id"])
    today = datetime.date.today()
    assert detail["creationDate"][:10] == (today - datetime.timedelta(days=40)).isoformat()
    assert datetime.date.fromisoformat(detail["renewalDate"][:10]) > today
    response = requests.post(f"{sim.root_url}/_sim/seed", json={"generate": {"customers": 1, "age_days": -1}}, timeout=5)
    assert response.status_code == 400 and "age_days must be a whole number from 0 to 3650" in response.json()["message"]


def test_faults_endpoint_validates(sim):
    assert sim.faults()["change_quantity"] == "total"
    response = requests.post(f"{sim.root_url}/_sim/faults", json={"latency": 5}, timeout=5)
    assert response.status_code == 400 and "unknown fault field" in response.json()["message"]
    assert requests.post(f"{sim.root_url}/_sim/faults", json={"error_rate": 2}, timeout=5).status_code == 400
    assert sim.set_faults(latency_ms=5)["latency_ms"] == 5


def test_max_page_size_clamps_every_list(sim, api):
    sim.set_faults(max_page_size=2)
    page = api.ok("GET", "/products", params={"limit": 1000})
    assert len(page["data"]) == 2
    assert page["pagination"]["limit"] == 2
    assert page["pagination"]["total"] > 2


def test_decrease_window_refuses_late_decreases_only(sim, api):
    # 3000001: ACME's Business Standard, bought 700 days ago, so the current term began long before the last 7 days.
    sim.set_faults(decrease_window_days=7)
    body = {"type": "change", "customerId": "1000001", "subscriptionId": "3000001",
            "products": [{"mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 20}]}
    message = api.error(400, "POST", "/orders", json=body)
    assert "within 7 days of purchase or renewal" in message and "possible again from" in message
    assert api.ok("POST", "/orders/estimate", json=body)["total"]["amount"].startswith("-")  # estimates are not refused
    body["products"][0]["quantity"] = 30
    assert api.ok("POST", "/orders", json=body)["status"] == "submitted"  # increases are


def test_max_in_flight_shows_concurrency(sim, api):
    # A request the client gave up on before the reset is still being served; it is not this test's concurrency.
    api.ok("GET", "/plans")  # token first
    sim.set_faults(slow_ms=1500, slow_next=1)
    with pytest.raises(requests.Timeout):
        api.call("GET", "/plans", timeout=0.3)
    sim.reset()
    api._token = None  # pylint: disable=protected-access  # the reset revoked it
    sim.set_faults(latency_ms=200)
    api.ok("GET", "/plans")  # token first
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _n: api.ok("GET", "/plans"), range(8)))
    assert sim.stats()["max_in_flight"] == 4


def test_order_rendezvous_holds_an_order_until_another_for_its_target_arrives(sim, api):
    api.ok("GET", "/customers")
    sim.set_faults(rendezvous_seconds=30)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(api.call, "POST", "/orders", json=change_order(ACME_M365_STANDARD, 30))
        time.sleep(1.0)
        assert not first.done()  # held: no other order for the subscription yet
        second = pool.submit(api.call, "POST", "/orders", json=change_order(ACME_M365_STANDARD, 31))
        assert first.result(timeout=10).status_code == second.result(timeout=10).status_code == 200
    sim.set_faults(rendezvous_seconds=0.5)
    started = time.monotonic()
    assert api.call("POST", "/orders", json=change_order(ACME_M365_STANDARD, 32)).status_code == 200  # alone: goes on after 0.5 s
    assert time.monotonic() - started >= 0.5


def test_the_platform_changes_a_subscription_without_an_order(sim, api):
    orders = api.ok("GET", "/orders", params={"subscriptionId": "3000001"})["data"]
    changed = sim.platform_update_subscription("3000001", status="hold", renewalDate="2027-01-15")
    assert changed["status"] == "hold" and changed["renewalDate"] == "2027-01-15"
    row = next(row for row in api.ok("GET", "/subscriptions", params={"limit": 1000})["data"] if row["id"] == "3000001")
    assert (row["status"], row["renewalDate"]) == ("hold", "2027-01-15")
    assert api.ok("GET", "/orders", params={"subscriptionId": "3000001"})["data"] == orders  # no order did it
    response = requests.post(f"{sim.root_url}/_sim/subscriptions/3000001", json={"status": "paused"}, timeout=5)
    assert response.status_code == 400 and "status must be one of" in response.text
    response = requests.post(f"{sim.root_url}/_sim/subscriptions/3000001", json={"quantity": 3}, timeout=5)
    assert response.status_code == 400 and "quantity cannot be set" in response.text
