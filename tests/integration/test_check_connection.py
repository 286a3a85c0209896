"""The first-contact check, ingrammicro.marketplace.check_connection, run as a user would against the simulator: it
prints one row per assumption, writes nothing, and fails only when an assumption does not hold."""

import re

import pytest

CHECK = "ingrammicro.marketplace.check_connection"
NAMES = ["connection", "credentials", "reseller", "catalog", "list shape", "pagination", "status filter", "orders by subscription",
         "change quantity"]
READ_ONLY_POSTS = ("/token", "/orders/estimate")


def table(output):
    """{check name: (result, evidence)} from the playbook's table."""
    rows = {}
    for line in output.splitlines():
        match = re.match(r'^\s+"(%s)\s+(holds|does not hold|could not be checked)\s+(.*)",?$' % "|".join(NAMES), line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def writes(simulator):
    return [entry for entry in simulator.requests() if entry["method"] != "GET" and not entry["path"].endswith(READ_ONLY_POSTS)]


@pytest.fixture
def sim(simulator):
    simulator.reset()
    return simulator


def test_every_assumption_holds_on_a_faithful_api_and_nothing_is_written(sim, run_playbook):
    run = run_playbook(CHECK, verbosity=0)
    assert run.rc == 0, run.output[-4000:]
    rows = table(run.output)
    assert list(rows) == NAMES
    assert {result for result, _evidence in rows.values()} == {"holds"}
    assert rows["reseller"][1].startswith("reseller 2000001 (Simulated Cloud Reseller Inc.)")
    assert "shows a change of +1 seat, as intended" in rows["change quantity"][1]
    assert "Reseller 2000001 (Simulated Cloud Reseller Inc.)" in run.output
    assert re.fullmatch(r"GET /customers returned data and pagination offset 0, limit 1, total \d+", rows["list shape"][1])
    assert "set change_quantity_confirmed" in rows["change quantity"][1]
    assert writes(sim) == []
    assert [entry["path"] for entry in sim.requests() if entry["method"] == "POST"][-1].endswith("/orders/estimate")


def test_a_platform_reading_deltas_fails_the_check_naming_the_setting(sim, run_playbook):
    sim.set_faults(change_quantity="delta")
    run = run_playbook(CHECK, verbosity=0)
    assert run.rc != 0
    result, evidence = table(run.output)["change quantity"]
    assert result == "does not hold" and "Set change_quantity: delta (INGRAM_CHANGE_QUANTITY=delta)" in evidence
    assert "change quantity does not hold: " in run.output
    assert writes(sim) == []
    # With the matching setting, it holds.
    run = run_playbook(CHECK, env={"INGRAM_CHANGE_QUANTITY": "delta"}, verbosity=0)
    assert run.rc == 0 and table(run.output)["change quantity"][0] == "holds"


def test_an_estimate_without_evidence_is_reported_as_not_checked_not_as_holding(sim, run_playbook):
    sim.set_faults(estimate_details=False, estimate_proration=0.3)
    run = run_playbook(CHECK, verbosity=0)
    assert run.rc == 0, run.output[-4000:]
    result, evidence = table(run.output)["change quantity"]
    assert result == "could not be checked" and "canary" in evidence


def test_wrong_credentials_say_so_and_nothing_else_is_claimed(sim, run_playbook):
    run = run_playbook(CHECK, env={"INGRAM_PASSWORD": "wrong-password"}, verbosity=0)
    assert run.rc != 0
    rows = table(run.output)
    assert rows["credentials"][0] == "does not hold" and "HTTP 401" in rows["credentials"][1]
    assert rows["connection"][0] == "holds" and re.fullmatch(r"127\.0\.0\.1:\d+ answered POST /token \(HTTP 401\)", rows["connection"][1])
    assert {result for name, (result, _evidence) in rows.items() if name not in ("connection", "credentials")} == {"could not be checked"}
    assert "The reseller could not be told: no token (see the credentials row)" in run.output
    assert "No customer is visible" not in run.output  # which would read like an empty account


def test_with_the_reading_confirmed_it_is_not_advised_again(sim, run_playbook):
    run = run_playbook(CHECK, env={"INGRAM_CHANGE_QUANTITY_CONFIRMED": "true"}, verbosity=0)
    assert run.rc == 0, run.output[-4000:]
    evidence = table(run.output)["change quantity"][1]
    assert "change_quantity_confirmed is set, so licence runs place no canary order" in evidence
    assert "set change_quantity_confirmed (" not in evidence


def test_a_chosen_subscription_is_estimated_and_one_that_cannot_be_used_fails_naming_the_variable(sim, run_playbook):
    run = run_playbook(CHECK, {"check_connection_subscription_id": "3000006"}, verbosity=0)
    assert run.rc == 0, run.output[-4000:]
    assert "SH3AMCLOS 40 -> 41" in table(run.output)["change quantity"][1]
    run = run_playbook(CHECK, {"check_connection_subscription_id": "9999999"}, verbosity=0)
    assert run.rc != 0
    assert "check_connection_subscription_id 9999999: no subscription with this id is visible to this API user" in run.output
    run = run_playbook(CHECK, {"check_connection_subscription_id": "3000004"}, verbosity=0)  # terminated
    assert run.rc != 0
    assert "check_connection_subscription_id 3000004: the subscription is terminated" in run.output
