"""Reliability under faults, and concurrent runs: the adjust_licenses playbook run for real against a simulator that
throttles, fails, drops, delays, expires tokens, loses answers, fails orders, or is left with a run killed half-way.

For each scenario the run converges to the desired seats (or fails with a clear message), the simulator holds exactly
the orders one clean run would have placed, and the audit file never reports as done what was not. The measured
outcomes are summarised in docs/reliability.md.
"""

import json
import os
import signal
import subprocess
import time

import pytest

from tests.integration.conftest import REPO, playbook_command, playbook_environment
from tests.simulator.harness import ApiClient

ADJUST = "ingrammicro.marketplace.adjust_licenses"
# A clean run of these lines places exactly three change orders (the last line is already right).
LINES = [
    {"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 30},   # subscription 3000001, 25 -> 30
    {"customer": "GLOBEX-002", "mpn": "SH3AMCLOS", "quantity": 45},             # 3000006, 40 -> 45
    {"customer": "INITECH-003", "mpn": "CFQ7TTC0LH18:0001:P1M", "quantity": 14},  # 3000008, 12 -> 14
    {"customer": "INITECH-003", "mpn": "DBX-BUS-STD-A", "quantity": 5},          # 3000010, unchanged
]
DESIRED = {"3000001": 30, "3000006": 45, "3000008": 14, "3000010": 5}
SEEDED_ORDERS = 13  # the simulator's seed holds orders SO000001 ... SO000013
PATIENT = {"INGRAM_MAX_RETRIES": "8"}


class State(ApiClient):
    """The simulator's state, read through its API (one token for the whole check)."""

    def seats(self):
        return {sid: self.subscription_seats(sid) for sid in DESIRED}

    def new_orders(self):
        """Orders created since the reset, with their subscription (list rows have none, so from the details)."""
        rows = self.rows("/orders")
        orders = [self.get("/orders/" + row["id"]) for row in rows if int(row["orderNumber"][2:]) > SEEDED_ORDERS]
        return sorted(orders, key=lambda order: order["orderNumber"])


def newest_audit(directory):
    """The newest result audit JSON the role wrote."""
    files = sorted(name for name in os.listdir(directory) if name.startswith("result-") and name.endswith(".json"))
    with open(os.path.join(directory, files[-1]), encoding="utf-8") as handle:
        return json.load(handle)


def audit_results(directory):
    """The per-line results of the newest audit JSON the role wrote."""
    document = newest_audit(directory)
    lines = document.get("lines") or document.get("plan")
    return [(line.get("subscription_id"), line.get("result")) for line in lines]


def variables(tmp_path):
    return {"license_adjustment_licenses": LINES, "license_adjustment_output_dir": str(tmp_path / "audit")}


def assert_clean_outcome(simulator, tmp_path):
    state = State(simulator)
    assert state.seats() == DESIRED
    orders = state.new_orders()
    assert sorted(order["subscriptionId"] for order in orders) == ["3000001", "3000006", "3000008"], [
        (order["orderNumber"], order["subscriptionId"], order["status"]) for order in orders]
    assert all(order["status"] == "completed" and order["type"] == "change" for order in orders)
    assert audit_results(tmp_path / "audit") == [("3000001", "completed"), ("3000006", "completed"),
                                                 ("3000008", "completed"), ("3000010", "none")]


SCENARIOS = {
    "429 storm with Retry-After": ({"rate_limit": {"requests": 6, "window_seconds": 1}}, {}),
    "429 storm without Retry-After": ({"rate_limit": {"requests": 6, "window_seconds": 1, "retry_after": None}}, PATIENT),
    "5xx burst (503)": ({"error_rate": 0.25, "error_status": 503}, PATIENT),
    "5xx burst (502, ambiguous for orders)": ({"error_rate": 0.2, "error_status": 502}, PATIENT),
    "dropped connections": ({"drop_rate": 0.2}, PATIENT),
    "responses slower than timeout": ({"slow_ms": 2500, "slow_rate": 0.25}, dict(PATIENT, INGRAM_TIMEOUT="1")),
    "token expiry during the run": ({"token_ttl": 2, "order_processing_seconds": 3}, {}),
    "answers of POST /orders lost after acting": ({"lose_order_responses": 3}, {}),
}


OUTCOMES = {}


@pytest.fixture(scope="module", autouse=True)
def record_outcomes():
    """Write what each scenario measured to tests/output/reliability.json (the source of docs/reliability.md's table)."""
    yield
    os.makedirs(os.path.join(REPO, "tests", "output"), exist_ok=True)
    with open(os.path.join(REPO, "tests", "output", "reliability.json"), "w", encoding="utf-8") as handle:
        json.dump(OUTCOMES, handle, indent=2, sort_keys=True)


def measure(name, simulator, started, rc):
    log = simulator.requests()
    OUTCOMES[name] = {
        "exit_code": rc, "seconds": round(time.monotonic() - started, 1), "requests": len(log),
        "token_requests": sum(1 for entry in log if entry["path"].endswith("/token")),
        "throttled_429": sum(1 for entry in log if entry["status"] == 429),
        "server_errors": sum(1 for entry in log if (entry["status"] or 0) >= 500),
        "no_answer": sum(1 for entry in log if entry["status"] is None),
        "order_requests": sum(1 for entry in log if entry["method"] == "POST" and entry["path"].endswith("/orders")),
    }


@pytest.fixture
def sim(simulator):
    simulator.reset()
    simulator.set_faults(order_processing_seconds=0.5)
    return simulator


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_fault_scenario_converges_with_exactly_the_clean_orders(scenario, sim, run_playbook, tmp_path):
    faults, env = SCENARIOS[scenario]
    sim.set_faults(**faults)
    started = time.monotonic()
    run = run_playbook(ADJUST, variables(tmp_path), env=env, verbosity=2)
    measure(scenario, sim, started, run.rc)
    assert run.rc == 0, run.output[-5000:]
    sim.set_faults(rate_limit=None, error_rate=0, drop_rate=0, slow_rate=0)  # so that checking is not disturbed
    assert_clean_outcome(sim, tmp_path)
    log = sim.requests()
    if "token expiry" in scenario:
        # Tokens lasting 2 s over a run of several seconds: renewed (before expiry, or after a 401) as often as needed.
        assert len([entry for entry in log if entry["path"].endswith("/token")]) >= 2
    if "lost" in scenario:
        assert "the answer to POST /orders was lost" in run.output


def test_an_order_ending_in_error_fails_clearly_and_a_rerun_completes(sim, run_playbook, tmp_path):
    sim.set_faults(order_error_next=1)
    started = time.monotonic()
    failed = run_playbook(ADJUST, variables(tmp_path), verbosity=1)
    measure("an order ends in error (first run)", sim, started, failed.rc)
    assert failed.rc != 0
    assert "1 of 4 lines failed" in failed.output and "ended in status error" in failed.output
    results = dict(audit_results(tmp_path / "audit"))
    assert newest_audit(tmp_path / "audit")["status"] == "failed"
    state = State(sim)
    orders = state.new_orders()
    assert len(orders) == 3 and [order["status"] for order in orders].count("error") == 1
    errored = next(order["subscriptionId"] for order in orders if order["status"] == "error")
    assert results[errored] == "failed"  # reported as failed, not as done
    assert all(result == "completed" for sid, result in results.items() if sid not in (errored, "3000010"))
    rerun = run_playbook(ADJUST, variables(tmp_path), verbosity=1)
    assert rerun.rc == 0, rerun.output[-4000:]
    assert state.seats() == DESIRED
    assert len(state.new_orders()) == 4  # the one clean order that was still missing, nothing else


def start(simulator, tmp_path, cache_home, name, extra=None):
    environment = playbook_environment(simulator, cache_home)
    output = open(tmp_path / (name + ".log"), "w", encoding="utf-8")  # pylint: disable=consider-using-with
    process = subprocess.Popen(playbook_command(simulator, ADJUST, dict(variables(tmp_path), **(extra or {})), verbosity=1),
                               cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    return process, output


def test_a_run_killed_between_ordering_and_waiting_then_run_again(sim, run_playbook, tmp_path):
    sim.set_faults(order_processing_seconds=8)
    cache_home = tmp_path / "cache"
    process, output = start(sim, tmp_path, cache_home, "killed")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        placed = [entry for entry in sim.requests() if entry["method"] == "POST" and entry["path"].endswith("/orders")]
        if len(placed) == 3:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    output.close()
    state = State(sim)
    assert [order["status"] for order in state.new_orders()] == ["submitted"] * 3  # ordered, never waited for
    started = time.monotonic()
    rerun = run_playbook(ADJUST, variables(tmp_path), verbosity=1, cache_home=cache_home)
    measure("run killed after ordering, then run again (both runs)", sim, started, rerun.rc)
    assert rerun.rc == 0, rerun.output[-4000:]
    assert "already open, before planning" in rerun.output
    assert state.seats() == DESIRED
    assert len(state.new_orders()) == 3  # the killed run's orders were waited for, not placed again


def test_two_runs_at_the_same_time_place_each_order_once(sim, tmp_path):
    sim.set_faults(latency_ms=150)  # both runs read and plan before either orders
    started = time.monotonic()
    cache_home = tmp_path / "cache"
    first, first_output = start(sim, tmp_path, cache_home, "first")
    second, second_output = start(sim, tmp_path, cache_home, "second", {"license_adjustment_output_dir": str(tmp_path / "audit2")})
    for process, output in ((first, first_output), (second, second_output)):
        assert process.wait(timeout=300) == 0, (tmp_path / (os.path.basename(output.name))).read_text()[-4000:]
        output.close()
    measure("two runs at the same time", sim, started, 0)
    sim.set_faults(latency_ms=0)
    state = State(sim)
    assert state.seats() == DESIRED
    orders = state.new_orders()
    assert sorted(order["subscriptionId"] for order in orders) == ["3000001", "3000006", "3000008"]
    logs = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert "placed by another run while this one worked, reached the seats" in logs or "already open" in logs
