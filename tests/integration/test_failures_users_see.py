"""Every way a playbook can fail, as a user sees it at the default verbosity: before it gets anywhere (connection,
credentials, the licence CSV; nothing is written), while planning (a guardrail; nothing is ordered) and after ordering
(an order refused or ending in error). The cause is named in the playbook's words, and no internal phrase of Ansible or
Python reaches the user."""

import re
import socket

import pytest

ADJUST = "ingrammicro.marketplace.adjust_licenses"
PLAYBOOKS = {
    ADJUST: {"license_adjustment_licenses": [{"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 30}]},
    "ingrammicro.marketplace.onboard_customers": {"onboarding_customers": [{"external_id": "ACME-001", "subscriptions": [
        {"mpn": "SH3AMCLOS", "quantity": 1}]}]},
    "ingrammicro.marketplace.license_report": {"license_report_dir": "{tmp}/report"},
    "ingrammicro.marketplace.check_connection": {},
}
# What a user must never have to decode: Jinja and Python internals.
INTERNAL = ("Error while evaluating", "object of type", "has no attribute", "is undefined", "Traceback", "NoneType",
            "argument_spec_data", "template error")
READ_ONLY_POSTS = ("/token", "/orders/estimate", "/validation/parameters")


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CONNECTION_FAULTS = {
    "wrong password": (lambda sim: {"INGRAM_PASSWORD": "not-the-password"},
                       "POST /token: HTTP 401 Invalid username or password (Basic authentication required); the API rejected the "
                       "username, password or subscription key"),
    "a marketplace the account lacks": (lambda sim: {"INGRAM_MARKETPLACE": "zz"},
                                        "POST /token: HTTP 400 marketplace 'zz' is not available to this API user"),
    "an API nobody answers": (lambda sim: {"INGRAM_API_URL": "http://127.0.0.1:%d/marketplace/us" % closed_port()},
                              "(connection refused), tried 6 times in"),
}


@pytest.fixture
def sim(simulator):
    simulator.reset()
    return simulator


def writes(simulator):
    return [entry for entry in simulator.requests() if entry["method"] != "GET" and not entry["path"].endswith(READ_ONLY_POSTS)]


def assert_user_sees(run, cause):
    assert run.rc != 0, run.output[-3000:]
    assert cause in run.output, run.output[-3000:]
    shown = [phrase for phrase in INTERNAL if phrase in run.output]
    assert not shown, (shown, run.output[-3000:])


# Each playbook meets one fault, and each fault at least one playbook: the cause comes from the one client, what differs
# is how each playbook brings a failed first request to the screen.
FAULT_OF = {ADJUST: "an API nobody answers", "ingrammicro.marketplace.onboard_customers": "wrong password",
            "ingrammicro.marketplace.license_report": "a marketplace the account lacks",
            "ingrammicro.marketplace.check_connection": "wrong password"}


def test_every_playbook_and_every_connection_fault_is_covered():
    assert set(FAULT_OF) == set(PLAYBOOKS) and set(FAULT_OF.values()) == set(CONNECTION_FAULTS)


@pytest.mark.parametrize("playbook, fault", sorted(FAULT_OF.items()))
def test_connection_failures_name_the_cause_at_the_default_verbosity(sim, run_playbook, tmp_path, playbook, fault):
    environment, cause = CONNECTION_FAULTS[fault]
    variables = {name: value.format(tmp=tmp_path) if isinstance(value, str) else value for name, value in PLAYBOOKS[playbook].items()}
    run = run_playbook(playbook, variables, env=environment(sim), verbosity=0)
    assert_user_sees(run, cause)
    assert writes(sim) == []
    assert not (tmp_path / "report").exists()


def licence_csv(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "licenses.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


HEADER = "customer_external_id,mpn,desired_quantity\n"
CSV_FAULTS = {
    "a formula cell": (HEADER + "ACME-001,CFQ7TTC0LDPB:0001:P1Y,=1+1\n", "utf-8",
                       'licenses.csv row 2, column C (desired_quantity): desired_quantity must be a whole number, 1 or more, got '
                       '\\"=1+1\\"'),
    "a file saved in the Windows code page": ("customer_external_id,mpn,desired_quantity,note\nACME-001,CFQ7TTC0LDPB:0001:P1Y,30,Müller\n",
                                              "cp1252", "licenses.csv is not UTF-8"),
    "a file that declares nothing": (HEADER, "utf-8", "nothing to plan: license_adjustment_licenses is empty and license_adjustment_licenses_csv"),
    "the edited column renamed": ("customer_external_id,mpn,seats\nACME-001,CFQ7TTC0LDPB:0001:P1Y,30\n", "utf-8",
                                  "column desired_quantity is missing"),
    "an unknown subscription": ("subscription_id,desired_quantity\n9999999,30\n", "utf-8",
                                "licenses.csv row 2 (subscription 9999999 none -> 30): column A (subscription_id): subscription id 9999999 not found"),
    "a subscription of another customer": ("customer_external_id,subscription_id,desired_quantity\nGLOBEX-002,3000001,30\n", "utf-8",
                                           "licenses.csv row 2 (GLOBEX-002 none -> 30): column A (customer_external_id): subscription 3000001 "
                                           "belongs to customer ACME-001 (Acme Manufacturing Inc.), not to GLOBEX-002"),
}


@pytest.mark.parametrize("fault", sorted(CSV_FAULTS))
def test_licence_csv_failures_name_the_cause_at_the_default_verbosity(sim, run_playbook, tmp_path, fault):
    text, encoding, cause = CSV_FAULTS[fault]
    run = run_playbook(ADJUST, {"license_adjustment_licenses_csv": licence_csv(tmp_path, text, encoding),
                                "license_adjustment_output_dir": str(tmp_path / "audit")}, verbosity=0)
    assert_user_sees(run, cause)
    assert writes(sim) == []
    if " none -> 30)" in cause:  # the plan table shows the line's seats in the message's words
        assert re.search(r'"1 .* none -> 30  +blocked ', run.output), run.output[-3000:]


def orders_placed(simulator):
    return [entry for entry in simulator.requests() if entry["method"] == "POST" and entry["path"].endswith("/orders")
            and entry["status"] == 200]


ACME_STANDARD = {"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y"}
# Later failures: while planning (nothing may be ordered) and after orders (the order is refused or ends in error).
LATER_FAULTS = {
    "a guardrail blocks the plan": (ADJUST, {"license_adjustment_licenses": [dict(ACME_STANDARD, quantity=30)],
                                             "license_adjustment_max_increase": 2}, {},
                                    "line 1 (ACME-001 CFQ7TTC0LDPB:0001:P1Y 25 -> 30): an increase of 5 seats exceeds "
                                    "license_adjustment_max_increase 2", 0),
    "the platform refuses the order": (ADJUST, {"license_adjustment_licenses": [dict(ACME_STANDARD, quantity=20)],
                                                "license_adjustment_allow_decrease": True}, {"decrease_window_days": 7},
                                       "within 7 days of purchase or renewal", 0),
    "an onboarding order ends in error": ("ingrammicro.marketplace.onboard_customers", {"onboarding_customers": [
        {"external_id": "ACME-001", "subscriptions": [{"mpn": "SH3AMCLOS", "quantity": 1}]}]}, {"order_error_next": 1},
        "ended in status error", 1),
}


@pytest.mark.parametrize("fault", sorted(LATER_FAULTS))
def test_failures_while_planning_and_after_ordering_name_the_cause_at_the_default_verbosity(sim, run_playbook, tmp_path, fault):
    playbook, variables, faults, cause, orders = LATER_FAULTS[fault]
    sim.set_faults(order_processing_seconds=0.3, **faults)
    run = run_playbook(playbook, variables, verbosity=0)
    assert_user_sees(run, cause)
    assert len(orders_placed(sim)) == orders
