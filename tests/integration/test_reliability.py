"""Reliability under faults, and concurrent runs: the adjust_licenses playbook run for real against a simulator that
throttles, fails, drops, delays, expires tokens, loses answers, fails orders, or is left with a run killed half-way.

For each scenario the run converges to the desired seats (or fails with a clear message), the simulator holds exactly
the orders one clean run would have placed, and the audit file never reports as done what was not. The measured
outcomes are summarised in docs/reliability.md.
"""

import collections
import contextlib
import fcntl
import json
import os
import re
import signal
import subprocess
import time

import pytest

from tests.integration.conftest import REPO, known_secrets, playbook_command, playbook_environment
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
    """Write what each scenario measured to tests/output/reliability.json (the source of docs/reliability.md's table),
    merged with what the other pytest-xdist worker wrote."""
    yield
    path = os.path.join(REPO, "tests", "output", "reliability.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read()
        merged = dict(json.loads(text) if text.strip() else {}, **OUTCOMES)
        handle.seek(0)
        handle.truncate()
        json.dump(merged, handle, indent=2, sort_keys=True)


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
        assert "POST /orders got no answer, but" in run.output


def test_a_canary_ending_in_error_stops_the_other_orders_and_a_rerun_completes(sim, run_playbook, tmp_path):
    sim.set_faults(order_error_next=1)  # the first order of the run, the canary, ends in error
    started = time.monotonic()
    failed = run_playbook(ADJUST, variables(tmp_path), verbosity=0)
    measure("the canary order ends in error (first run)", sim, started, failed.rc)
    assert failed.rc != 0
    assert "3 of 4 lines failed" in failed.output and "ended in status error, so its seats were not changed" in failed.output
    assert newest_audit(tmp_path / "audit")["status"] == "failed"  # nothing reached its seats
    state = State(sim)
    orders = state.new_orders()
    assert [order["status"] for order in orders] == ["error"]  # no other change was risked after the canary failed
    results = dict(audit_results(tmp_path / "audit"))
    assert results == {orders[0]["subscriptionId"]: "failed", **{sid: "failed" for sid in DESIRED if sid not in (orders[0]["subscriptionId"], "3000010")},
                       "3000010": "none"}
    rerun = run_playbook(ADJUST, variables(tmp_path), verbosity=1)
    assert rerun.rc == 0, rerun.output[-4000:]
    assert state.seats() == DESIRED
    assert len(state.new_orders()) == 4  # the three clean orders, nothing else


def start(simulator, tmp_path, cache_home, name, extra=None, env=None, playbook=ADJUST, args=(), verbosity=1):
    """Start a playbook (adjust_licenses by default) in the background (its own session); its output goes to <name>.log."""
    environment = playbook_environment(simulator, cache_home, env)
    output = open(tmp_path / (name + ".log"), "w", encoding="utf-8")  # pylint: disable=consider-using-with
    variables_given = dict(variables(tmp_path), **(extra or {})) if playbook == ADJUST else extra
    process = subprocess.Popen(playbook_command(simulator, playbook, variables_given, args, verbosity=verbosity),
                               cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    return process, output


def test_a_run_killed_between_ordering_and_waiting_then_run_again(sim, run_playbook, tmp_path):
    sim.set_faults(order_processing_seconds=1)  # the canary completes quickly
    cache_home = tmp_path / "cache"
    process, output = start(sim, tmp_path, cache_home, "killed")
    deadline = time.monotonic() + 60
    slowed = False
    while time.monotonic() < deadline:
        placed = [entry for entry in sim.requests() if entry["method"] == "POST" and entry["path"].endswith("/orders")]
        if placed and not slowed:
            # The orders after the canary stay open long enough for the rerun to find them, however busy the machine.
            sim.set_faults(order_processing_seconds=20)
            slowed = True
        if len(placed) == 3:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    output.close()
    state = State(sim)
    # The first order was the canary (completed and read back before the others); the others were never waited for.
    assert [order["status"] for order in state.new_orders()] == ["completed", "submitted", "submitted"]
    started = time.monotonic()
    rerun = run_playbook(ADJUST, variables(tmp_path), verbosity=1, cache_home=cache_home)
    measure("run killed after ordering, then run again (both runs)", sim, started, rerun.rc)
    assert rerun.rc == 0, rerun.output[-4000:]
    assert re.search(r"waited for .*, already open on the subscriptions of lines [0-9, ]+, before planning", rerun.output)
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
    assert "while this run worked; nothing was ordered" in logs or "already open" in logs


# ---------------------------------------------------------------------------------------------------- money safety
# Each scenario below failed before the collection read seats under the lock, judged change quantities from the
# estimates, ran a canary, shared one throttle and reported outcomes honestly (see docs/reliability.md).

@contextlib.contextmanager
def background(process, output):
    """Close a background run's output and kill what is left of its session, whatever the test found."""
    try:
        yield
    finally:
        output.close()
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)


def wait_for_the_module_to_end(process, timeout=90):
    """Wait until no module process is left in the session of a killed ``ansible-playbook`` (it must end on its own)."""
    deadline = time.monotonic() + timeout
    while True:
        session = subprocess.run(["ps", "-o", "pid=,args=", "-s", str(process.pid)], capture_output=True, text=True, check=False)
        if "AnsiballZ_im_licenses" not in session.stdout:
            return
        assert time.monotonic() < deadline, session.stdout
        time.sleep(0.2)


def seeded_lines(simulator, count, prefix, changed=None):
    """``count`` generated subscriptions, one per customer, declared by id; the first ``changed`` (all by default) with one
    seat more than they hold."""
    customers = simulator.seed(customers=count, subscriptions_per_customer=1, external_id_prefix=prefix)["customers"]
    held = [customer["subscriptions"][0] for customer in customers]
    changed = count if changed is None else changed
    return [{"subscription_id": item["id"], "quantity": item["quantity"] + (1 if number < changed else 0)}
            for number, item in enumerate(held)]


def orders_by_subscription(simulator):
    state = State(simulator)
    return collections.Counter(order["subscriptionId"] for order in state.new_orders())


def seats_reached(simulator, lines):
    state = State(simulator)
    return {line["subscription_id"]: state.subscription_seats(line["subscription_id"]) for line in lines} == \
        {line["subscription_id"]: line["quantity"] for line in lines}


def finish(process, output, tmp_path, timeout=600):
    """Wait for a background run; its exit code and output."""
    code = process.wait(timeout=timeout)
    output.close()
    return code, (tmp_path / os.path.basename(output.name)).read_text()


@pytest.mark.parametrize("mode", ["total", "delta"])
def test_two_overlapping_runs_of_22_lines_order_each_subscription_once(mode, sim, tmp_path):
    """Two runs of the same 22 lines started together on one machine (one cache directory): each subscription is
    ordered once, and the run that came second saw the other's orders - before planning, or under the lock - and
    ordered nothing on top of them. Up to three rounds, until the runs really overlapped (a busy machine can start
    one after the other has finished, which proves nothing)."""
    for attempt in range(3):
        sim.reset()
        lines = seeded_lines(sim, 22, "RACE-")
        sim.set_faults(change_quantity=mode, latency_ms=100, order_processing_seconds=2)
        cache_home = tmp_path / ("cache-%d" % attempt)  # one machine: both runs share the cache directory and its locks
        started = time.monotonic()
        names = ["%d-%s" % (attempt, name) for name in ("first", "second")]
        runs = [start(sim, tmp_path, cache_home, name, {"license_adjustment_licenses": lines,
                                                        "license_adjustment_output_dir": str(tmp_path / name)},
                      {"INGRAM_CHANGE_QUANTITY": mode}) for name in names]
        results = [finish(process, output, tmp_path) for process, output in runs]
        measure("two runs of 22 lines started together (%s)" % mode, sim, started, max(code for code, _output in results))
        for code, output in results:
            assert code == 0, output[-4000:]
            assert not any(secret in output for secret in known_secrets(sim))
        sim.set_faults(latency_ms=0)
        placed = orders_by_subscription(sim)
        assert len(placed) == 22 and set(placed.values()) == {1}, placed  # no subscription bought twice
        assert seats_reached(sim, lines)
        for name in names:
            assert newest_audit(tmp_path / name)["status"] == "applied"
        logs = " ".join("".join(output for _code, output in results).split())  # warnings may be wrapped
        # Found the other's orders under the lock, or waited for them before planning.
        if "while this run worked; nothing was ordered" in logs or ", already open on the subscriptions of lines" in logs:
            break
    else:
        pytest.fail("the two runs never overlapped in 3 rounds, so the guard was not tested")


@pytest.mark.parametrize("mode", ["total", "delta"])
def test_a_run_without_waiting_then_an_immediate_rerun_order_each_line_once(mode, sim, run_playbook, tmp_path):
    lines = seeded_lines(sim, 6, "NOWAIT-")
    sim.set_faults(change_quantity=mode, latency_ms=300, order_processing_seconds=4)
    cache_home, env = tmp_path / "cache", {"INGRAM_CHANGE_QUANTITY": mode}
    started = time.monotonic()
    first = run_playbook(ADJUST, {"license_adjustment_licenses": lines, "license_adjustment_wait": False,
                                  "license_adjustment_output_dir": str(tmp_path / "first")}, env=env, verbosity=1, cache_home=cache_home)
    assert first.rc == 0, first.output[-4000:]
    audit = newest_audit(tmp_path / "first")
    # Not waited for, so not verified: the run says pending, not applied. The canary was waited for and verified.
    assert audit["status"] == "pending"
    assert sorted(line["result"] for line in audit["plan"]) == ["completed"] + ["submitted"] * 5
    rerun = run_playbook(ADJUST, {"license_adjustment_licenses": lines, "license_adjustment_output_dir": str(tmp_path / "rerun")},
                         env=env, verbosity=1, cache_home=cache_home)
    measure("wait: false, then an immediate rerun (%s)" % mode, sim, started, rerun.rc)
    assert rerun.rc == 0, rerun.output[-4000:]
    assert newest_audit(tmp_path / "rerun")["status"] == "applied"
    placed = orders_by_subscription(sim)
    assert len(placed) == 6 and set(placed.values()) == {1}, placed
    assert seats_reached(sim, lines)


@pytest.mark.parametrize("retry_after_format", ["seconds", "http-date"])
def test_a_budget_of_5_requests_per_second_slows_20_changes_down_without_failing(retry_after_format, sim, run_playbook, tmp_path):
    lines = seeded_lines(sim, 22, "RATE-", changed=20)
    sim.set_faults(rate_limit={"requests": 5, "window_seconds": 1, "retry_after_format": retry_after_format})
    started = time.monotonic()
    run = run_playbook(ADJUST, {"license_adjustment_licenses": lines, "license_adjustment_output_dir": str(tmp_path / "audit")},
                       verbosity=1)  # default retry settings
    measure("5 requests per second, 20 changes (Retry-After as %s)" % retry_after_format, sim, started, run.rc)
    log = sim.requests()
    sim.set_faults(rate_limit=None)
    assert run.rc == 0, run.output[-4000:]
    assert any(entry["status"] == 429 for entry in log)  # the budget was really hit
    assert newest_audit(tmp_path / "audit")["status"] == "applied"
    placed = orders_by_subscription(sim)
    assert len(placed) == 20 and set(placed.values()) == {1}
    assert seats_reached(sim, lines)


def test_throttling_past_retry_timeout_fails_the_lines_it_stopped(sim, run_playbook, tmp_path):
    # One order per 30 s may be placed; the runs allow 3 s of retrying: the first order goes, the others cannot.
    sim.set_faults(rate_limit={"requests": 1, "window_seconds": 30}, target={"method": "POST", "path": "^/orders$"})
    started = time.monotonic()
    run = run_playbook(ADJUST, variables(tmp_path), env={"INGRAM_RETRY_TIMEOUT": "3"}, verbosity=1)
    measure("throttled past retry_timeout (orders)", sim, started, run.rc)
    sim.set_faults(rate_limit=None, target=None)
    assert run.rc != 0
    audit = newest_audit(tmp_path / "audit")
    assert audit["status"] == "partial"
    results = [(line["result"], line["message"]) for line in audit["plan"] if line["action"] == "increase"]
    completed = [result for result, _message in results].count("completed")
    failed = [message for result, message in results if result == "failed"]
    # The first order went through; a thread whose order was throttled gave up once the next try would come after
    # its 3 s (a thread that had not tried yet waits out the shared pause and may still get through).
    assert completed >= 1 and failed and completed + len(failed) == 3
    assert all("HTTP 429" in message and "retry_timeout" in message for message in failed)
    assert len(State(sim).new_orders()) == completed


def test_an_order_the_api_refuses_fails_the_run_and_the_audit_says_why(sim, run_playbook, tmp_path):
    sim.set_faults(decrease_window_days=7)  # the platform refuses decreases this late in the term
    lines = [{"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 20}]
    started = time.monotonic()
    run = run_playbook(ADJUST, {"license_adjustment_licenses": lines, "license_adjustment_allow_decrease": True,
                                "license_adjustment_output_dir": str(tmp_path / "audit")}, verbosity=1)
    measure("an order refused with 400", sim, started, run.rc)
    assert run.rc != 0
    audit = newest_audit(tmp_path / "audit")
    assert audit["status"] == "failed" and "1 of 1 lines failed" in audit["message"]
    assert audit["plan"][0]["result"] == "failed" and "within 7 days of purchase or renewal" in audit["plan"][0]["message"]
    assert audit["plan"][0]["failure"] == "refused_by_api"  # the kind of failure, for a program to test
    assert State(sim).new_orders() == [] and State(sim).subscription_seats("3000001") == 25


def test_a_platform_reading_deltas_is_caught_by_the_estimate_before_any_order(sim, run_playbook, tmp_path):
    sim.set_faults(change_quantity="delta")  # the collection sends totals (the default)
    started = time.monotonic()
    run = run_playbook(ADJUST, variables(tmp_path), verbosity=1)
    measure("the platform reads deltas, caught by the estimate", sim, started, run.rc)
    assert run.rc != 0
    assert not [entry for entry in sim.requests() if entry["method"] == "POST" and entry["path"].endswith("/orders")]
    audit = newest_audit(tmp_path / "audit")
    assert audit["status"] == "refused"
    assert "contradicts change_quantity=total, so nothing was ordered" in audit["message"]
    assert "Set change_quantity: delta (INGRAM_CHANGE_QUANTITY=delta)" in audit["message"]
    assert State(sim).seats() == {"3000001": 25, "3000006": 40, "3000008": 12, "3000010": 5}


def test_without_evidence_in_the_estimates_the_canary_limits_a_wrong_reading_to_one_order(sim, run_playbook, tmp_path):
    # Estimates without change details and with prorated prices say nothing either way; the canary must decide.
    sim.set_faults(change_quantity="delta", estimate_details=False, estimate_proration=0.05)
    started = time.monotonic()
    run = run_playbook(ADJUST, variables(tmp_path), verbosity=1)
    measure("the platform reads deltas, estimates inconclusive: canary", sim, started, run.rc)
    assert run.rc != 0
    orders = State(sim).new_orders()
    assert len(orders) == 1  # the canary, and nothing after it
    audit = newest_audit(tmp_path / "audit")
    assert audit["status"] == "failed"
    assert audit["quantity_reading"]["verdict"] == "inconclusive" and audit["quantity_reading"]["canary"] == 1
    canary, *others = [line for line in audit["plan"] if line["action"] == "increase"]
    assert "set change_quantity: delta (INGRAM_CHANGE_QUANTITY=delta)" in canary["message"]
    assert all(line["result"] == "failed" and line["message"].startswith("not ordered: the canary (line 1, ") for line in others)


def test_five_hundred_on_post_orders_is_reported_as_such(sim, run_playbook, tmp_path):
    sim.set_faults(error_next=1, error_status=500, target={"method": "POST", "path": "^/orders$"})
    started = time.monotonic()
    run = run_playbook(ADJUST, variables(tmp_path), verbosity=1)
    measure("a 500 answering POST /orders", sim, started, run.rc)
    assert run.rc == 0, run.output[-4000:]
    assert "POST /orders was answered with HTTP 500" in run.output and "got no answer" not in run.output
    sim.set_faults(target=None)
    assert_clean_outcome(sim, tmp_path)


def test_killing_ansible_playbook_stops_the_module_placing_orders(sim, run_playbook, tmp_path):
    lines = seeded_lines(sim, 6, "KILL-")
    sim.set_faults(order_processing_seconds=3)
    cache_home = tmp_path / "cache"
    started = time.monotonic()
    process, output = start(sim, tmp_path, cache_home, "killed", {"license_adjustment_licenses": lines})
    with background(process, output):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not [entry for entry in sim.requests()
                                                   if entry["method"] == "POST" and entry["path"].endswith("/orders")]:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)  # ansible-playbook only: its worker and the module process live on
        process.wait()
        # The canary completes after 3 s; a module that did not notice would place the other five orders then.
        wait_for_the_module_to_end(process)
        assert len(State(sim).new_orders()) == 1
    rerun = run_playbook(ADJUST, {"license_adjustment_licenses": lines}, verbosity=1, cache_home=cache_home)
    measure("ansible-playbook killed during the canary, then run again (both runs)", sim, started, rerun.rc)
    assert rerun.rc == 0, rerun.output[-4000:]
    placed = orders_by_subscription(sim)
    assert len(placed) == 6 and set(placed.values()) == {1}
    assert seats_reached(sim, lines)


# ---------------------------------------------------------------------------------------------------- separate machines
# AWX jobs run in containers of their own: each run below has its own cache directory, so no lock is shared and only
# what the API itself shows can keep two runs from buying the same seats.

CONFIRMED = {"INGRAM_CHANGE_QUANTITY_CONFIRMED": "true"}  # the reading is confirmed: no canary, every order at once


def non_cancelled_orders(simulator):
    """``{subscription or customer: [order numbers]}`` of the orders created since the reset that were not withdrawn."""
    placed = collections.defaultdict(list)
    for order in State(simulator).new_orders():
        if order["status"] != "cancelled":
            placed[order.get("subscriptionId") or order["customerId"]].append(order["orderNumber"])
    return placed


def cancelled_orders(simulator):
    return [order["orderNumber"] for order in State(simulator).new_orders() if order["status"] == "cancelled"]


def three_overlapping_declarations(lines):
    """Three runs over 12 lines in three groups of 4: every line is declared by exactly two runs."""
    groups = [lines[0:4], lines[4:8], lines[8:12]]
    return {"first": groups[0] + groups[1], "second": groups[1] + groups[2], "third": groups[2] + groups[0]}


@pytest.mark.parametrize("mode", ["total", "delta"])
def test_three_runs_on_separate_machines_never_buy_a_subscription_twice(mode, sim, tmp_path):
    """Three runs started together with separate caches, each subscription declared in two of them (+3 seats), 100 ms
    latency, twice over (the simulator's rendezvous makes each round race): every subscription ends with one order and
    its seats; a run whose order raced another one withdrew its own, and the runs say so."""
    raced = 0
    for repeat in range(2):
        sim.reset()
        seeded = sim.seed(customers=12, subscriptions_per_customer=1, external_id_prefix="AWX%d-" % repeat)["customers"]
        held = [customer["subscriptions"][0] for customer in seeded]
        lines = [{"subscription_id": item["id"], "quantity": item["quantity"] + 3} for item in held]
        # The rendezvous holds an order until the other run's order for that subscription arrives (at most 3 s), so
        # the runs race however late a busy machine starts one of them.
        sim.set_faults(change_quantity=mode, latency_ms=100, order_processing_seconds=2, rendezvous_seconds=3)
        started = time.monotonic()
        runs = {name: start(sim, tmp_path, tmp_path / ("cache-%d-%s" % (repeat, name)), "%d-%s" % (repeat, name),
                            {"license_adjustment_licenses": declared, "license_adjustment_output_dir": str(tmp_path / ("%d-%s" % (repeat, name)))},
                            dict(CONFIRMED, INGRAM_CHANGE_QUANTITY=mode))
                for name, declared in three_overlapping_declarations(lines).items()}
        results = {name: finish(process, output, tmp_path) for name, (process, output) in runs.items()}
        measure("three runs on separate machines (%s, round %d)" % (mode, repeat + 1), sim, started,
                max(code for code, _output in results.values()))
        sim.set_faults(latency_ms=0)
        placed = non_cancelled_orders(sim)
        assert {sid: len(numbers) for sid, numbers in placed.items()} == {item["id"]: 1 for item in held}, placed
        assert seats_reached(sim, lines)
        for name, (code, output) in results.items():
            assert code == 0, output[-4000:]
            assert newest_audit(tmp_path / ("%d-%s" % (repeat, name)))["status"] == "applied"
            assert not any(secret in output for secret in known_secrets(sim))
        withdrawn = cancelled_orders(sim)
        logs = "".join(output for _code, output in results.values())
        for number in withdrawn:  # each withdrawn order is named by the run that withdrew it
            assert "this run's order %s" % number in logs
        raced += len(withdrawn)
    OUTCOMES["three runs on separate machines (%s): orders withdrawn after a race" % mode] = raced
    assert raced > 0  # the runs did race: the guard was needed, not just lucky timing


def test_when_orders_cannot_be_withdrawn_every_run_of_a_race_fails_naming_the_orders(sim, tmp_path):
    """A platform that refuses to cancel orders through the API: a race ends in a duplicate, and every run that took part
    in it fails, naming the subscription and both orders; none says applied."""
    sim.set_faults(change_quantity="total", latency_ms=100, order_processing_seconds=2, order_withdrawal=False, rendezvous_seconds=3)
    for attempt in range(3):  # until the two runs have really raced (the rendezvous makes the first attempt one)
        seeded = sim.seed(customers=8, subscriptions_per_customer=1, external_id_prefix="DUP%d-" % attempt)["customers"]
        held = [customer["subscriptions"][0] for customer in seeded]
        lines = [{"subscription_id": item["id"], "quantity": item["quantity"] + 3} for item in held]
        runs = {name: start(sim, tmp_path, tmp_path / ("cache-%d-%s" % (attempt, name)), "%d-%s" % (attempt, name),
                            {"license_adjustment_licenses": lines, "license_adjustment_output_dir": str(tmp_path / ("%d-%s" % (attempt, name)))},
                            CONFIRMED)
                for name in ("first", "second")}
        results = {"%d-%s" % (attempt, name): finish(process, output, tmp_path) for name, (process, output) in runs.items()}
        ours = {item["id"] for item in held}
        twice = {sid: numbers for sid, numbers in non_cancelled_orders(sim).items() if len(numbers) > 1 and sid in ours}
        if twice:
            break
    sim.set_faults(latency_ms=0, order_withdrawal=True, rendezvous_seconds=0)
    assert twice, "no race happened in 3 rounds, so nothing was tested"
    for name, (code, output) in results.items():
        involved = [sid for sid, numbers in twice.items() if any(number in output for number in numbers)]
        assert sorted(involved) == sorted(twice), (name, output[-3000:])  # every run saw every duplicate
        assert code != 0
        audit = newest_audit(tmp_path / name)
        assert audit["status"] in ("partial", "failed")
        for sid, numbers in twice.items():
            line = next(line for line in audit["plan"] if line["subscription_id"] == sid)
            assert line["result"] == "failed"
            assert "subscription %s" % sid in line["message"] and all(number in line["message"] for number in numbers), line["message"]


ONBOARD = "ingrammicro.marketplace.onboard_customers"
NEW_CUSTOMER = {
    "external_id": "RACE-NEW-1", "name": "Race Condition GmbH", "language": "de",
    "address": {"street_address": "Torstrasse 49", "postal_code": "10119", "city": "Berlin", "country_code": "DE"},
    "contact_persons": [{"first_name": "Monica", "last_name": "Hall", "email": "monica@race.example", "phone_number": "+49305550199"}],
    "subscriptions": [{"mpn": "SH3AMCLOS", "quantity": 8}],
}


@pytest.mark.parametrize("platform", ["duplicate external ids allowed", "duplicate external ids refused"])
def test_three_onboarding_runs_of_one_new_customer_leave_one_customer_with_one_subscription(platform, sim, tmp_path):
    """Three onboarding runs of one new customer, started together with separate caches (up to three rounds, until the
    runs have really raced for the creation): one customer has the external id, every run ends on it, and it holds
    one subscription bought by one order."""
    refused = platform.endswith("refused")
    raced = 0
    for attempt in range(3):
        sim.reset()
        # The rendezvous holds a creation until another run's creation of the same customer (or order for it) arrives,
        # at most 3 s: the runs race for it however late a busy machine starts one of them.
        sim.set_faults(latency_ms=100, order_processing_seconds=5, unique_external_ids=refused, rendezvous_seconds=3)
        runs = {name: start(sim, tmp_path, tmp_path / ("cache-%d-%s" % (attempt, name)), "%d-%s" % (attempt, name),
                            {"onboarding_customers": [NEW_CUSTOMER]}, playbook=ONBOARD, verbosity=0)
                for name in ("first", "second", "third")}
        results = {name: finish(process, output, tmp_path) for name, (process, output) in runs.items()}
        sim.set_faults(latency_ms=0)
        api = State(sim)
        named = api.rows("/customers", externalId="RACE-NEW-1")
        assert len(named) == 1  # every later lookup by external id finds one customer
        created = [row for row in api.rows("/customers") if row["name"] == "Race Condition GmbH"]
        retired = [row for row in created if row["externalId"] != "RACE-NEW-1"]
        assert all(row["externalId"] == "RACE-NEW-1~duplicate-%s" % row["id"] for row in retired)
        for name, (code, output) in results.items():
            own = [row["id"] for row in retired if "which created id %s." % row["id"] in output]
            if own:  # the run that created an extra record fails, naming both records, the one to remove and the rerun
                assert code == 2 and '"failure": "created_twice"' in output, (name, output[-4000:])
                assert ("remove id %s in the reseller control panel. A rerun is safe: it finds id %s" % (own[0], named[0]["id"])
                        in output), (name, output[-4000:])
            else:
                assert code == 0, (name, output[-4000:])
        logs = "".join(output for _code, output in results.values())
        for row in retired:  # each extra record of the race is named by the run that created it
            assert "which created id %s." % row["id"] in logs
        orders = [order for order in api.new_orders() if order["status"] != "cancelled"]
        assert len(orders) == 1 and orders[0]["customerId"] == named[0]["id"], orders
        assert len(api.rows("/subscriptions", customerId=named[0]["id"])) == 1
        if refused:
            assert len(created) == 1
            raced = logs.count("another run created it")
        else:
            raced = len(retired)
        OUTCOMES["three onboarding runs of one new customer (%s)" % platform] = {
            "rounds": attempt + 1, "customers created": len(created), "customers with the external id": len(named),
            "orders": len(orders), "orders withdrawn": len(cancelled_orders(sim)),
            "runs failed": sum(code != 0 for code, _output in results.values())}
        if raced:
            break
    assert raced, "the runs never raced for the creation, so the guard was not tested"


# ---------------------------------------------------------------------------------------------------- the canary's bound

INCONCLUSIVE_DELTAS = {"change_quantity": "delta", "estimate_details": False, "estimate_proration": 0.05}


def test_a_canary_that_times_out_stops_every_other_order_until_a_later_run_settles_it(sim, run_playbook, tmp_path):
    """The platform reads deltas, the collection sends totals, the estimates say nothing, orders take 45 s and
    wait_timeout is 4: the canary times out. Nothing else is ordered, by this run or the next, until the canary has
    completed; then its seats settle the reading and the plan is refused naming the setting. One wrong order in all."""
    lines = seeded_lines(sim, 5, "SLOW-")
    sim.set_faults(order_processing_seconds=45, **INCONCLUSIVE_DELTAS)  # long enough to be open still at the second run
    cache_home = tmp_path / "cache"
    extra = {"license_adjustment_licenses": lines, "license_adjustment_wait_timeout": 4}
    started = time.monotonic()
    first = run_playbook(ADJUST, dict(variables(tmp_path), **extra), verbosity=0, cache_home=cache_home)
    measure("the canary times out (wait_timeout 4 s, orders take 45 s)", sim, started, first.rc)
    assert first.rc != 0
    orders = State(sim).new_orders()
    assert len(orders) == 1
    canary = orders[0]["orderNumber"]
    assert "5 of 5 lines failed" in first.output
    assert "orders of failed lines that exist: %s (processing)" % canary in first.output or \
        "orders of failed lines that exist: %s (submitted)" % canary in first.output
    assert "was placed and is still" in first.output and "A rerun is safe" in first.output
    assert "not ordered: the canary (line 1, order %s, " % canary in first.output
    assert "no change order is placed on this machine until it has been settled" in first.output
    again = run_playbook(ADJUST, dict(variables(tmp_path), **extra), verbosity=0, cache_home=cache_home)
    assert again.rc != 0
    assert len(State(sim).new_orders()) == 1  # still only the canary
    assert "the canary order %s" % canary in again.output
    assert "no change order is placed on this machine until it has ended and its seats have been read back: run again once it " \
           "has completed; nothing was ordered" in again.output
    deadline = time.monotonic() + 90
    while State(sim).get("/orders/" + orders[0]["id"])["status"] != "completed" and time.monotonic() < deadline:
        time.sleep(0.5)
    settled = run_playbook(ADJUST, dict(variables(tmp_path), **extra), verbosity=0, cache_home=cache_home)
    assert settled.rc != 0
    assert len(State(sim).new_orders()) == 1
    assert "showed that this platform reads change quantities as delta" in settled.output
    assert "Set change_quantity: delta (INGRAM_CHANGE_QUANTITY=delta)" in settled.output
    assert "nothing was ordered" in settled.output


def test_customer_hosts_with_8_forks_wait_for_one_canary(sim, run_playbook, tmp_path):
    """The customers inventory, one changed subscription per customer host, -f 8, and a platform that reads deltas
    while the collection sends totals with nothing in the estimates to tell: one canary for the whole playbook run, and
    every other host orders nothing."""
    seeded = sim.seed(customers=8, subscriptions_per_customer=1, external_id_prefix="FORK-")["customers"]
    sim.set_faults(latency_ms=20, order_processing_seconds=1, **INCONCLUSIVE_DELTAS)
    inventory_dir = tmp_path / "inventory"
    (inventory_dir / "host_vars").mkdir(parents=True)
    (inventory_dir / "customers.marketplace.yml").write_text(json.dumps({
        "plugin": "ingrammicro.marketplace.customers", "groups": {"forks": "marketplace_external_id.startswith('FORK-')"}}))
    for customer in seeded:
        held = customer["subscriptions"][0]
        (inventory_dir / "host_vars" / (customer["externalId"] + ".yml")).write_text(json.dumps(
            {"license_adjustment_licenses": [{"mpn": held["mpn"], "quantity": held["quantity"] + 2}]}))
    started = time.monotonic()
    run = run_playbook(ADJUST, {"license_adjustment_hosts": "forks", "license_adjustment_output_dir": str(tmp_path / "audit")},
                       args=("-i", str(inventory_dir / "customers.marketplace.yml"), "-f", "8"), verbosity=0)
    measure("8 customer hosts, -f 8, wrong reading undetectable by estimates", sim, started, run.rc)
    assert run.rc != 0
    orders = State(sim).new_orders()
    assert len(orders) == 1, [order["orderNumber"] for order in orders]  # one wrong order for the whole playbook run
    assert run.output.count("failed=1") == 8
    assert run.output.count("showed that this platform reads change quantities as delta") >= 7  # the hosts that waited


def test_killing_ansible_playbook_while_it_plans_stops_every_order(sim, run_playbook, tmp_path):
    """ansible-playbook killed while the module is still reading: its worker and the module live on, but the module
    knew its controller from the start and places nothing."""
    lines = seeded_lines(sim, 10, "PLANKILL-")
    sim.set_faults(latency_ms=400, order_processing_seconds=1)
    process, output = start(sim, tmp_path, tmp_path / "cache", "killed", {"license_adjustment_licenses": lines}, CONFIRMED)
    with background(process, output):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not [entry for entry in sim.requests() if "/subscriptions" in entry["path"]]:
            time.sleep(0.05)
        assert not [entry for entry in sim.requests() if entry["method"] == "POST" and entry["path"].endswith("/orders")]
        os.kill(process.pid, signal.SIGKILL)  # while it plans: reading subscriptions, no order yet
        process.wait()
        wait_for_the_module_to_end(process)  # it plans on, then would order: nothing may be ordered
        assert State(sim).new_orders() == []
    OUTCOMES["ansible-playbook killed while planning 10 changes: orders placed"] = len(State(sim).new_orders())


# ---------------------------------------------------------------------------------------------------- honest outcomes

def test_orders_whose_wait_timed_out_are_named_and_a_rerun_is_said_to_be_safe(sim, run_playbook, tmp_path):
    sim.set_faults(order_processing_seconds=15)
    run = run_playbook(ADJUST, dict(variables(tmp_path), license_adjustment_wait_timeout=2), env=CONFIRMED, verbosity=0)
    assert run.rc != 0
    numbers = [order["orderNumber"] for order in State(sim).new_orders()]
    assert len(numbers) == 3
    assert "3 of 4 lines failed; orders of failed lines that exist: " in run.output
    for number in numbers:
        assert number in run.output
    assert "A rerun is safe: it waits for this order and orders nothing on top of it" in run.output
    audit = newest_audit(tmp_path / "audit")
    assert audit["status"] == "failed"
    assert sorted(line["failure"] for line in audit["plan"] if line["result"] == "failed") == ["wait_timed_out"] * 3


def test_a_lost_order_answer_whose_lookup_fails_says_an_order_may_exist(sim, run_playbook, tmp_path):
    """POST /orders acts but its answer is lost, and every look for the order it may have made fails too: the line
    fails saying that an order may exist and that a rerun is safe; the rerun finds the order and buys nothing more."""
    lines = [{"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 30}]
    extra = {"license_adjustment_licenses": lines, "license_adjustment_output_dir": str(tmp_path / "audit")}
    # Only the look-up lists orders by creation time; the check for open orders before ordering does not.
    sim.set_faults(lose_order_responses=1, error_rate=1.0, error_status=503,
                   target={"method": "GET", "path": "^/orders$", "query": "creationTimeFrom"})
    run = run_playbook(ADJUST, extra, env=dict(CONFIRMED, INGRAM_MAX_RETRIES="1"), verbosity=0)
    sim.set_faults(target=None, error_rate=0)
    assert run.rc != 0
    assert "POST /orders got no answer" in run.output
    assert "an order for subscription 3000001 may exist. A rerun is safe: it looks for open orders before ordering" in run.output
    assert len(State(sim).new_orders()) == 1  # the lost answer's order
    rerun = run_playbook(ADJUST, extra, env=CONFIRMED, verbosity=0)
    assert rerun.rc == 0, rerun.output[-4000:]
    assert len(State(sim).new_orders()) == 1 and State(sim).subscription_seats("3000001") == 30
    assert "; confirmed by you (change_quantity_confirmed is true), so no canary order is placed" in run.output
