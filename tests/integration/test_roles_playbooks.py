"""The roles (onboarding, license_adjustment, license_report) and their playbooks, run like a user runs them.

Each test resets the simulator, runs ``ansible-playbook ingrammicro.marketplace.<playbook>`` from the repository
root with the example variables (connection settings only from the INGRAM_* environment; every run at -vvvv and
scanned for secrets by the ``run_playbook`` fixture), and checks the recap, the simulator's request log ("no write"
in check mode and on reruns), the simulator's state, the printed summaries and tables, and the audit/report files.
"""

import csv
import glob
import json
import os
import re
import stat

import pytest
import yaml

from tests.integration.conftest import ADMIN_PASSWORDS, REPO, SECRET_SCAN, wait_for
from tests.simulator.harness import ApiClient

READ_ONLY_POSTS = ("/token", "/orders/estimate", "/validation/parameters")
# Table lines must not be folded by the YAML result format, so that the output can be searched line by line.
JSON_RESULTS = {"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"}
FAST_ORDERS = {"order_processing_seconds": 0.3}

ONBOARD = "ingrammicro.marketplace.onboard_customers"
ADJUST = "ingrammicro.marketplace.adjust_licenses"
REPORT = "ingrammicro.marketplace.license_report"
ONBOARD_VARS = ("-e", "@examples/onboard_customers_vars.yml")
ADJUST_VARS = ("-e", "@examples/adjust_licenses_vars.yml")
DECREASE_VARS = ("-e", "@examples/adjust_licenses_decrease_vars.yml")
REPORT_VARS = ("-e", "@examples/license_report_vars.yml")


def load_example(name):
    with open(os.path.join(REPO, "examples", name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# ---------------------------------------------------------------------------------------------------- helpers


def says(output, message):
    return message.search(output) if isinstance(message, re.Pattern) else message in output


class Api(ApiClient):
    """The simulator's state, with the lookups these tests need."""

    def customer(self, external_id):
        rows = self.rows("/customers", externalId=external_id)
        return rows[0] if rows else None

    def subscriptions(self, customer_id=None, statuses=("active", "hold", "pending")):
        """Full records of the subscriptions (of one customer) in these statuses."""
        query = {"customerId": customer_id} if customer_id else {}
        rows = [row for status in statuses for row in self.rows("/subscriptions", status=status, **query)]
        return [self.get("/subscriptions/%s" % row["id"]) for row in rows]

    def seats(self, customer_external_id, mpn):
        customer = self.customer(customer_external_id)
        found = [subscription for subscription in self.subscriptions(customer["id"])
                 if subscription["products"][0]["mpn"] == mpn]
        assert len(found) == 1, "%s holds %d subscriptions of %s" % (customer_external_id, len(found), mpn)
        return found[0]["products"][0]["quantity"]


def recap(output):
    match = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output)
    assert match, "no play recap in the output:\n" + output[-3000:]
    ok, changed, _unreachable, failed = (int(value) for value in match.groups())
    return {"ok": ok, "changed": changed, "failed": failed}


def writes(log):
    return [entry for entry in log if entry["method"] != "GET" and not entry["path"].endswith(READ_ONLY_POSTS)]


def facts(output, name):
    """The value of the fact ``name`` as the last set_fact that set it printed it (the run needs -v or more)."""
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r'"ansible_facts": ', output):
        value = decoder.raw_decode(output, match.end())[0]
        if name in value:
            found.append(value[name])
    assert found, "no fact %s in the output" % name
    return found[-1]


def debug_messages(output, task):
    """The ``msg`` of every debug result printed under the task called ``task`` (JSON result format)."""
    messages = []
    decoder = json.JSONDecoder()
    for match in re.finditer(r"TASK \[[^\]]*%s\]" % re.escape(task), output):
        start = output.index("ok: [localhost] => {", match.end()) + len("ok: [localhost] => ")
        messages.append(decoder.raw_decode(output, start)[0]["msg"])
    assert messages, "task %r printed nothing:\n%s" % (task, output[-3000:])
    return messages


def run_logged(simulator, run_playbook, *args, **kwargs):
    """Run a playbook; return the run, its recap and the requests it sent."""
    before = len(simulator.requests())
    env = dict(JSON_RESULTS, **kwargs.pop("env", {}))
    run = run_playbook(*args, env=env, **kwargs)
    return run, simulator.requests()[before:]


def only_file(directory, pattern):
    found = glob.glob(os.path.join(str(directory), pattern))
    assert len(found) == 1, "expected one %s in %s, found %s" % (pattern, directory, found)
    return found[0]


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_private(path):
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, "%s is not mode 0600" % path


@pytest.fixture
def sim(simulator):
    simulator.reset()
    simulator.set_faults(**FAST_ORDERS)
    return simulator


def onboard(sim, run_playbook, *args):
    run, log = run_logged(sim, run_playbook, ONBOARD, args=ONBOARD_VARS + args)
    assert run.rc == 0, run.output[-6000:]
    return run, log


# ---------------------------------------------------------------------------------------------------- onboarding

def test_onboarding_check_mode_says_what_it_would_create_and_buy(sim, run_playbook):
    run, log = run_logged(sim, run_playbook, ONBOARD, args=ONBOARD_VARS + ("--check",), verbosity=1)  # -v prints the facts
    assert run.rc == 0, run.output[-6000:]
    assert writes(log) == [], "check mode wrote: %s" % writes(log)
    assert recap(run.output)["failed"] == 0
    lines = debug_messages(run.output, "Show the summary, one line per customer")[0]
    hooli, piedpiper, total = lines
    assert hooli.startswith("HOOLI-005 Hooli XYZ Inc. (would be created)")
    assert ("would buy 10 x Microsoft 365 Business Basic (monthly term) [CFQ7TTC0LH18:0001:P1M], "
            "10 x Microsoft Teams Essentials (annual term) [CFQ7TTC0RM8K:0001:P1Y]; ") in hooli
    # The API cannot price an order before its customer exists: the catalog prices it (10 x 7.20 + 10 x 4.00).
    assert "112.00 USD per month at catalog prices" in hooli
    # The API validates activation parameters only for an existing customer: the plan says which lines wait for that.
    assert "NOT VALIDATED YET: CFQ7TTC0LH18:0001:P1M, CFQ7TTC0RM8K:0001:P1Y" in hooli
    assert piedpiper.startswith("PIEDPIPER-006 Pied Piper GmbH (would be created); would buy 5 x Dropbox Business Standard")
    assert "114.50 USD per month at catalog prices" in piedpiper  # 5 x 12.50 + 8 x 6.50
    assert total == ("Total 2 customer(s), 2 would be created; 4 product(s) would be ordered for 226.50 USD per month, 0 skipped, "
                     "4 not validated yet (check mode: nothing was created or ordered)")
    summary = facts(run.output, "onboarding_summary")
    assert [row["not_validated"] for row in summary] == [["CFQ7TTC0LH18:0001:P1M", "CFQ7TTC0RM8K:0001:P1Y"], ["DBX-BUS-STD-A", "SH3AMCLOS"]]
    api = Api(sim)
    assert api.customer("HOOLI-005") is None and api.customer("PIEDPIPER-006") is None


def test_onboarding_creates_orders_once_and_reruns_unchanged(sim, run_playbook):
    run, log = onboard(sim, run_playbook)
    assert recap(run.output)["changed"] >= 2
    placed = [entry for entry in log if entry["method"] == "POST" and entry["path"].endswith("/orders")]
    created = [entry for entry in log if entry["method"] == "POST" and entry["path"].endswith("/customers")]
    assert len(placed) == 2 and len(created) == 2
    api = Api(sim)
    example = {customer["external_id"]: customer for customer in load_example("onboard_customers_vars.yml")["onboarding_customers"]}
    lines = debug_messages(run.output, "Show the summary, one line per customer")[0]
    for line, (external_id, wanted) in zip(lines, example.items()):
        customer = api.customer(external_id)
        assert customer is not None and customer["name"] == wanted["name"]
        held = {subscription["products"][0]["mpn"]: subscription["products"][0]["quantity"]
                for subscription in api.subscriptions(customer["id"])}
        assert held == {item["mpn"]: item["quantity"] for item in wanted["subscriptions"]}
        orders = api.rows("/orders", customerId=customer["id"])
        assert len(orders) == 1 and orders[0]["status"] == "completed"
        assert line.startswith("%s %s (created, id %s); bought " % (external_id, wanted["name"], customer["id"]))
        assert line.endswith("order %s completed" % orders[0]["orderNumber"])
        assert "estimated " in line
    assert api.get("/orders/%s" % api.rows("/orders", customerId=api.customer("HOOLI-005")["id"])[0]["id"])["poNumber"] == "PSA-TICKET-1001"

    # Rerun, and check mode after the fact: nothing to do, nothing written.
    for args in ((), ("--check",)):
        again, log = run_logged(sim, run_playbook, ONBOARD, args=ONBOARD_VARS + args)
        assert again.rc == 0, again.output[-6000:]
        assert recap(again.output)["changed"] == 0
        assert writes(log) == []
        hooli, piedpiper, total = debug_messages(again.output, "Show the summary, one line per customer")[0]
        assert "(exists, unchanged, id " in hooli and "already ordered with po_number PSA-TICKET-1001" in hooli
        assert "nothing to order; skipped DBX-BUS-STD-A (held as subscription " in piedpiper
        assert total.startswith("Total 2 customer(s), 0 ")


def test_onboarding_existing_customer_orders_only_what_it_lacks(sim, run_playbook):
    customers = [{"external_id": "ACME-001", "subscriptions": [
        {"mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 5},                 # held: skipped
        {"mpn": "SH3AMCLOS", "quantity": 4},                             # new: 4 x 6.50
    ]}]
    check, log = run_logged(sim, run_playbook, ONBOARD, {"onboarding_customers": customers}, args=("--check",))
    assert check.rc == 0, check.output[-6000:]
    assert writes(log) == []
    line = debug_messages(check.output, "Show the summary, one line per customer")[0][0]
    assert line.startswith("ACME-001 Acme Manufacturing Inc. (exists, unchanged, id 1000001); would buy 4 x Acronis Cyber "
                           "Protect Standard - Workstation [SH3AMCLOS]")
    assert "skipped CFQ7TTC0LDPB:0001:P1Y (held as subscription 3000001)" in line
    assert "estimated 26.00 USD per month" in line  # priced by the API's estimate, the customer exists
    assert "NOT VALIDATED" not in line

    run, log = run_logged(sim, run_playbook, ONBOARD, {"onboarding_customers": customers})
    assert run.rc == 0, run.output[-6000:]
    assert len([entry for entry in log if entry["path"].endswith("/orders") and entry["method"] == "POST"]) == 1
    assert Api(sim).seats("ACME-001", "SH3AMCLOS") == 4


# Every rule is checked in tests/unit/plugins/module_utils/test_role_rules.py; these runs prove that the role stops with
# the rule's message at the default verbosity before any request.
@pytest.mark.parametrize("customers, message", [
    ([{"external_id": "X-1", "subscriptions": [{"mpn": "SH3AMCLOS", "quantity": 0}]}],
     "onboarding_customers line 1 (X-1): subscriptions line 1 (SH3AMCLOS): quantity must be 1 or more, got 0"),
    ([{"external_id": "X-1", "contact_persons": [{"first_name": "A", "last_name": "B", "email": "a@b.example", "phone_number": "+1",
                                                  "login": "admin1", "password": "Adm1n-Secret!42", "type": "owner"}]}],
     'onboarding_customers line 1 (X-1): contact_persons line 1: type must be admin, billing or technical, got \\"owner\\"'),
])
def test_onboarding_refuses_bad_input_before_any_request(sim, run_playbook, customers, message):
    run = run_playbook(ONBOARD, {"onboarding_customers": customers}, env=JSON_RESULTS, verbosity=0)
    assert run.rc != 0
    assert says(run.output, message), run.output[-3000:]
    assert sim.requests() == []
    # One short message, not Ansible's dump of the argument specification.
    assert "argument_spec_data" not in run.output and len(run.output) < 2500, run.output


def test_onboarding_refuses_an_incomplete_new_customer_before_any_write(sim, run_playbook):
    customers = [{"external_id": "ACME-001", "subscriptions": [{"mpn": "SH3AMCLOS", "quantity": 4}]},
                 {"external_id": "NEW-007", "name": "New Co", "address": {"city": "Berlin"}}]
    run, log = run_logged(sim, run_playbook, ONBOARD, {"onboarding_customers": customers})
    assert run.rc != 0
    assert ("onboarding_customers line 2 (NEW-007): customer NEW-007 does not exist yet; to create it give language, contact_persons, "
            "address.street_address, address.postal_code, address.country_code") in run.output
    assert writes(log) == []


def test_onboarding_orders_a_product_added_later_under_the_same_po_number(sim, run_playbook, tmp_path):
    onboard(sim, run_playbook)
    customers = load_example("onboard_customers_vars.yml")["onboarding_customers"]
    customers[0]["subscriptions"].append({"mpn": "SH3AMCLOS", "quantity": 3})  # the po_number stays PSA-TICKET-1001
    variables = tmp_path / "customers.yml"
    variables.write_text(yaml.safe_dump({"onboarding_customers": customers}), encoding="utf-8")
    check, log = run_logged(sim, run_playbook, ONBOARD, args=("-e", "@%s" % variables, "--check"))
    assert check.rc == 0, check.output[-6000:]
    assert writes(log) == []
    hooli = debug_messages(check.output, "Show the summary, one line per customer")[0][0]
    assert "would buy 3 x Acronis Cyber Protect Standard - Workstation [SH3AMCLOS]" in hooli
    assert "skipped CFQ7TTC0LH18:0001:P1M (on order SO" in hooli and "with the same po_number" in hooli
    assert "estimated 19.50 USD per month" in hooli
    run, log = run_logged(sim, run_playbook, ONBOARD, args=("-e", "@%s" % variables))
    assert run.rc == 0, run.output[-6000:]
    placed = [entry for entry in log if entry["method"] == "POST" and entry["path"].endswith("/orders")]
    assert len(placed) == 1
    api = Api(sim)
    assert api.seats("HOOLI-005", "SH3AMCLOS") == 3
    orders = [api.get("/orders/%s" % row["id"]) for row in api.rows("/orders", customerId=api.customer("HOOLI-005")["id"])]
    assert sorted(order["poNumber"] for order in orders) == ["PSA-TICKET-1001", "PSA-TICKET-1001"]
    again, log = run_logged(sim, run_playbook, ONBOARD, args=("-e", "@%s" % variables))
    assert again.rc == 0 and recap(again.output)["changed"] == 0 and writes(log) == []
    hooli = debug_messages(again.output, "Show the summary, one line per customer")[0][0]
    assert "already ordered with po_number PSA-TICKET-1001 on " in hooli
    assert all("order %s " % order["orderNumber"] in hooli for order in orders), hooli  # both orders, not only the first


NEW_WITH_DOMAIN = {"external_id": "HOOLI-009", "name": "Hooli Labs", "language": "en",
                   "address": {"street_address": "1 Lab Way", "postal_code": "94043", "city": "Mountain View", "state": "CA",
                               "country_code": "US"},
                   "contact_persons": [{"first_name": "Ann", "last_name": "Lab", "email": "ann@hoolilabs.example",
                                        "phone_number": "+16505550150"}]}


@pytest.mark.parametrize("parameters, reason", [
    ([{"name": "domain", "value": "contoso.com"}], "contoso.com is reserved"),
    ([], "domain is required for CFQ7TTC0LH18:0001:P1M"),
])
def test_onboarding_a_new_customer_says_what_waits_for_it_to_exist_and_continues_after_a_fix(sim, run_playbook, parameters, reason):
    customer = dict(NEW_WITH_DOMAIN, subscriptions=[{"mpn": "CFQ7TTC0LH18:0001:P1M", "quantity": 5, "parameters": parameters}])
    check, log = run_logged(sim, run_playbook, ONBOARD, {"onboarding_customers": [customer]}, args=("--check",), verbosity=1)
    assert check.rc == 0, check.output[-6000:]
    assert writes(log) == []
    line, total = debug_messages(check.output, "Show the summary, one line per customer")[0]
    assert "NOT VALIDATED YET: CFQ7TTC0LH18:0001:P1M (activation parameters and order; the API checks them only for an " \
           "existing customer: a real run does so right after creating it, before ordering)" in line
    assert total.endswith("1 not validated yet (check mode: nothing was created or ordered)")
    assert facts(check.output, "onboarding_summary")[0]["not_validated"] == ["CFQ7TTC0LH18:0001:P1M"]

    run, log = run_logged(sim, run_playbook, ONBOARD, {"onboarding_customers": [customer]})
    assert run.rc != 0
    created = Api(sim).customer("HOOLI-009")
    assert created is not None
    assert not [entry for entry in log if entry["method"] == "POST" and entry["path"].endswith("/orders")]
    assert ("onboarding_customers line 1 (HOOLI-009): the customer was created by this run (id %s), but nothing was ordered "
            "for it: " % created["id"]) in run.output
    assert reason in run.output
    assert "Fix its subscriptions and run the playbook again: the customer exists now, and the run continues from there" in run.output

    fixed = dict(customer, subscriptions=[{"mpn": "CFQ7TTC0LH18:0001:P1M", "quantity": 5,
                                           "parameters": [{"name": "domain", "value": "hoolilabs.example"}]}])
    rerun, log = run_logged(sim, run_playbook, ONBOARD, {"onboarding_customers": [fixed]})
    assert rerun.rc == 0, rerun.output[-6000:]
    assert Api(sim).seats("HOOLI-009", "CFQ7TTC0LH18:0001:P1M") == 5
    assert not [entry for entry in log if entry["method"] == "POST" and entry["path"].endswith("/customers")]


def test_onboarding_checks_the_catalog_before_creating_anyone(sim, run_playbook):
    customer = dict(NEW_WITH_DOMAIN, subscriptions=[{"mpn": "SH3AMCLOS", "quantity": 2}, {"mpn": "NOT-A-PRODUCT", "quantity": 1}])
    run, log = run_logged(sim, run_playbook, ONBOARD, {"onboarding_customers": [customer]})
    assert run.rc != 0
    assert ("onboarding_customers line 1 (HOOLI-009): subscriptions line 2: no product NOT-A-PRODUCT in the catalog; "
            "no customer was created or changed") in run.output
    assert writes(log) == []


def test_onboarding_does_not_print_admin_passwords(sim, run_playbook, tmp_path):
    customers = load_example("onboard_customers_vars.yml")["onboarding_customers"][:1]
    customers[0]["contact_persons"][0].update(login="gavin.belson", password=ADMIN_PASSWORDS[0])
    # From a file, as from a vault: ansible-playbook itself prints -e values given on the command line at -vvvv.
    variables = tmp_path / "customers.yml"
    variables.write_text(yaml.safe_dump({"onboarding_customers": customers}), encoding="utf-8")
    for args in (("--check",), ()):
        run, _log = run_logged(sim, run_playbook, ONBOARD, args=("-e", "@%s" % variables) + args, verbosity=SECRET_SCAN)
        assert run.rc == 0, run.output[-6000:]  # the fixture has scanned the -vvvv output for the password
    assert Api(sim).customer("HOOLI-005") is not None


# ---------------------------------------------------------------------------------------------------- license_adjustment

def plan_state(api, lines):
    """The seats each example line names, read from the simulator."""
    return [api.seats(line["customer"], line["mpn"]) for line in lines]


def test_license_adjustment_plan_apply_rerun_with_audit_files(sim, run_playbook, tmp_path):
    onboard(sim, run_playbook)
    wanted = load_example("adjust_licenses_vars.yml")["license_adjustment_licenses"]
    api = Api(sim)
    before = plan_state(api, wanted)

    # Check mode: the priced plan, on screen and in the audit files; nothing written.
    out = tmp_path / "audit-check"
    check, log = run_logged(sim, run_playbook, ADJUST, args=ADJUST_VARS + ("--check", "-e", "license_adjustment_output_dir=%s" % out))
    assert check.rc == 0, check.output[-6000:]
    assert writes(log) == []
    assert len([entry for entry in log if entry["path"].endswith("/orders/estimate")]) == 4
    table = debug_messages(check.output, "Show the plan or the result, one row per line")[0]
    assert table[0].split() == ["line", "customer", "product", "mpn", "seats", "action", "price", "change", "note"]
    assert len(table) == len(wanted) + 3
    assert re.match(r"^1\s+ACME-001\s+Microsoft 365 Business Standard \(annual term\)\s+CFQ7TTC0LDPB:0001:P1Y\s+25 -> 30\s+increase\s+"
                    r"\+62\.50 USD/month$", table[1])
    assert re.match(r"^2\s+ACME-001\s+.*10 -> 10\s+none$", table[2])
    assert table[-2] == "Total 8 line(s) - 4 increase, 4 none; estimated price change +131.00 USD/month; check mode, nothing was ordered"
    # The change_quantity setting is checked against the estimates, and a real run would place one order first.
    assert table[-1].startswith("Change quantities sent as total: the price estimate check holds (the estimate of CFQ7TTC0LDPB:0001:P1Y 25 -> 30")
    assert table[-1].endswith("; a real run orders line 1 first as a canary, and places the others only once its seats are right")
    plan = read_json(only_file(out, "plan-*.json"))
    assert (plan["mode"], plan["status"], plan["message"]) == ("check", "planned", None)
    assert plan["guardrails"] == {"allow_decrease": False, "max_increase": 10, "max_decrease": None, "max_cost_delta": "500",
                                  "decrease_window_days": None}
    assert [line["current"] for line in plan["plan"]] == before
    assert [line["desired"] for line in plan["plan"]] == [line["quantity"] for line in wanted]
    assert [line["action"] for line in plan["plan"]] == ["increase" if line["quantity"] > seats else "none"
                                                         for line, seats in zip(wanted, before)]
    assert plan["summary"]["price_change"] == {"amount": "131.00", "currency": "USD", "per": "month"}
    rows = read_csv(only_file(out, "plan-*.csv"))
    assert [(row["customer"], row["mpn"], int(row["current"]), int(row["desired"]), row["action"]) for row in rows] == \
        [(line["customer"], line["mpn"], line["current"], line["desired"], line["action"]) for line in plan["plan"]]
    assert (rows[0]["price_change_amount"], rows[0]["price_change_per"], rows[0]["result"]) == ("62.50", "month", "")
    for path in glob.glob(str(out / "*")):
        assert_private(path)
    assert plan_state(api, wanted) == before

    # Apply: the seats reach the declared counts; the result file names the orders the simulator holds, which carry the
    # run's PO number.
    out = tmp_path / "audit-apply"
    applied, log = run_logged(sim, run_playbook, ADJUST, args=ADJUST_VARS + ("-e", "license_adjustment_output_dir=%s" % out,
                                                                             "-e", "license_adjustment_po_number=TICKET-4711"))
    assert applied.rc == 0, applied.output[-6000:]
    assert recap(applied.output)["changed"] == 1
    assert len([entry for entry in log if entry["method"] == "POST" and entry["path"].endswith("/orders")]) == 4
    assert plan_state(api, wanted) == [line["quantity"] for line in wanted]
    table = debug_messages(applied.output, "Show the plan or the result, one row per line")[0]
    assert table[0].split() == ["line", "customer", "product", "mpn", "seats", "action", "result", "order", "note"]
    result = read_json(only_file(out, "result-*.json"))
    assert (result["mode"], result["status"], result["changed"], result["po_number"]) == ("run", "applied", True, "TICKET-4711")
    for line in result["plan"]:
        if line["action"] == "increase":
            order = api.get("/orders/%s" % line["order"]["id"])
            assert (line["result"], order["status"], order["type"], order["poNumber"]) == ("completed", "completed", "change", "TICKET-4711")
            assert line["order"]["order_number"] == order["orderNumber"]
            assert order["orderNumber"] in table[line["index"]]
        else:
            assert (line["result"], line["order"]) == ("none", None)
    rows = read_csv(only_file(out, "result-*.csv"))
    assert [row["order_number"] for row in rows] == [(line["order"] or {}).get("order_number") or "" for line in result["plan"]]
    assert table[-2].startswith("Total 8 line(s) - 4 increase, 4 none; estimated price change +131.00 USD/month; results 4 completed, 4 none; orders SO")
    assert table[-2].endswith("; outcome APPLIED")
    assert table[-1].endswith("; line 1 was ordered first as a canary, which confirmed it")
    assert result["quantity_reading"]["canary"] == 1 and result["quantity_reading"]["verdict"] == "holds"

    # Rerun: changed=0, no write; the result file says so.
    out = tmp_path / "audit-rerun"
    again, log = run_logged(sim, run_playbook, ADJUST, args=ADJUST_VARS + ("-e", "license_adjustment_output_dir=%s" % out))
    assert again.rc == 0, again.output[-6000:]
    assert recap(again.output)["changed"] == 0
    assert writes(log) == []
    result = read_json(only_file(out, "result-*.json"))
    assert {line["action"] for line in result["plan"]} == {"none"} and result["changed"] is False


def test_license_adjustment_decrease_is_blocked_by_default(sim, run_playbook, tmp_path):
    out = tmp_path / "audit"
    for args in (("--check",), ()):
        run, log = run_logged(sim, run_playbook, ADJUST, args=DECREASE_VARS + args + ("-e", "license_adjustment_output_dir=%s" % out))
        assert run.rc != 0
        assert recap(run.output)["failed"] == 1
        assert writes(log) == []
        table = debug_messages(run.output, "Show the plan or the result, one row per line")[0]
        # The reason names the role variable the user sets, not the module's option.
        assert re.match(r"^1\s+ACME-001\s+.*25 -> 20\s+blocked\s+a decrease from 25 to 20 seats needs license_adjustment_allow_decrease: true$", table[1])
        assert table[-1].startswith("Total 2 line(s) - 1 increase, 1 blocked") and "REFUSED, nothing was ordered" in table[-1]
        assert "line 1 (ACME-001 CFQ7TTC0LDPB:0001:P1Y 25 -> 20): a decrease from 25 to 20 seats needs license_adjustment_allow_decrease: true" in run.output
        assert "license_adjustment_allow_decrease" in run.output
    for mode in ("plan", "result"):
        audit = read_json(only_file(out, "%s-*.json" % mode))
        assert audit["status"] == "refused" and "needs license_adjustment_allow_decrease" in audit["message"]
        assert [line["action"] for line in audit["plan"]] == ["blocked", "increase"]
    assert Api(sim).seats("ACME-001", "CFQ7TTC0LDPB:0001:P1Y") == 25


def test_license_adjustment_two_phase_plan_file(sim, run_playbook, tmp_path):
    plan_file = tmp_path / "approved-plan.json"
    variables = {"license_adjustment_licenses": [{"customer": "GLOBEX-002", "mpn": "SH3AMCLOS", "quantity": 42}],
                 "license_adjustment_plan_file": str(plan_file)}
    check, log = run_logged(sim, run_playbook, ADJUST, variables, args=("--check",))
    assert check.rc == 0, check.output[-6000:]
    assert writes(log) == [] and plan_file.is_file()
    # Someone changes the seats before the plan is applied: the approved plan no longer holds.
    Api(sim).session.post(sim.base_url + "/orders", json={"type": "change", "customerId": "1000002", "subscriptionId": "3000006",
                                                          "products": [{"mpn": "SH3AMCLOS", "quantity": 41}]}, timeout=10).raise_for_status()
    wait_for(lambda: Api(sim).seats("GLOBEX-002", "SH3AMCLOS") == 41)  # the change order completes
    stale, log = run_logged(sim, run_playbook, ADJUST, variables)
    assert stale.rc != 0 and writes(log) == []
    assert "the plan differs from the one saved in" in stale.output
    # Plan again, then apply the approved plan.
    assert run_logged(sim, run_playbook, ADJUST, variables, args=("--check",))[0].rc == 0
    applied, log = run_logged(sim, run_playbook, ADJUST, variables)
    assert applied.rc == 0, applied.output[-6000:]
    assert Api(sim).seats("GLOBEX-002", "SH3AMCLOS") == 42


@pytest.mark.parametrize("variables, message", [
    ({"license_adjustment_licenses": [{"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 30},
                                      {"customer": "ACME-001", "mpn": "CFQ7TTC0LH16:0001:P1Y", "quantity": "ten"}]},
     'license_adjustment_licenses line 2: quantity must be a whole number, 1 or more, got \\"ten\\"'),
    ({"license_adjustment_licenses": [{"subscription_id": "3000001", "quantity": 30}], "license_adjustment_max_increase": "lots"},
     'license_adjustment_max_increase must be a whole number, 0 or more, got \\"lots\\"'),
    ({}, "license_adjustment_licenses is not set or empty: declare the seats to reach"),
])
def test_license_adjustment_refuses_bad_input_before_any_request(sim, run_playbook, variables, message):
    run = run_playbook(ADJUST, variables, env=JSON_RESULTS, verbosity=0)
    assert run.rc != 0
    assert says(run.output, message), run.output[-3000:]
    assert sim.requests() == []
    # One short message, not Ansible's dump of the argument specification.
    assert "argument_spec_data" not in run.output and len(run.output) < 2500, run.output


# ---------------------------------------------------------------------------------------------------- license_report

def report_rows(directory):
    document = read_json(only_file(directory, "license-report-*.json"))
    rows = read_csv(only_file(directory, "license-report-*.csv"))
    for path in glob.glob(os.path.join(str(directory), "*")):
        assert_private(path)
    return document, rows


def test_license_report_matches_the_subscriptions(sim, run_playbook, tmp_path):
    api = Api(sim)
    expected = {subscription["id"]: subscription for subscription in api.subscriptions()}
    customers = {customer["id"]: customer for customer in api.rows("/customers")}
    for name, args in (("check", ("--check",)), ("run", ()), ("rerun", ())):
        out = tmp_path / name
        run, log = run_logged(sim, run_playbook, REPORT, args=REPORT_VARS + args + ("-e", "license_report_dir=%s" % out))
        assert run.rc == 0, run.output[-6000:]
        assert recap(run.output)["changed"] == 0
        assert writes(log) == []
        # One listing of the customers and one of the subscriptions per status, then the details.
        assert len([entry for entry in log if entry["path"].endswith("/subscriptions")]) == 3
        assert len([entry for entry in log if entry["path"].endswith("/customers")]) == 1
        document, rows = report_rows(out)
        assert document["status"] == ["active", "hold", "pending"]
        assert {row["subscription_id"]: row["seats"] for row in document["rows"]} == \
            {key: subscription["products"][0]["quantity"] for key, subscription in expected.items()}
        assert [(row["subscription_id"], int(row["seats"])) for row in rows] == \
            [(row["subscription_id"], row["seats"]) for row in document["rows"]]
        for row in rows:
            subscription = expected[row["subscription_id"]]
            assert row["customer_external_id"] == customers[subscription["customerId"]]["externalId"]
            assert row["mpn"] == subscription["products"][0]["mpn"]
            assert row["unit_price"] == subscription["products"][0]["unitPrice"]["amount"]
            assert row["renewal_date"] == subscription["renewalDate"]
            assert row["auto_renew"] == str(subscription["renewalStatus"]).lower()
        table = debug_messages(run.output, "Show the report")[0]
        assert len(table) == len(rows) + 2
        assert table[-1].startswith("Total %d subscription(s) of %d customer(s), %d seats; files " % (
            len(expected), len({subscription["customerId"] for subscription in expected.values()}),
            sum(subscription["products"][0]["quantity"] for subscription in expected.values())))
        assert "3000004" not in {row["subscription_id"] for row in rows}  # terminated


def test_license_report_for_some_customers(sim, run_playbook, tmp_path):
    run, log = run_logged(sim, run_playbook, REPORT, {"license_report_dir": str(tmp_path / "some"),
                                                      "license_report_customers": ["ACME-001", "1000002"]})
    assert run.rc == 0, run.output[-6000:]
    _document, rows = report_rows(tmp_path / "some")
    assert {row["customer_external_id"] for row in rows} == {"ACME-001", "GLOBEX-002"}
    assert len(rows) == 6  # ACME-001's three live subscriptions (the fourth is terminated) and GLOBEX-002's three
    # Only their subscriptions were read in detail.
    details = {entry["path"].rsplit("/", 1)[1] for entry in log if re.search(r"/subscriptions/\d+$", entry["path"])}
    assert details == {row["subscription_id"] for row in rows}

    unknown, log = run_logged(sim, run_playbook, REPORT, {"license_report_dir": str(tmp_path / "none"),
                                                          "license_report_customers": "ACME-001, NOPE-404"})
    assert unknown.rc != 0
    assert "license_report_customers: no customer has the external id or id NOPE-404" in unknown.output
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize("variables, message", [
    ({"license_report_dir": "/tmp/x", "license_report_concurrency": "x"},
     'license_report_concurrency must be a whole number, 1 or more, got \\"x\\"'),
])
def test_license_report_refuses_bad_input_before_any_request(sim, run_playbook, variables, message):
    run = run_playbook(REPORT, variables, env=JSON_RESULTS, verbosity=0)
    assert run.rc != 0
    assert says(run.output, message)
    assert sim.requests() == []


# ---------------------------------------------------------------------------------------------------- the roles in a play

def test_roles_take_connection_settings_from_module_defaults(sim, run_playbook, tmp_path):
    """The roles included in a user's play, connection settings from module_defaults only, facts for later tasks."""
    facts = tmp_path / "facts.json"
    play = [{
        "name": "Use the roles from a play",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/ingrammicro.marketplace.all": {
            "api_url": sim.base_url, "username": sim.credentials["username"], "password": sim.credentials["password"],
            "subscription_key": sim.credentials["subscription_key"], "marketplace": sim.credentials["marketplace"],
        }},
        "tasks": [
            {"name": "Onboard", "ansible.builtin.include_role": {"name": "ingrammicro.marketplace.onboarding"},
             "vars": {"onboarding_customers": [{"external_id": "GLOBEX-002", "subscriptions": [
                 {"mpn": "CFQ7TTC0RM8K:0001:P1Y", "quantity": 15}, {"mpn": "SH3AMCLOS", "quantity": 40}]}]}},
            {"name": "Adjust", "ansible.builtin.include_role": {"name": "ingrammicro.marketplace.license_adjustment"},
             "vars": {"license_adjustment_licenses": [{"subscription_id": "3000007", "quantity": 6}]}},
            {"name": "Report", "ansible.builtin.include_role": {"name": "ingrammicro.marketplace.license_report"},
             "vars": {"license_report_dir": str(tmp_path / "report"), "license_report_customers": ["GLOBEX-002"]}},
            {"name": "Keep the facts", "check_mode": False, "ansible.builtin.copy": {
                "dest": str(facts), "mode": "0600",
                "content": "{{ {'onboarding': onboarding_summary, 'adjustment': license_adjustment_result.plan,"
                           " 'report': license_report_rows} | to_json }}"}},
        ],
    }]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    for args in (("--check",), ()):
        run, log = run_logged(sim, run_playbook, str(playbook), args=args, connection_env=False, verbosity=SECRET_SCAN)
        assert run.rc == 0, run.output[-6000:]
        if args:
            assert writes(log) == []
        kept = json.loads(facts.read_text(encoding="utf-8"))
        summary = kept["onboarding"][0]
        assert (summary["external_id"], summary["account"], summary["customer_id"]) == ("GLOBEX-002", "unchanged", "1000002")
        assert summary["action"] == ("would order" if args else "ordered")
        assert [product["mpn"] for product in summary["products"]] == ["CFQ7TTC0RM8K:0001:P1Y"]
        assert summary["skipped"] == [{"mpn": "SH3AMCLOS", "reason": "held", "subscription_id": "3000006"}]
        assert summary["prices"] == [{"amount": "60.00", "currency": "USD", "source": "estimate", "per": "month"}]
        assert (kept["adjustment"][0]["current"], kept["adjustment"][0]["action"]) == (4, "increase")
        assert kept["adjustment"][0]["result"] == (None if args else "completed")
        seats = {row["mpn"]: row["seats"] for row in kept["report"]}
        if args:  # check mode: nothing bought, nothing changed
            assert seats["SH3BMCLOS"] == 4 and "CFQ7TTC0RM8K:0001:P1Y" not in seats
        else:
            assert seats["SH3BMCLOS"] == 6 and seats["CFQ7TTC0RM8K:0001:P1Y"] == 15
