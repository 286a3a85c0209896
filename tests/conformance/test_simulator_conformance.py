"""The simulator against the vendor contract (SimpleAPI 1.15): every operation's request and 200 response.

The spec is read from ../shared/api/vendor-specs/ (relative to the repository root) and is never copied into
the project; without it this module is skipped. Two narrow, documented adjustments are made to the spec in
memory (see `load_spec`); everything else is validated as written, and response fields that the spec does not
declare are reported too (openapi-core alone allows them).
"""

import pathlib
import sys

import pytest
import requests

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # this folder is not a package; the harness is imported from the repository root
    sys.path.insert(0, str(REPO_ROOT))
from tests.conformance.contract import (  # noqa: E402  pylint: disable=wrong-import-position
    SKIP_REASON, SPEC_PATH, load_spec, openapi_for, request_violations, undocumented_fields,
)
from tests.simulator.harness import Simulator  # noqa: E402  pylint: disable=wrong-import-position

if not SPEC_PATH.is_file():
    pytest.skip(SKIP_REASON, allow_module_level=True)

from openapi_core.contrib import requests as openapi_requests  # noqa: E402  pylint: disable=wrong-import-position

ACME, GLOBEX, ACME_SUBSCRIPTION = "1000001", "1000002", "3000001"
CUSTOMER = {
    "externalId": "CONF-1", "name": "Conformance Ltd", "language": "en", "taxRegId": "00-0000000", "attributes": {"tier": "gold"},
    "address": {"streetAddress": "1 Spec Street", "addressExtension": "Suite 1", "postalCode": "92612", "city": "Irvine", "state": "CA",
                "countryCode": "US"},
    "contactPersons": [{"type": "admin", "firstName": "Jane", "lastName": "Doe", "email": "jane@conformance.example",
                        "phoneNumber": "+19495550100", "login": "jane.doe", "password": "Ecx$cvdazv1"}],
}
SALES_ORDER = {"type": "sales", "customerId": GLOBEX, "poNumber": "PO1234", "attributes": {"source": "conformance"},
               "products": [{"mpn": "CFQ7TTC0LH18:0001:P1M", "quantity": 2, "parameters": [{"name": "domain", "value": "conformance.example.org"}]}]}
CHANGE_ORDER = {"type": "change", "customerId": ACME, "subscriptionId": ACME_SUBSCRIPTION, "products": [{"mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 30}]}
PRICE_UPDATE = [{"mpn": "CFQ7TTC0LDPB:0001:P1Y", "unitPrice": {"currency": "USD", "amount": "11.00"}, "unitCost": {"currency": "USD", "amount": "9.00"}}]


@pytest.fixture(scope="module")
def simulator():
    with Simulator() as sim:
        yield sim


@pytest.fixture(scope="module")
def spec_dict(simulator):
    return load_spec(simulator.base_url)


@pytest.fixture(scope="module")
def openapi(simulator):
    return openapi_for(simulator.base_url)


class Context:
    """A fresh simulator and an authenticated session; `prepare` calls are not validated."""

    def __init__(self, sim):
        self.sim = sim
        self.session = requests.Session()
        self.session.headers["X-Subscription-Key"] = sim.credentials["subscription_key"]
        token = self.session.post(f"{sim.base_url}/token", json={"marketplace": "us"},
                                  auth=(sim.credentials["username"], sim.credentials["password"]), timeout=10)
        token.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {token.json()['token']}"

    def prepare(self, method, path, body=None):
        response = self.session.request(method, f"{self.sim.base_url}{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()


# operationId -> function(context) returning (method, path below the base, query, JSON body)
CASES = {
    "generateAuthToken": lambda ctx: ("POST", "/token", None, {"marketplace": "us"}),
    "getCustomers": lambda ctx: ("GET", "/customers", {"limit": 3, "offset": 1}, None),
    "createCustomer": lambda ctx: ("POST", "/customers", None, CUSTOMER),
    "getCustomerById": lambda ctx: ("GET", f"/customers/{ACME}", None, None),
    "updateCustomer": lambda ctx: ("PATCH", f"/customers/{ACME}", None, {"name": "Acme Corp", "status": "creditHold", "taxRegId": "1"}),
    "getResellerCustomers": lambda ctx: ("GET", "/resellers/2000002/customers", {"name": "umbrella"}, None),
    "createCustomerForReseller": lambda ctx: ("POST", "/resellers/2000002/customers", None, CUSTOMER),
    "getResellers": lambda ctx: ("GET", "/resellers", None, None),
    "createReseller": lambda ctx: ("POST", "/resellers", None, {**CUSTOMER, "currency": "USD", "customerClass": "Default"}),
    "getResellerCustomerById": lambda ctx: ("GET", "/resellers/2000001", None, None),
    "updateReseller": lambda ctx: ("PATCH", "/resellers/2000002", None, {"externalId": "NW-2", "status": "active"}),
    "getResellerOrders": lambda ctx: ("GET", "/resellers/2000001/orders", {"status": "completed", "customerId": ACME}, None),
    "getCatalog": lambda ctx: ("GET", "/products", {"limit": 100, "vendor": "Microsoft"}, None),
    "getServicePlans": lambda ctx: ("GET", "/plans", None, None),
    "getServicePlanById": lambda ctx: ("GET", "/plans/10001", None, None),
    "getOrders": lambda ctx: ("GET", "/orders", {"customerId": ACME, "creationTimeFrom": "2020-01-01T00:00:00Z"}, None),
    "createOrder": lambda ctx: ("POST", "/orders", None, SALES_ORDER),
    "getOrderDetails": lambda ctx: ("GET", "/orders/4000001", None, None),  # seeded, completed, with a domain parameter
    "updateOrder": lambda ctx: ("PATCH", f"/orders/{ctx.prepare('POST', '/orders', CHANGE_ORDER)['id']}", None,
                                {"creditCheck": False, "statusCode": "CL"}),
    "estimateOrder": lambda ctx: ("POST", "/orders/estimate", None, CHANGE_ORDER),
    "getSubscriptions": lambda ctx: ("GET", "/subscriptions", {"customerId": ACME, "status": "active", "creationDateFrom": "2020-01-01"}, None),
    "getSubscription": lambda ctx: ("GET", f"/subscriptions/{ACME_SUBSCRIPTION}", None, None),
    "updateSubscription": lambda ctx: ("PATCH", f"/subscriptions/{ACME_SUBSCRIPTION}", None,
                                       {"renewalStatus": False, "attributes": {"costCenter": "42"}, "products": PRICE_UPDATE}),
    "updateSubscriptionSpecialPricing": lambda ctx: ("POST", f"/subscriptions/{ACME_SUBSCRIPTION}/specialPricing", None, {"products": PRICE_UPDATE}),
    "validateParameters": lambda ctx: ("POST", "/validation/parameters", None, {"customerId": GLOBEX, "type": "sales", "products": [
        {"mpn": "CFQ7TTC0LH18:0001:P1M", "quantity": 3, "parameters": [{"name": "domain", "value": "acme-mfg.com"},
                                                                       {"name": "tenant_region", "value": "MARS"}]}]}),
    "getReports": lambda ctx: ("GET", "/reports", {"format": "csv", "from": "2020-01-01"}, None),
    "getReportById": lambda ctx: ("GET", f"/reports/{ctx.prepare('GET', '/reports', None)['data'][0]['id']}", None, None),
    "createReport": lambda ctx: ("POST", "/reports", None, {"name": "Payments", "startDate": "2024-01-01T00:00:00Z",
                                                            "endDate": "2024-01-31T23:59:59Z", "format": "json", "customizationName": "Monthly"}),
}


def test_every_operation_is_covered(spec_dict):
    operations = {operation["operationId"] for path in spec_dict["paths"].values() for operation in path.values()}
    assert operations == set(CASES)
    assert len(operations) == 28


@pytest.mark.parametrize("operation_id", sorted(CASES))
def test_operation_conforms(simulator, spec_dict, openapi, operation_id):
    simulator.reset()
    ctx = Context(simulator)
    method, path, query, body = CASES[operation_id](ctx)
    auth = (simulator.credentials["username"], simulator.credentials["password"]) if path == "/token" else None
    headers = {"Authorization": None} if auth else {}
    request = ctx.session.prepare_request(requests.Request(method, f"{simulator.base_url}{path}", params=query, json=body, auth=auth, headers=headers))
    response = ctx.session.send(request, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["X-Correlation-ID"].startswith("sim-")
    openapi_request = openapi_requests.RequestsOpenAPIRequest(request)
    openapi.validate_request(openapi_request)
    openapi.validate_response(openapi_request, openapi_requests.RequestsOpenAPIResponse(response))
    operation = next(op for item in spec_dict["paths"].values() for op in item.values() if op["operationId"] == operation_id)
    schema = operation["responses"]["default"]["content"]["application/json"]["schema"]
    assert not undocumented_fields(response.json(), schema, spec_dict), "fields the spec does not declare"


def test_captured_request_check_catches_contract_violations(simulator):
    """The check applied to the modules' requests (tests/integration) rejects what the contract does not allow."""
    simulator.reset()
    simulator.start_capture()
    ctx = Context(simulator)
    ctx.session.get(f"{simulator.base_url}/customers", params={"limit": 0}, timeout=10)  # limit minimum is 1
    ctx.session.post(f"{simulator.base_url}/customers", json={**CUSTOMER, "favouriteColour": "blue"}, timeout=10)
    ctx.session.patch(f"{simulator.base_url}/customers/{ACME}", json={"name": 42}, timeout=10)
    ctx.session.get(f"{simulator.base_url}/customers/{ACME}", timeout=10)
    captured = [entry for entry in simulator.captured() if not entry["path"].endswith("/token")]
    problems = request_violations(openapi_for(simulator.base_url), load_spec(simulator.base_url), simulator.root_url, captured)
    assert len(problems) == 3, problems
    assert "limit" in problems[0]
    assert "$.favouriteColour" in problems[1]
    assert "PATCH" in problems[2]
    assert all(entry["headers"]["Authorization"] == "Bearer ********" for entry in captured)
    assert "Ecx$cvdazv1" not in str(captured)
