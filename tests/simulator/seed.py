"""The simulator's seed: product catalog, service plans, resellers, customers, subscriptions, orders, reports.

Everything here is deterministic so that tests, the demo and the README can name ids and MPNs.
Dates are relative to today so that seeded subscriptions are current.
"""

import datetime
import re
import uuid

from .common import bad_request

OWN_RESELLER_ID = "2000001"
REPORT_GENERATORS = ("Provisioned Orders", "Payments", "Marketplace API")

MONTH = {"type": "month", "duration": 1}
YEAR = {"type": "year", "duration": 1}

# Activation parameters: not part of the Product schema, but enforced by POST /orders and
# reported by POST /validation/parameters.
DOMAIN = {"name": "domain", "kind": "domain", "required": True}
TENANT_REGION = {"name": "tenant_region", "kind": "choice", "required": False,
                 "choices": (("US", "United States"), ("EU", "European Union"), ("APAC", "Asia Pacific"))}
ADOBE_COUNTRY = {"name": "country", "kind": "choice", "required": False,
                 "choices": (("US", "United States"), ("CA", "Canada"), ("GB", "United Kingdom"), ("DE", "Germany"),
                             ("FR", "France"), ("NL", "Netherlands"))}

# id, mpn, vendor, serviceName, name, price, cost, subscription period, billing period, min, max, planId, parameters
_CATALOG = (
    ("PRD100101", "CFQ7TTC0LH18:0001:P1M", "Microsoft", "MICROSOFT_NCE", "Microsoft 365 Business Basic (monthly term)",
     "7.20", "6.48", MONTH, MONTH, 1, 300, 10001, (DOMAIN, TENANT_REGION)),
    ("PRD100102", "CFQ7TTC0LH18:0001:P1Y", "Microsoft", "MICROSOFT_NCE", "Microsoft 365 Business Basic (annual term)",
     "6.00", "5.40", YEAR, MONTH, 1, 300, 10001, (DOMAIN, TENANT_REGION)),
    ("PRD100201", "CFQ7TTC0LDPB:0001:P1M", "Microsoft", "MICROSOFT_NCE", "Microsoft 365 Business Standard (monthly term)",
     "15.00", "13.50", MONTH, MONTH, 1, 300, 10002, (DOMAIN, TENANT_REGION)),
    ("PRD100202", "CFQ7TTC0LDPB:0001:P1Y", "Microsoft", "MICROSOFT_NCE", "Microsoft 365 Business Standard (annual term)",
     "12.50", "11.25", YEAR, MONTH, 1, 300, 10002, (DOMAIN, TENANT_REGION)),
    ("PRD100302", "CFQ7TTC0LCHC:0002:P1Y", "Microsoft", "MICROSOFT_NCE", "Microsoft 365 Business Premium (annual term)",
     "22.00", "19.80", YEAR, MONTH, 1, 300, 10003, (DOMAIN, TENANT_REGION)),
    # The same MPN twice (monthly and annual term): ordering it by MPN alone is ambiguous (400).
    ("PRD100401", "CFQ7TTC0LF8Q:0001", "Microsoft", "MICROSOFT_NCE", "Office 365 E3 (monthly term)",
     "27.60", "24.84", MONTH, MONTH, 1, 10000, 10004, (DOMAIN, TENANT_REGION)),
    ("PRD100402", "CFQ7TTC0LF8Q:0001", "Microsoft", "MICROSOFT_NCE", "Office 365 E3 (annual term)",
     "23.00", "20.70", YEAR, MONTH, 1, 10000, 10004, (DOMAIN, TENANT_REGION)),
    ("PRD100502", "CFQ7TTC0LH16:0001:P1Y", "Microsoft", "MICROSOFT_NCE", "Exchange Online (Plan 1) (annual term)",
     "4.00", "3.60", YEAR, MONTH, 1, 10000, 10005, (DOMAIN,)),
    ("PRD100602", "CFQ7TTC0RM8K:0001:P1Y", "Microsoft", "MICROSOFT_NCE", "Microsoft Teams Essentials (annual term)",
     "4.00", "3.60", YEAR, MONTH, 1, 300, 10006, ()),
    ("PRD200102", "65304522BA01A12", "Adobe", "ADOBE_VIP_MP", "Adobe Acrobat Pro for teams",
     "239.88", "215.89", YEAR, YEAR, 1, 1000, 10007, (ADOBE_COUNTRY,)),
    ("PRD200202", "65305075BA01A12", "Adobe", "ADOBE_VIP_MP", "Adobe Creative Cloud All Apps for teams",
     "1079.88", "971.89", YEAR, YEAR, 1, 1000, 10008, (ADOBE_COUNTRY,)),
    ("PRD300101", "SH3AMCLOS", "Acronis", "ACRONIS_CYBER_CLOUD", "Acronis Cyber Protect Standard - Workstation",
     "6.50", "5.20", MONTH, MONTH, 1, 1000, 10009, ()),
    ("PRD300201", "SH3BMCLOS", "Acronis", "ACRONIS_CYBER_CLOUD", "Acronis Cyber Protect Standard - Server",
     "30.00", "24.00", MONTH, MONTH, 1, 100, 10009, ()),
    ("PRD400101", "DBX-BUS-STD-M", "Dropbox", "DROPBOX_BUSINESS", "Dropbox Business Standard (monthly)",
     "15.00", "12.00", MONTH, MONTH, 3, 300, 10010, ()),
    ("PRD400102", "DBX-BUS-STD-A", "Dropbox", "DROPBOX_BUSINESS", "Dropbox Business Standard (annual)",
     "12.50", "10.00", YEAR, MONTH, 3, 300, 10010, ()),
    ("PRD400202", "DBX-BUS-ADV-A", "Dropbox", "DROPBOX_BUSINESS", "Dropbox Business Advanced (annual)",
     "20.00", "16.00", YEAR, MONTH, 3, 300, 10011, ()),
)

# planId, name, short description, plans it can be upgraded to
_PLANS = (
    (10001, "Microsoft 365 Business Basic", "Web and mobile Office apps, Exchange email, Teams", (10002, 10003)),
    (10002, "Microsoft 365 Business Standard", "Desktop Office apps, Exchange email, Teams", (10003,)),
    (10003, "Microsoft 365 Business Premium", "Business Standard plus advanced security", ()),
    (10004, "Office 365 E3", "Office apps and enterprise services", ()),
    (10005, "Exchange Online (Plan 1)", "50 GB business mailbox", (10001,)),
    (10006, "Microsoft Teams Essentials", "Meetings and chat for small businesses", ()),
    (10007, "Adobe Acrobat Pro for teams", "PDF creation and e-signatures", (10008,)),
    (10008, "Adobe Creative Cloud All Apps for teams", "20+ Creative Cloud desktop and mobile apps", ()),
    (10009, "Acronis Cyber Protect Cloud", "Backup and endpoint protection", ()),
    (10010, "Dropbox Business Standard", "5 TB team storage", (10011,)),
    (10011, "Dropbox Business Advanced", "Unlimited storage and advanced admin", ()),
)


def catalog():
    """The product catalog: Product objects, with the internal `_plan` and `_params` keys."""
    products = []
    for (pid, mpn, vendor, service, name, price, cost, term, billing, low, high, plan, params) in _CATALOG:
        product = {
            "mpn": mpn, "vendor": vendor, "id": pid, "serviceName": service, "name": name,
            "minimumQuantity": str(low), "maximumQuantity": str(high),
            "prices": [{"currency": "USD", "amount": price, "type": "recurring", "model": "FLAT"}],
            "costs": [{"currency": "USD", "amount": cost, "type": "recurring", "model": "FLAT"}],
            "billingPeriod": dict(billing), "subscriptionPeriod": dict(term),
            "billingModel": "chargeBeforeBillingPeriod", "dependsOn": [],
            "_plan": plan, "_params": params,
        }
        if vendor == "Microsoft":
            product["coterming"] = {"required": "ALLOWED", "type": "SUBSCRIPTION"}
        products.append(product)
    return products


def service_plans(products):
    """ServicePlanDetailed objects by id; the list view drops `planSwitches`."""
    plans = {}
    for plan_id, name, description, upgrades in _PLANS:
        members = [product for product in products if product["_plan"] == plan_id]
        terms = []
        for product in members:
            if product["subscriptionPeriod"] not in terms:
                terms.append(product["subscriptionPeriod"])
        switches = [{"planId": target, "subscriptionPeriod": dict(term), "sourceSubscriptionPeriod": dict(term),
                     "billingPolicy": "prorate_keeping_exp_date", "whenEffective": "immediately"}
                    for target in upgrades for term in terms]
        if MONTH in terms and YEAR in terms:
            switches.append({"planId": plan_id, "subscriptionPeriod": dict(YEAR), "sourceSubscriptionPeriod": dict(MONTH),
                             "billingPolicy": "period_change", "whenEffective": "next_subscription_period"})
        plans[str(plan_id)] = {
            "id": str(plan_id), "name": name, "shortDescription": description,
            "longDescription": f"{name}: {description}. Sold through the simulated marketplace.",
            "published": True,
            "subscriptionPeriods": [dict(term, trial=False, active=True) for term in terms],
            "billingPeriod": dict(members[0]["billingPeriod"]),
            "billingModel": members[0]["billingModel"],
            "planSwitches": switches,
        }
    return plans


def fulfillment_parameters(product, parameters):
    """What the vendor hands back after provisioning (Microsoft: the tenant)."""
    domain = next((item["value"] for item in parameters if item["name"] == "domain"), None)
    if product["vendor"] != "Microsoft" or not isinstance(domain, str):
        return []
    tenant = uuid.uuid5(uuid.NAMESPACE_DNS, domain.lower())
    prefix = re.sub(r"[^a-z0-9]", "", domain.lower().split(".")[0])[:27] or "tenant"
    return [{"name": "tenantId", "value": str(tenant)}, {"name": "initialDomain", "value": f"{prefix}.onmicrosoft.com"}]


def _contact(first, last, email, phone, contact_type="admin"):
    return {"type": contact_type, "firstName": first, "lastName": last, "email": email, "phoneNumber": phone}


def _account(name, external_id, street, postal, city, state, country, language, tax, contacts):
    address = {"streetAddress": street, "postalCode": postal, "city": city, "countryCode": country}
    if state:
        address["state"] = state
    account = {"externalId": external_id, "attributes": {}, "status": "active", "name": name, "address": address,
               "contactPersons": contacts, "language": language}
    if tax:
        account["taxRegId"] = tax
    return account


# The first reseller is the API user's own; the second is its sub-reseller.
_RESELLER_FIELDS = {"currency": "USD", "taxationProviderName": "Vertex", "customerClass": "Default"}
_RESELLERS = (
    _account("Simulated Cloud Reseller Inc.", "SIM-RESELLER", "100 Market Street", "94105", "San Francisco", "CA", "US", "en",
             "94-1111111", [_contact("Robin", "Reseller", "robin@sim-reseller.example", "+14155550100")]),
    _account("Northwind IT Partners B.V.", "NORTHWIND-RES", "Keizersgracht 10", "1015 CN", "Amsterdam", None, "NL", "nl",
             "NL123456789B01", [_contact("Noor", "Visser", "noor@northwind-it.example", "+31205550100")]),
)

# Customers, oldest first: (reseller index, account, subscriptions as (product id, quantity, parameters, age in days)).
_CUSTOMERS = (
    (0, _account("Acme Manufacturing Inc.", "ACME-001", "555 Main Street", "92612", "Irvine", "CA", "US", "en", "95-1234567",
                 [_contact("Jane", "Doe", "jane.doe@acme-mfg.example", "+19495550101"),
                  _contact("Bill", "Payne", "billing@acme-mfg.example", "+19495550102", "billing")]),
     (("PRD100202", 25, {"domain": "acme-mfg.com"}, 700), ("PRD100502", 10, {"domain": "acme-mfg.com"}, 690),
      ("PRD200102", 5, {"country": "US"}, 520), ("PRD400101", 3, {}, 400))),
    (0, _account("Globex Corporation", "GLOBEX-002", "Friedrichstrasse 68", "10117", "Berlin", None, "DE", "de", "DE811234567",
                 [_contact("Hank", "Scorpio", "hank@globex.example", "+49305550100")]),
     (("PRD100302", 40, {"domain": "globex-corp.de", "tenant_region": "EU"}, 380), ("PRD300101", 40, {}, 360),
      ("PRD300201", 4, {}, 350))),
    (0, _account("Initech LLC", "INITECH-003", "4120 Freidrich Lane", "78744", "Austin", "TX", "US", "en", "74-7654321",
                 [_contact("Peter", "Gibbons", "peter@initech.example", "+15125550100")]),
     (("PRD100101", 12, {"domain": "initech.io"}, 200), ("PRD100402", 8, {"domain": "initech.io"}, 150),
      ("PRD400102", 5, {}, 120))),
    (1, _account("Umbrella Health GmbH", "UMBRELLA-004", "Mariahilfer Strasse 1", "1060", "Vienna", None, "AT", "de", "ATU12345678",
                 [_contact("Alice", "Abernathy", "alice@umbrella-health.example", "+4315550100")]),
     (("PRD200202", 3, {"country": "DE"}, 90), ("PRD100102", 20, {"domain": "umbrella-health.at"}, 60))),
)
TERMINATED = ("ACME-001", "PRD400101", 30)  # cancelled 30 days ago
_REPORTS = (("Provisioned Orders", "monthly", "csv", 35), ("Payments", "on_invoice", "json", 5), ("Marketplace API", "daily", "xml", 1))


def populate(state):
    """Load the seed into an empty state through its own record-building helpers."""
    today = datetime.date.today()
    resellers = [state.add_reseller({**account, **_RESELLER_FIELDS}) for account in _RESELLERS]
    events = []
    for reseller_index, account, subscriptions in _CUSTOMERS:
        customer = state.add_customer(account, resellers[reseller_index]["id"])
        for product_id, quantity, params, age in subscriptions:
            events.append((age, customer, product_id, quantity, params))
    # Subscriptions and their sales orders are created oldest first so that lists come out newest first.
    for age, customer, product_id, quantity, params in sorted(events, key=lambda event: -event[0]):
        parameters = [{"name": name, "value": value} for name, value in params.items()]
        state.add_historic_order(customer["id"], state.product_by_id(product_id), quantity, parameters,
                                 today - datetime.timedelta(days=age))
    external_id, product_id, age = TERMINATED
    subscription = next(sub for sub in state.subscriptions.values()
                        if state.customers[sub["customerId"]]["externalId"] == external_id and sub["_lines"][0]["product"]["id"] == product_id)
    state.add_historic_cancellation(subscription, today - datetime.timedelta(days=age))
    for index, (name, report_type, report_format, age) in enumerate(_REPORTS):
        state.add_completed_report(str(uuid.uuid5(uuid.NAMESPACE_URL, f"sim-report-{index + 1}")), name, report_type, report_format,
                                   today - datetime.timedelta(days=age))


def _positive_int(value, name, maximum):
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= maximum:
        raise bad_request(f"generate.{name} must be an integer from 0 to {maximum}")
    return value


def generate(state, body):
    """POST /_sim/seed {"generate": {...}}: add customers holding active subscriptions, deterministically."""
    if not isinstance(body, dict) or set(body) != {"generate"} or not isinstance(body["generate"], dict):
        raise bad_request('body must be {"generate": {"customers": N, "subscriptions_per_customer": M, "external_id_prefix": "...", '
                          '"name_prefix": "...", "age_days": D}}')
    spec = body["generate"]
    unknown = set(spec) - {"customers", "subscriptions_per_customer", "external_id_prefix", "name_prefix", "age_days"}
    if unknown:
        raise bad_request(f"unknown generate field(s): {', '.join(sorted(unknown))}")
    # One product per MPN, so that (customer, mpn) always names a single subscription.
    pool = [product for product in state.products if product is state.product_by_mpn(product["mpn"])]
    count = _positive_int(spec.get("customers", 10), "customers", 10000)
    per_customer = _positive_int(spec.get("subscriptions_per_customer", 2), "subscriptions_per_customer", len(pool))
    prefix = spec.get("external_id_prefix", "GEN-")
    if not isinstance(prefix, str) or not prefix:
        raise bad_request("generate.external_id_prefix must be a non-empty string")
    name_prefix = spec.get("name_prefix", "Generated Customer ")
    if not isinstance(name_prefix, str):
        raise bad_request("generate.name_prefix must be a string")
    start = 1 + sum(1 for customer in state.customers.values() if (customer.get("externalId") or "").startswith(prefix))
    # Subscriptions created age_days ago (renewed up to a future date): 0 starts their term today.
    age = spec.get("age_days", 0)
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 3650:
        raise bad_request("generate.age_days must be a whole number from 0 to 3650")
    created_on = datetime.date.today() - datetime.timedelta(days=age)
    created = []
    for number in range(start, start + count):
        external_id = f"{prefix}{number:04d}"
        slug = re.sub(r"[^a-z0-9]+", "-", external_id.lower()).strip("-")
        account = _account(f"{name_prefix}{external_id}", external_id, f"{number} Generated Road", "10001", "New York", "NY", "US",
                           "en", None, [_contact("Gen", f"Admin{number}", f"admin@{slug}.example", "+12125550100")])
        customer = state.add_customer(account, OWN_RESELLER_ID)
        subscriptions = []
        for offset in range(per_customer):
            # Consecutive products of the pool: distinct per customer; the start rotates so customers differ.
            product = pool[(number * 3 + offset) % len(pool)]
            low, high = int(product["minimumQuantity"]), int(product["maximumQuantity"])
            quantity = min(high, max(low, 5 + (number * 7 + offset * 3) % 20))
            parameters = [{"name": "domain", "value": f"{slug}.example.net"}] if any(p["name"] == "domain" for p in product["_params"]) else []
            subscription = state.add_subscription(customer["id"], product, quantity, parameters, created_on)
            subscriptions.append({"id": subscription["id"], "mpn": product["mpn"], "productId": product["id"], "quantity": quantity})
        created.append({"id": customer["id"], "externalId": external_id, "name": customer["name"], "subscriptions": subscriptions})
    return {"customers": created}
