"""The roles' input rules (the role_input filter): every problem names the variable, the 1-based line, the field and
the fix; the role argument specs (documentation) agree with the rules; the module's line spec is the role's."""

import os

import pytest
import yaml

from ansible_collections.ingrammicro.marketplace.plugins.filter.role_input import role_input
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._declarations import LINE_FIELDS, ORDER_LINE_FIELDS
from ansible_collections.ingrammicro.marketplace.plugins.modules import im_licenses, im_order
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _role_rules

ROLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles")
LDPB = "CFQ7TTC0LDPB:0001:P1Y"


def spec(role):
    with open(os.path.join(ROLES, role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["argument_specs"]["main"]["options"]


@pytest.mark.parametrize("customers, message", [
    ([{"name": "No Id Inc.", "subscriptions": [{"mpn": "SH3AMCLOS", "quantity": 1}]}],
     "onboarding_customers line 1: external_id is missing: give the customer's id in your PSA or CRM"),
    ([{"external_id": "X-1", "subscriptions": [{"mpn": "SH3AMCLOS"}]}],
     "onboarding_customers line 1 (X-1): subscriptions line 1 (SH3AMCLOS): quantity is missing: give the number of seats to buy"),
    ([{"external_id": "X-1", "status": "closed"}], 'onboarding_customers line 1 (X-1): status must be active or creditHold, got "closed"'),
    ([{"external_id": "X-1", "subscriptions": [{"mpn": "SH3AMCLOS", "quantity": "many"}]}],
     'onboarding_customers line 1 (X-1): subscriptions line 1 (SH3AMCLOS): quantity must be a whole number, 1 or more, got "many"'),
    ([{"external_id": "X-1", "subscriptions": [{"mpn": "SH3AMCLOS", "quantity": 0}]}],
     "onboarding_customers line 1 (X-1): subscriptions line 1 (SH3AMCLOS): quantity must be 1 or more, got 0"),
    ([{"external_id": "X-1"}, {"external_id": "X-1"}], "onboarding_customers line 2 (X-1): external_id X-1 appears more than once"),
    ([{"external_id": "X-1", "subscriptions": [{"mpn": "SH3AMCLOS", "quantity": 1}, {"mpn": "SH3AMCLOS", "quantity": 2}]}],
     "onboarding_customers line 1 (X-1): subscriptions line 2 (SH3AMCLOS): mpn SH3AMCLOS appears more than once; add the quantities up"),
    ([{"external_id": "X-1", "subscriptions": [{"mpn": "SH3AMCLOS", "quantity": 1, "quantiy": 2}]}],
     "onboarding_customers line 1 (X-1): subscriptions line 1 (SH3AMCLOS): unknown key quantiy (the keys are mpn, quantity,"),
    ([{"external_id": "X-1", "contact_persons": [{"first_name": "A", "last_name": "B", "email": "a@b.example", "phone_number": "+1",
                                                  "login": "admin1", "password": "secret", "type": "owner"}]}],
     'onboarding_customers line 1 (X-1): contact_persons line 1: type must be admin, billing or technical, got "owner"'),
    ("X-1", 'onboarding_customers must be a list of customers such as'),
])
def test_onboarding_problems_name_the_line_and_the_fix(customers, message):
    checked = role_input({"onboarding_customers": customers}, "onboarding")
    assert message in checked["message"]
    assert all(problem["variable"] == "onboarding_customers" for problem in checked["problems"])


def test_onboarding_problem_is_data_with_line_field_and_given():
    checked = role_input({"onboarding_customers": [{"external_id": "A"}, {"external_id": "B", "subscriptions": [
        {"mpn": "SH3AMCLOS", "quantity": "ten"}]}]}, "onboarding")
    assert checked["problems"] == [{"variable": "onboarding_customers", "line": 2, "field": "quantity", "given": "ten",
                                    "message": checked["message"]}]


def test_onboarding_new_customer_needs_what_creating_it_needs_existing_one_does_not():
    customers = [{"external_id": "OLD-1"}, {"external_id": "NEW-2", "name": "New Co", "address": {"city": "Berlin"}}]
    checked = role_input({"onboarding_customers": customers}, "onboarding", existing=["OLD-1"])
    assert checked["message"] == ("onboarding_customers line 2 (NEW-2): customer NEW-2 does not exist yet; to create it give language, "
                                  "contact_persons, address.street_address, address.postal_code, address.country_code")
    assert role_input({"onboarding_customers": customers}, "onboarding")["problems"] == []  # before the listing: shape only


@pytest.mark.parametrize("variables, host, message", [
    ({"license_adjustment_licenses": [{"customer": "ACME-001", "mpn": LDPB}]}, None,
     "license_adjustment_licenses line 1: quantity is missing: give the number of seats the subscription should have"),
    ({"license_adjustment_licenses": [{"customer": "ACME-001", "mpn": LDPB, "quantity": 30},
                                      {"customer": "ACME-001", "mpn": "CFQ7TTC0LH16:0001:P1Y", "quantity": "ten"}]}, None,
     'license_adjustment_licenses line 2: quantity must be a whole number, 1 or more, got "ten"'),
    ({"license_adjustment_licenses": [{"customer": "ACME-001", "mpn": LDPB, "quantity": "1.000"}]}, None,
     'license_adjustment_licenses line 1: quantity must be a whole number of seats; "1.000" looks like 1000 written with a thousands separator'),
    ({"license_adjustment_licenses": [{"mpn": LDPB, "quantity": 3}]}, None,
     "license_adjustment_licenses line 1: needs customer (or subscription_id): on localhost there is no customer host to take it from"),
    ({"license_adjustment_licenses": [{"customer": "ACME-001", "quantity": 3}]}, None,
     "license_adjustment_licenses line 1: customer ACME-001 needs mpn (the product) as well, or give subscription_id instead"),
    ({"license_adjustment_licenses": [{"subscription_id": "3000001", "quantity": 30}], "license_adjustment_max_increase": "lots"}, None,
     'license_adjustment_max_increase must be a whole number, 0 or more, got "lots"'),
    ({"license_adjustment_licenses": [{"subscription_id": "3000001", "quantity": 30}], "license_adjustment_wait": "maybe"}, None,
     'license_adjustment_wait must be true or false, got "maybe"'),
    ({"license_adjustment_licenses": [{"subscription_id": "3000001", "quantity": 30}], "license_adjustment_max_cost_delta": "-5"}, None,
     'license_adjustment_max_cost_delta must be an amount of 0 or more such as "500" or "1250.00", got "-5"'),
    ({"license_adjustment_licenses": [{"subscription_id": "3000001", "quantity": 30, "seats": 4}]}, None,
     "license_adjustment_licenses line 1: unknown key seats (the keys are customer, mpn, subscription_id, quantity,"),
    ({}, None, "license_adjustment_licenses is not set or empty: declare the seats to reach"),
    ({"license_adjustment_licenses_csv": "licenses.csv"}, "ACME-001",
     "license_adjustment_licenses_csv declares the seats of every customer and is planned in one run: run it on localhost"),
])
def test_license_adjustment_problems_name_the_variable_line_and_fix(variables, host, message):
    assert message in role_input(variables, "license_adjustment", host_customer=host)["message"]


def test_license_adjustment_host_customer_fills_lines_that_name_none():
    lines = [{"mpn": LDPB, "quantity": 3}, {"customer": "OTHER", "mpn": LDPB, "quantity": 4}, {"subscription_id": "3000001", "quantity": 5}]
    checked = role_input({"license_adjustment_licenses": lines}, "license_adjustment", host_customer="ACME-001")
    assert checked["problems"] == []
    assert [line.get("customer") for line in checked["lines"]] == ["ACME-001", "OTHER", None]


def test_license_adjustment_csv_problems_name_file_row_and_column(tmp_path):
    path = tmp_path / "licenses.csv"
    path.write_text("customer_external_id,mpn,desired_quantity\nACME-001,%s,=1+1\n" % LDPB, encoding="utf-8")
    checked = role_input({"license_adjustment_licenses_csv": str(path)}, "license_adjustment")
    assert len(checked["problems"]) == 1
    problem = checked["problems"][0]
    assert problem["variable"] == "license_adjustment_licenses_csv"
    assert "licenses.csv row 2, column C (desired_quantity)" in problem["message"]
    assert "=1+1" in problem["message"]


@pytest.mark.parametrize("variables, message", [
    ({}, "license_report_dir is not set: give the directory to write the report to"),
    ({"license_report_dir": "/tmp/x", "license_report_status": ["gone"]}, "license_report_status must be one or more of"),
    ({"license_report_dir": "/tmp/x", "license_report_concurrency": "x"}, 'license_report_concurrency must be a whole number, 1 or more, got "x"'),
    ({"license_report_dir": "/tmp/x", "license_report_customers": [{"a": 1}]}, "license_report_customers must be a list of external ids"),
    ({"license_report_dir": "/tmp/x", "license_report_adjustment_dir": "/nonexistent/audits"},
     "license_report_adjustment_dir: /nonexistent/audits is not a directory"),
])
def test_license_report_problems_name_the_variable_and_fix(variables, message):
    assert message in role_input(variables, "license_report")["message"]


def test_license_report_filters_as_lists():
    checked = role_input({"license_report_dir": "r", "license_report_customers": "ACME-001, GLOBEX-002",
                          "license_report_status": ["active"]}, "license_report")
    assert (checked["problems"], checked["customers"], checked["statuses"]) == ([], ["ACME-001", "GLOBEX-002"], ["active"])


@pytest.mark.parametrize("role", ["license_adjustment", "onboarding", "license_report"])
def test_argument_specs_document_exactly_the_variables_the_rules_check(role):
    documented = spec(role)
    assert set(documented) == set(_role_rules.ROLE_VARIABLES[role])
    for variable, kind in _role_rules.ROLE_VARIABLES[role].items():
        assert documented[variable]["type"] in ((kind, "path") if kind == "str" else (kind,)), variable


def test_argument_specs_document_the_line_fields_the_modules_take():
    """One line spec: the role documents the licence line and the order line the modules take (their DOCUMENTATION,
    which ansible-test sanity keeps equal to their argument specs) and _declarations checks."""
    licence_line = spec("license_adjustment")["license_adjustment_licenses"]["options"]
    module_line = yaml.safe_load(im_licenses.DOCUMENTATION)["options"]["licenses"]["suboptions"]
    assert set(licence_line) == set(module_line) == set(LINE_FIELDS)
    customer = spec("onboarding")["onboarding_customers"]["options"]
    assert tuple(customer) == _role_rules.CUSTOMER_KEYS
    order_line = yaml.safe_load(im_order.DOCUMENTATION)["options"]["products"]["suboptions"]
    assert set(customer["subscriptions"]["options"]) == set(order_line) == set(ORDER_LINE_FIELDS)
