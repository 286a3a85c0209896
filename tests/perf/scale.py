"""`make bench-scale`: a distributor-sized licence adjustment, how its time and memory grow with the lines declared.

For each size (default 1,000, 20,000 and 100,000 lines): a fresh simulator state with that many subscriptions (5 per
customer), every one declared on localhost with 2 % of them one seat higher, and `adjust_licenses --check` (the
priced plan, what every apply starts with) run with `license_adjustment_output_dir` (the plan in the audit files). It
reports the wall time against the floor (the requests the run needs x latency / concurrency), the requests sent, and
the largest resident memory of any process of the run (ansible-playbook, its workers, the module), per line beyond the
smallest size. Nothing here gates `make test`; timings on a shared machine are noisy.

    python tests/perf/scale.py --lines 1000,20000 --latency-ms 50
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

from tests.simulator.harness import Simulator  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
INVENTORY = os.path.join(REPO, "tests", "integration", "inventory.ini")
PER_CUSTOMER = 5
SEED_BATCH = 10000  # customers per /_sim/seed call
# Runs the command and prints the largest resident set of it and of every process it waited for (kB, Linux).
MEASURED = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
            "print('max_rss_kb=%d' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)")


def declare(sim, lines, changed_percent):
    """Seed ``lines`` subscriptions and return their declaration, ``changed_percent`` of them one seat higher."""
    sim.reset()
    held = []
    customers = -(-lines // PER_CUSTOMER)
    for start in range(0, customers, SEED_BATCH):
        seeded = sim.seed(customers=min(SEED_BATCH, customers - start), subscriptions_per_customer=PER_CUSTOMER, external_id_prefix="SCALE-")
        held.extend(item for customer in seeded["customers"] for item in customer["subscriptions"])
    declared = [{"subscription_id": item["id"], "quantity": item["quantity"]} for item in held[:lines]]
    step = max(1, round(100 / changed_percent))
    for line in declared[::step]:
        line["quantity"] += 1
    return declared


def run(sim, workdir, declared, concurrency):
    variables = os.path.join(workdir, "lines.json")
    with open(variables, "w", encoding="utf-8") as handle:
        json.dump({"license_adjustment_licenses": declared, "license_adjustment_concurrency": concurrency,
                   "license_adjustment_output_dir": os.path.join(workdir, "audit")}, handle)
    env = {name: value for name, value in os.environ.items() if not name.startswith("INGRAM_")}
    env.update(INGRAM_API_URL=sim.base_url, INGRAM_USERNAME="demo", INGRAM_PASSWORD="demo-password", INGRAM_SUBSCRIPTION_KEY="demo-key",
               INGRAM_MARKETPLACE="us", XDG_CACHE_HOME=tempfile.mkdtemp(dir=workdir), ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    before = sim.stats()["total"]
    started = time.monotonic()
    completed = subprocess.run([sys.executable, "-c", MEASURED, os.path.join(BIN, "ansible-playbook"), "-i", INVENTORY,
                                "ingrammicro.marketplace.adjust_licenses", "-e", "@" + variables, "--check"],
                               cwd=REPO, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if completed.returncode != 0:
        raise SystemExit("the run of %d lines failed:\n%s" % (len(declared), completed.stdout[-4000:]))
    rss_kb = int(completed.stderr.rsplit("max_rss_kb=", 1)[1].split()[0])
    return {"lines": len(declared), "wall": wall, "requests": sim.stats()["total"] - before, "rss_mb": rss_kb / 1024.0,
            "output_lines": completed.stdout.count("\n")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--lines", default="1000,20000,100000", help="comma-separated sizes (default %(default)s)")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--changed-percent", type=float, default=2.0)
    args = parser.parse_args()
    sizes = [int(size) for size in args.lines.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as workdir, Simulator() as sim:
        for size in sizes:
            declared = declare(sim, size, args.changed_percent)
            sim.set_faults(latency_ms=args.latency_ms)
            results.append(run(sim, workdir, declared, args.concurrency))
            sim.set_faults(latency_ms=0)
            result = results[-1]
            floor = result["requests"] * args.latency_ms / 1000.0 / args.concurrency
            result["floor"] = floor
            print("%7d lines: %7.1f s (floor %.1f s, %.2fx), %d requests, largest process %.0f MB, %d lines of output"
                  % (size, result["wall"], floor, result["wall"] / floor if floor else 0, result["requests"], result["rss_mb"],
                     result["output_lines"]), flush=True)
    base = results[0]
    for result in results[1:]:
        per_line = (result["rss_mb"] - base["rss_mb"]) * 1024 / (result["lines"] - base["lines"])
        print("%7d lines: %.2f kB of memory per line beyond the %d-line run" % (result["lines"], per_line, base["lines"]))


if __name__ == "__main__":
    main()
