"""Bad input, table-driven: every case fails before any write, with a message naming the field or setting (and,
where there is one, the fix). The module cases run as one playbook against the simulator; the role cases as their
playbooks. Connection cases include a wrong api_url, wrong credentials, an unreachable host and a TLS failure.
"""

import datetime
import fcntl
import json
import re
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml

from tests.integration.conftest import REPO

NOT_A_URL = "api.cloud.im/marketplace/eu"
ACME_STANDARD = {"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y"}
NEW_CUSTOMER = {"external_id": "BAD-1", "name": "Bad Input Ltd", "language": "en",
                "address": {"street_address": "1 Road", "postal_code": "1", "city": "Town", "country_code": "US"},
                "contact_persons": [{"first_name": "Ann", "last_name": "Admin", "email": "ann@bad.example", "phone_number": "+1"}]}

# (case id, module, options, expected fragments of the failure message)
MODULE_CASES = [
    ("customer country code", "im_customer", dict(NEW_CUSTOMER, address=dict(NEW_CUSTOMER["address"], country_code="usa")),
     ["address.country_code must be an ISO 3166-1 alpha-2 code", 'got "usa"']),
    ("customer e-mail", "im_customer", dict(NEW_CUSTOMER, contact_persons=[dict(NEW_CUSTOMER["contact_persons"][0], email="ann")]),
     ["contact_persons line 1: email must be an e-mail address"]),
    ("customer missing creation fields", "im_customer", {"external_id": "BAD-2", "name": "Half"},
     ["creating it needs language, address, contact_persons"]),
    ("customer status not settable", "im_customer", {"external_id": "ACME-001", "status": "cancelled"},
     ["status", "active, creditHold"]),
    ("customer contact without last name", "im_customer",
     {"external_id": "BAD-3", "contact_persons": [{"first_name": "A", "email": "a@b.example", "phone_number": "+1"}]},
     ["last_name", "contact_persons"]),
    ("customer login on billing contact", "im_customer",
     {"external_id": "BAD-4", "contact_persons": [dict(NEW_CUSTOMER["contact_persons"][0], type="billing", login="ann.admin")]},
     ["login and password can only be given for the admin contact"]),
    ("customer login too short", "im_customer",
     {"external_id": "BAD-5", "contact_persons": [dict(NEW_CUSTOMER["contact_persons"][0], login="ab")]},
     ["contact_persons line 1: login must be at least 5 characters"]),
    ("customer without key", "im_customer", {"name": "Nobody"}, ["one of the following is required: id, external_id"]),
    ("customer unknown id", "im_customer", {"id": "999999", "name": "x"}, ["customer id 999999 not found", "external_id"]),
    ("customer attributes not a dict", "im_customer", {"external_id": "BAD-6", "attributes": ["cost"]}, ["attributes", "dict"]),
    ("reseller currency", "im_reseller", {"external_id": "RES-BAD", "currency": "dollars"}, ["currency must be an ISO 4217 code"]),
    ("subscription zero seats", "im_subscription", dict(ACME_STANDARD, quantity=0), ["quantity must be 1 or more", "state: absent"]),
    ("subscription negative seats", "im_subscription", dict(ACME_STANDARD, quantity=-5), ["quantity must be 1 or more"]),
    ("subscription fractional seats", "im_subscription", dict(ACME_STANDARD, quantity=2.5), ["quantity", "int"]),
    ("subscription above maximum", "im_subscription", dict(ACME_STANDARD, quantity=301), ["above the maximum of 300"]),
    ("subscription below minimum", "im_subscription",
     {"customer": "INITECH-003", "mpn": "DBX-BUS-STD-A", "quantity": 2, "allow_decrease": True}, ["below the minimum of 3"]),
    ("subscription unknown customer", "im_subscription", {"customer": "NO-SUCH", "mpn": "SH3AMCLOS", "quantity": 3},
     ["customer NO-SUCH not found"]),
    ("subscription product not held", "im_subscription", {"customer": "ACME-001", "mpn": "SH3AMCLOS", "quantity": 3},
     ["holds no active subscription of SH3AMCLOS", "im_order"]),
    ("subscription customer without mpn", "im_subscription", {"customer": "ACME-001", "quantity": 3}, ["mpn is required with customer"]),
    ("subscription absent with seats", "im_subscription", dict(ACME_STANDARD, state="absent", quantity=3),
     ["state: absent cancels the subscription; quantity cannot be set with it"]),
    ("subscription price", "im_subscription", dict(ACME_STANDARD, prices={"unit_price": "cheap"}),
     ["prices.unit_price must be a decimal amount"]),
    ("subscription negative guardrail", "im_subscription", dict(ACME_STANDARD, quantity=26, max_increase=-1),
     ["max_increase must be 0 or more"]),
    ("subscription decrease not allowed", "im_subscription", dict(ACME_STANDARD, quantity=20), ["needs allow_decrease: true"]),
    ("order unknown mpn", "im_order", {"customer": "ACME-001", "products": [{"mpn": "NOPE", "quantity": 1}]},
     ["products line 1: no product NOPE in the catalog"]),
    ("order zero seats", "im_order", {"customer": "ACME-001", "products": [{"mpn": "SH3AMCLOS", "quantity": 0}]},
     ["products line 1 (SH3AMCLOS): quantity must be 1 or more"]),
    ("order ambiguous mpn", "im_order", {"customer": "GLOBEX-002", "products": [{"mpn": "CFQ7TTC0LF8Q:0001", "quantity": 3}]},
     ["exists 2 times in the catalog", "subscription_period"]),
    ("order without guard", "im_order", {"customer": "ACME-001", "unique_products": False, "products": [{"mpn": "SH3AMCLOS", "quantity": 1}]},
     ["unique_products: false needs a po_number"]),
    ("order unknown customer", "im_order", {"customer": "NO-SUCH", "products": [{"mpn": "SH3AMCLOS", "quantity": 1}]},
     ["customer NO-SUCH not found"]),
    ("order id with products", "im_order", {"id": "4000001", "customer": "ACME-001", "products": [{"mpn": "SH3AMCLOS", "quantity": 1}]},
     ["id updates an existing order"]),
    ("order taken domain", "im_order", {"customer": "GLOBEX-002", "products": [
        {"mpn": "CFQ7TTC0LH18:0001:P1M", "quantity": 2, "parameters": [{"name": "domain", "value": "acme-mfg.com"}]}]},
     ["activation parameters rejected by the API, nothing was ordered", "domain"]),
    ("order mpn twice", "im_order", {"customer": "ACME-001", "products": [{"mpn": "SH3AMCLOS", "quantity": 1}, {"mpn": "SH3AMCLOS", "quantity": 2}]},
     ["products line 2 (SH3AMCLOS): mpn SH3AMCLOS appears more than once; add the quantities up"]),
    ("order bad period", "im_order", {"customer": "ACME-001", "products": [
        {"mpn": "SH3AMCLOS", "quantity": 1, "subscription_period": {"type": "fortnight", "duration": 1}}]}, ["fortnight"]),
    ("licenses line without customer", "im_licenses", {"licenses": [{"mpn": "SH3AMCLOS", "quantity": 3}]},
     ["licenses line 1: needs customer as well as mpn, or subscription_id"]),
    ("licenses cost limit", "im_licenses", {"licenses": [dict(ACME_STANDARD, quantity=30)], "max_cost_delta": "lots"},
     ["max_cost_delta must be an amount"]),
    ("licenses concurrency", "im_licenses", {"licenses": [dict(ACME_STANDARD, quantity=30)], "concurrency": 0},
     ["concurrency must be 1 or more"]),
    ("licenses unsaved plan", "im_licenses", {"licenses": [dict(ACME_STANDARD, quantity=30)], "plan_file": "/tmp/no-such-plan.json"},
     ["run the task in check mode first"]),
    ("licenses above maximum", "im_licenses", {"licenses": [dict(ACME_STANDARD, quantity=500)]},
     ["line 1 (ACME-001 CFQ7TTC0LDPB:0001:P1Y 25 -> 500)", "above the maximum of 300"]),
    ("report start date", "im_report", {"name": "Payments", "start_date": "31/01/2024"}, ["start_date must be an ISO 8601 date-time"]),
    ("report format", "im_report", {"name": "Payments", "start_date": "2024-01-01", "format": "pdf"}, ["format", "csv, json, xml"]),
    ("report info id", "im_report_info", {"id": "42"}, ["id must be a report id, a UUID"]),
    ("api absolute url", "im_api", {"path": "https://evil.example/steal"}, ["path must be relative to api_url"]),
    ("api paginate write", "im_api", {"method": "POST", "path": "/customers", "paginate": True}, ["paginate can only be used with method GET"]),
    ("api query in path", "im_api", {"path": "/customers?limit=1"}, ["must not contain a query string"]),
    ("customer info conflicting filters", "im_customer_info", {"id": "1000001", "name": "acme"}, ["mutually exclusive", "id", "name"]),
    ("subscription info date", "im_subscription_info", {"creation_date_from": "yesterday"}, ["creation_date_from must be a date in the form YYYY-MM-DD"]),
    ("order info date-time", "im_order_info", {"creation_time_from": "2024-13-01T00:00:00Z"}, ["creation_time_from must be an ISO 8601 date-time"]),
    ("connection api_url without scheme", "im_customer_info", {"external_id": "ACME-001", "api_url": NOT_A_URL}, ["api_url must be an http(s) URL"]),
    ("connection api_url not the API", "im_customer_info", {"external_id": "ACME-001", "api_url": "{{ sim_root_url }}/wrong", "token_cache": False},
     ["check api_url"]),
    ("connection wrong password", "im_customer_info", {"external_id": "ACME-001", "password": "not-the-password", "token_cache": False},
     ["HTTP 401", "username, password or subscription key"]),
    ("connection wrong subscription key", "im_customer_info", {"external_id": "ACME-001", "subscription_key": "not-the-key", "token_cache": False},
     ["HTTP 401", "subscription key"]),
    ("connection wrong marketplace", "im_customer_info", {"external_id": "ACME-001", "marketplace": "zz", "token_cache": False},
     ["POST /token", "zz"]),
    ("connection unreachable host", "im_customer_info", {"external_id": "ACME-001", "api_url": "http://127.0.0.1:9/marketplace/eu", "max_retries": 1},
     ["cannot reach the Marketplace API: no answer from 127.0.0.1:9 (connection refused), tried 2 times in",
      "Check api_url (http://127.0.0.1:9/marketplace/eu)", "the credentials were not checked"]),
    ("connection TLS failure", "im_customer_info", {"external_id": "ACME-001", "api_url": "{{ tls_url }}", "token_cache": False},
     ["cannot reach the Marketplace API: TLS with 127.0.0.1:", "its certificate is not trusted", "validate_certs"]),
    ("connection timeout", "im_customer_info", {"external_id": "ACME-001", "timeout": 0}, ["timeout must be a positive number"]),
    ("connection retries", "im_customer_info", {"external_id": "ACME-001", "max_retries": -1}, ["max_retries must be 0 or more"]),
    ("connection change_quantity", "im_customer_info", {"external_id": "ACME-001", "change_quantity": "both"}, ["change_quantity", "total, delta"]),
]
MISSING_PASSWORD = ("connection missing password", "im_customer_info", {"external_id": "ACME-001", "token_cache": False},
                    ["password (option password or environment variable INGRAM_PASSWORD or INGRAM_PASSWORD_FILE)"])

# The kind of failure (the result's ``failure``) of some cases, one per kind: what a playbook tests instead of the text.
FAILURE_KINDS = {
    "customer country code": "invalid_input",
    "connection missing password": "invalid_input",
    "licenses above maximum": "blocked",
    "connection wrong password": "not_authorised",
    "connection unreachable host": "api_unreachable",
}

ROLE_CASES = [
    ("onboarding customer without external_id", "ingrammicro.marketplace.onboard_customers",
     {"onboarding_customers": [{"name": "No Id"}]}, ["onboarding_customers line 1: external_id is missing"]),
    ("onboarding zero seats", "ingrammicro.marketplace.onboard_customers",
     {"onboarding_customers": [dict(NEW_CUSTOMER, subscriptions=[{"mpn": "SH3AMCLOS", "quantity": 0}])]},
     ["subscriptions line 1 (SH3AMCLOS): quantity must be 1 or more, got 0"]),
    ("adjustment line without quantity", "ingrammicro.marketplace.adjust_licenses",
     {"license_adjustment_licenses": [ACME_STANDARD]}, ["license_adjustment_licenses line 1: quantity is missing"]),
    ("adjustment guardrail type", "ingrammicro.marketplace.adjust_licenses",
     {"license_adjustment_licenses": [dict(ACME_STANDARD, quantity=30)], "license_adjustment_max_increase": "many"},
     ["license_adjustment_max_increase must be a whole number, 0 or more"]),
    ("report without directory", "ingrammicro.marketplace.license_report", {}, ["license_report_dir is not set"]),
]


def test_the_table_is_large_enough():
    assert len(MODULE_CASES) + 1 + len(ROLE_CASES) >= 40


@pytest.fixture(scope="module")
def tls_url(tmp_path_factory):
    """An HTTPS endpoint with a self-signed certificate, which validate_certs must refuse."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    directory = tmp_path_factory.mktemp("tls")
    (directory / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # pylint: disable=invalid-name
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):  # pylint: disable=arguments-differ
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(directory / "cert.pem"), str(directory / "key.pem"))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "https://127.0.0.1:%d/marketplace/eu" % server.server_address[1]
    server.shutdown()


def play_for(cases, results_path, environment=None):
    tasks = []
    for number, (name, module, options, _expected) in enumerate(cases):
        task = {"name": name, "ingrammicro.marketplace." + module: options, "ignore_errors": True, "register": "case_%d" % number}
        if environment:
            task["environment"] = environment
        tasks.append(task)
    tasks.append({"name": "Keep the results", "check_mode": False, "ansible.builtin.copy": {
        "dest": str(results_path), "mode": "0600",
        "content": "{{ {%s} | to_json }}" % ", ".join("'%d': case_%d" % (number, number) for number in range(len(cases)))}})
    return [{"name": "Bad input", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


@pytest.fixture(scope="module")
def module_results(simulator, tls_url, tmp_path_factory, worker_id):
    """Run every module case (and, with an empty INGRAM_PASSWORD, the missing-password case) in one playbook, once per
    test session: under pytest-xdist the first worker to get here runs it and the others read its results."""
    if worker_id == "master":
        return run_module_cases(simulator, tls_url, tmp_path_factory)
    shared = tmp_path_factory.getbasetemp().parent / "bad-input-module-results.json"
    with open(shared.with_suffix(".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shared.exists():
            shared.write_text(json.dumps(run_module_cases(simulator, tls_url, tmp_path_factory)))
        return tuple(json.loads(shared.read_text()))


def run_module_cases(simulator, tls_url, tmp_path_factory):
    from tests.integration.conftest import playbook_command, playbook_environment, known_secrets

    directory = tmp_path_factory.mktemp("bad-input")
    simulator.reset()
    outputs = {}
    for label, cases, environment in (("main", MODULE_CASES, None), ("no-password", [MISSING_PASSWORD], {"INGRAM_PASSWORD": ""})):
        playbook = directory / ("%s.yml" % label)
        playbook.write_text(yaml.safe_dump(play_for(cases, directory / ("%s.json" % label), environment), sort_keys=False))
        command = playbook_command(simulator, str(playbook), {"tls_url": tls_url}, verbosity=2)
        completed = subprocess.run(command, cwd=REPO, env=playbook_environment(simulator, directory / "cache"), text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False, timeout=600)
        assert completed.returncode == 0, completed.stdout[-4000:]
        leaked = [secret for secret in known_secrets(simulator) if secret and secret in completed.stdout]
        assert not leaked
        outputs.update(zip([case[0] for case in cases], json.loads((directory / ("%s.json" % label)).read_text()).values()))
    writes = [entry for entry in simulator.requests() if entry["method"] != "GET"
              and not entry["path"].endswith(("/token", "/orders/estimate", "/validation/parameters"))]
    return outputs, writes


@pytest.mark.parametrize("case", MODULE_CASES + [MISSING_PASSWORD], ids=[case[0] for case in MODULE_CASES + [MISSING_PASSWORD]])
def test_module_bad_input_fails_before_any_write(case, module_results):
    name, _module, _options, expected = case
    results, writes = module_results
    assert writes == [], "a bad-input case wrote: %s" % writes
    result = results[name]
    assert result.get("failed") is True, result
    for fragment in expected:
        assert fragment in result["msg"], (fragment, result["msg"])
    if name in FAILURE_KINDS:
        assert result["failure"] == FAILURE_KINDS[name], result


ROLE_OF = {"ingrammicro.marketplace.onboard_customers": "onboarding", "ingrammicro.marketplace.adjust_licenses": "license_adjustment",
           "ingrammicro.marketplace.license_report": "license_report"}


def failure_message(output):
    """The ``msg`` of the task that failed, as the run printed it."""
    found = re.search(r"^fatal: \[[^]]+\]: FAILED! => (\{.*\})$", output, re.M)
    assert found, output[-3000:]
    return json.loads(found.group(1))["msg"]


@pytest.mark.parametrize("case", ROLE_CASES, ids=[case[0] for case in ROLE_CASES])
def test_role_bad_input_fails_before_any_request_with_the_same_message_from_a_playbook_and_a_plain_roles_entry(
        case, simulator, run_playbook, tmp_path):
    """The collection's playbook, and a play of the user's that names the role in a plain ``roles:`` entry (Ansible then
    checks the role's argument spec too): the same message, from the role's own check, before any request."""
    _name, playbook, variables, expected = case
    plain = tmp_path / "plain_roles.yml"
    plain.write_text(yaml.safe_dump([{"name": "A play of the user's", "hosts": "localhost", "gather_facts": False,
                                      "roles": [{"role": "ingrammicro.marketplace." + ROLE_OF[playbook]}]}]))
    messages = []
    for path in (playbook, str(plain)):
        simulator.reset()
        run = run_playbook(path, variables, verbosity=0, env={"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"})
        assert run.rc != 0
        for fragment in expected:
            assert fragment in run.output, (path, fragment, run.output[-3000:])
        assert "argument_spec_data" not in run.output and "Validation of arguments failed" not in run.output, run.output[-3000:]
        assert simulator.requests() == []
        messages.append(failure_message(run.output))
    assert messages[0] == messages[1]
