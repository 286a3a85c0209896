"""`make bench`: the licence-adjustment benchmark of DESIGN section 9, side by side in one run.

Scenario: the simulator answers every request after 50 ms; 200 subscriptions across 50 customers are declared, 20 of
them with one more seat. Measured, alternating and repeated (median of the rounds):

1. `ingrammicro.marketplace.adjust_licenses` applying the change, as a first run (one canary order completes before
   the others are placed), and again with the change_quantity reading confirmed (no canary);
2. the same rerun with nothing to change;
3. the same in check mode;
4. tests/perf/baseline_uri.yml, the same job written with ansible.builtin.uri (one token, then per line: read, order
   when different, poll until complete).

For each: wall time, requests by method and token requests (from the simulator), writes, CPU time of the
ansible-playbook process tree. Also the floor (the fewest requests the job needs x latency / concurrency) and the
single-subscription case (one im_subscription change against one uri change), and the apply against a budget of 5
requests per second (does it finish in one run, and what share of the budget does it use). Timings are noisy on shared machines:
only ratios from the same run are compared, and nothing here gates `make test`.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

from tests.simulator.harness import ApiClient, Simulator  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
INVENTORY = os.path.join(REPO, "tests", "integration", "inventory.ini")
LATENCY_MS = 50
CUSTOMERS, PER_CUSTOMER, CHANGES = 50, 4, 20
CONCURRENCY = 8
READ_ONLY_POSTS = ("/token", "/orders/estimate", "/validation/parameters")
KINDS = ("apply", "confirmed", "rerun", "check", "baseline")
RATE_BUDGET = 5  # requests per second in the rate-limited scenario


class Bench:
    def __init__(self, sim, workdir, order_seconds):
        self.sim = sim
        self.workdir = workdir
        self.order_seconds = order_seconds

    def prepare(self):
        """A fresh simulator state with the bench customers; returns the declared lines (20 with one more seat)."""
        self.sim.reset()
        seeded = self.sim.seed(customers=CUSTOMERS, subscriptions_per_customer=PER_CUSTOMER, external_id_prefix="BENCH-")
        self.sim.set_faults(latency_ms=LATENCY_MS, order_processing_seconds=self.order_seconds)
        lines = [{"subscription_id": held["id"], "quantity": held["quantity"]}
                 for customer in seeded["customers"] for held in customer["subscriptions"]]
        step = len(lines) // CHANGES
        for index in range(0, step * CHANGES, step):
            lines[index]["quantity"] += 1
        return lines

    def playbook(self, kind, lines):
        variables = os.path.join(self.workdir, "%s.json" % kind)
        if kind == "baseline" or kind == "single-uri":
            with open(variables, "w", encoding="utf-8") as handle:
                json.dump({"desired": lines}, handle)
            return [os.path.join(REPO, "tests", "perf", "baseline_uri.yml"), "-e", "@" + variables]
        if kind == "single-module":
            with open(variables, "w", encoding="utf-8") as handle:
                json.dump({"bench_line": lines[0]}, handle)
            return [os.path.join(REPO, "tests", "perf", "single_subscription.yml"), "-e", "@" + variables]
        with open(variables, "w", encoding="utf-8") as handle:
            json.dump({"license_adjustment_licenses": lines, "license_adjustment_concurrency": CONCURRENCY}, handle)
        return ["ingrammicro.marketplace.adjust_licenses", "-e", "@" + variables] + (["--check"] if kind == "check" else [])

    def run(self, kind, lines, measure=True):  # pylint: disable=too-many-locals
        cache_home = tempfile.mkdtemp(dir=self.workdir)
        env = {name: value for name, value in os.environ.items() if not name.startswith("INGRAM_")}
        env.update(INGRAM_API_URL=self.sim.base_url, INGRAM_USERNAME="demo", INGRAM_PASSWORD="demo-password",
                   INGRAM_SUBSCRIPTION_KEY="demo-key", INGRAM_MARKETPLACE="us", XDG_CACHE_HOME=cache_home,
                   ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
        if kind == "confirmed":
            # A user who has confirmed the change_quantity reading (or a machine whose cache holds the confirmation):
            # no canary order first. Every other apply starts with an empty cache, as an AWX job does.
            env["INGRAM_CHANGE_QUANTITY_CONFIRMED"] = "true"
        before_log = len(self.sim.requests())
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        completed = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", INVENTORY] + self.playbook(kind, lines),
                                   cwd=REPO, env=env, capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if completed.returncode != 0:
            raise SystemExit("%s failed:\n%s" % (kind, completed.stdout[-4000:]))
        if not measure:
            return None
        log = self.sim.requests()[before_log:]
        methods = {}
        for entry in log:
            methods[entry["method"]] = methods.get(entry["method"], 0) + 1
        return {
            "wall": wall,
            "cpu": (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime),
            "requests": len(log), "methods": methods,
            "tokens": sum(1 for entry in log if entry["path"].endswith("/token")),
            "writes": sum(1 for entry in log if entry["method"] != "GET" and not entry["path"].endswith(READ_ONLY_POSTS)),
        }

    def seats_match(self, lines):
        """Whether the simulator holds the declared seats (checked after apply and baseline runs)."""
        self.sim.set_faults(latency_ms=0)
        api = ApiClient(self.sim)
        return all(api.subscription_seats(line["subscription_id"]) == line["quantity"] for line in lines)

    def measure(self, kind):
        lines = self.prepare()
        if kind == "rerun":
            self.run("apply", lines, measure=False)
        result = self.run(kind, lines)
        if kind in ("apply", "confirmed", "baseline") and not self.seats_match(lines):
            raise SystemExit("%s did not reach the declared seats" % kind)
        return result

    def measure_single(self, kind):
        lines = self.prepare()[:1]
        result = self.run(kind, lines)
        if not self.seats_match(lines):
            raise SystemExit("%s did not reach the declared seats" % kind)
        return result


def measure_rate_limited(bench):
    """The apply against a budget of RATE_BUDGET requests per second (sliding window, Retry-After computed), no latency:
    does it finish in one run with every seat right, and how much of the budget did it use?"""
    lines = bench.prepare()
    bench.sim.set_faults(latency_ms=0, rate_limit={"requests": RATE_BUDGET, "window_seconds": 1})
    before_log = len(bench.sim.requests())
    result = bench.run("apply", lines)  # exits on a failed run
    log = bench.sim.requests()[before_log:]
    bench.sim.set_faults(rate_limit=None)
    answered = [entry for entry in log if entry["status"] != 429]
    span = max(entry["at"] for entry in log) - min(entry["at"] for entry in log)
    result.update(seats_right=bench.seats_match(lines), throttled=len(log) - len(answered), answered=len(answered), span=span,
                  throughput=len(answered) / span / RATE_BUDGET if span else 0.0)
    return result


def profile_apply(bench):
    """Where the apply's time goes, phase by phase: the module's licence run (LicenceRun) in this process, no Ansible."""
    sys.path.insert(0, os.path.join(REPO, ".collections"))
    # pylint: disable=import-outside-toplevel
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._client import MarketplaceClient
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._dates import today_utc
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._licence_run import LicenceRun, PhaseClock
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import OrderDesk
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._waiter import Waiter

    lines = bench.prepare()
    specs = [dict(customer=None, mpn=None, subscription_id=line["subscription_id"], quantity=line["quantity"],
                  decrease_window_days=None, parameters=None, po_number=None) for line in lines]
    client = MarketplaceClient(ConnectionConfig.from_params(dict(api_url=bench.sim.base_url, username="demo", password="demo-password",
                                                                 subscription_key="demo-key", marketplace="us", token_cache=False,
                                                                 change_quantity_confirmed=True)))
    clock = PhaseClock()
    client.token()
    clock("token")
    options = dict(concurrency=CONCURRENCY, po_number=None, decrease_window_days=None, max_cost_delta=None, plan_file=None, wait_timeout=900)
    run = LicenceRun(client, lambda concurrency=8: OrderDesk(client, lambda message: None, concurrency), lambda: Waiter(900),
                     lambda message: None, options, today=today_utc(), mark=clock)
    run.run(specs, _seats.Guardrails())
    return clock.phases, sum(seconds for _name, seconds in clock.phases)


def median(results, key):
    return statistics.median(result[key] for result in results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--order-seconds", type=float, default=1.0, help="simulated order processing time")
    parser.add_argument("--json", help="also write the results here")
    options = parser.parse_args()
    results = {kind: [] for kind in KINDS + ("single-module", "single-uri")}
    with Simulator() as sim, tempfile.TemporaryDirectory() as workdir:
        bench = Bench(sim, workdir, options.order_seconds)
        for round_number in range(options.rounds):
            order = KINDS[round_number % len(KINDS):] + KINDS[:round_number % len(KINDS)]  # alternate who goes first
            for kind in order:
                results[kind].append(bench.measure(kind))
                print("round %d %-9s %6.1f s" % (round_number + 1, kind, results[kind][-1]["wall"]), flush=True)
            for kind in ("single-module", "single-uri"):
                results[kind].append(bench.measure_single(kind))
        phases, engine_total = profile_apply(bench)
        limited = measure_rate_limited(bench)
    report(results, options)
    print()
    print("Rate-limited: %d requests per second allowed, %d subscriptions declared, %d to change, no latency" % (
        RATE_BUDGET, CUSTOMERS * PER_CUSTOMER, CHANGES))
    print("  one run, exit 0: yes; every seat right: %s; wall %.1f s; %d requests answered and %d throttled (429) over %.1f s"
          % ("yes" if limited["seats_right"] else "NO", limited["wall"], limited["answered"], limited["throttled"], limited["span"]))
    met = limited["throughput"] >= 0.8 and limited["seats_right"]
    print("  %-50s %8.2f  target >= 0.8: %s" % ("throughput used, share of the budget", limited["throughput"], "met" if met else "MISSED"))
    print()
    print("Profile of the apply's engine, in process (the rest of the playbook's wall time is Ansible: start-up, the")
    print("module's own start, the role's tasks):")
    for name, seconds in phases:
        print("  %-52s %6.2f s" % (name, seconds))
    print("  %-52s %6.2f s" % ("total", engine_total))


def report(results, options):
    rows = []
    for kind in KINDS + ("single-module", "single-uri"):
        runs = results[kind]
        methods = runs[-1]["methods"]
        rows.append((kind, median(runs, "wall"), median(runs, "cpu"), runs[-1]["requests"],
                     " ".join("%s %d" % item for item in sorted(methods.items())), runs[-1]["tokens"], runs[-1]["writes"]))
    apply_requests = results["apply"][-1]["requests"]
    # The fewest requests the job needs: one token, a read of each declared subscription, an order and one
    # completion check per change; at the latency, with the module's concurrency.
    minimum = 1 + CUSTOMERS * PER_CUSTOMER + 2 * CHANGES
    floor = minimum * LATENCY_MS / 1000.0 / CONCURRENCY
    rerun_floor = (1 + CUSTOMERS * PER_CUSTOMER) * LATENCY_MS / 1000.0 / CONCURRENCY
    walls = {row[0]: row[1] for row in rows}
    print()
    print("Scenario: %d subscriptions over %d customers, %d to change, %d ms latency, orders complete after %.1f s, "
          "median of %d rounds" % (CUSTOMERS * PER_CUSTOMER, CUSTOMERS, CHANGES, LATENCY_MS, options.order_seconds, options.rounds))
    print("%-14s %9s %9s %9s  %-28s %7s %7s" % ("run", "wall (s)", "CPU (s)", "requests", "by method", "tokens", "writes"))
    for kind, wall, cpu, count, methods, tokens, writes in rows:
        print("%-14s %9.2f %9.2f %9d  %-28s %7d %7d" % (kind, wall, cpu, count, methods, tokens, writes))
    print()
    print("floor (apply): %d requests x %d ms / %d = %.2f s; apply used %d requests" % (minimum, LATENCY_MS, CONCURRENCY, floor, apply_requests))
    print("floor (rerun): %d requests x %d ms / %d = %.2f s" % (1 + CUSTOMERS * PER_CUSTOMER, LATENCY_MS, CONCURRENCY, rerun_floor))
    checks = [
        ("apply at least 10x faster than the uri baseline", walls["baseline"] / walls["apply"], 10, ">="),
        ("apply within 3x of the floor", walls["apply"] / floor, 3, "<="),
        ("apply, reading confirmed (no canary), within 3x of the floor", walls["confirmed"] / floor, 3, "<="),
        ("rerun at least 10x faster than the uri baseline", walls["baseline"] / walls["rerun"], 10, ">="),
        ("rerun: no write", results["rerun"][-1]["writes"], 0, "=="),
        ("rerun: at most 1 token request", results["rerun"][-1]["tokens"], 1, "<="),
        ("check mode: no write", results["check"][-1]["writes"], 0, "=="),
        ("single change: uri / im_subscription", walls["single-uri"] / walls["single-module"], None, None),
    ]
    print()
    for label, value, target, relation in checks:
        if target is None:
            print("%-52s %8.2f" % (label, value))
            continue
        met = {"<=": value <= target, ">=": value >= target, "==": value == target}[relation]
        print("%-52s %8.2f  target %s %s: %s" % (label, value, relation, target, "met" if met else "MISSED"))
    if options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump({"results": results, "floor": floor, "rerun_floor": rerun_floor}, handle, indent=2)


if __name__ == "__main__":
    main()
