"""`make demo`: start the Marketplace API simulator, run the example playbooks against it, summarise, stop it.

Every step is a real ansible-playbook run of this checkout's collection; connection settings are passed only
through the INGRAM_* environment variables, as an AWX credential would.
"""

import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.simulator.harness import Simulator  # noqa: E402  pylint: disable=wrong-import-position

ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
INVENTORY = os.path.join(REPO, "tests", "integration", "inventory.ini")
READ_ONLY_POSTS = ("/token", "/orders/estimate", "/validation/parameters")

# (title, playbook, extra ansible-playbook arguments)
STEPS = (
    ("Create the demo customers", "examples/demo_customers.yml", ()),
    ("Run it again: nothing to change", "examples/demo_customers.yml", ()),
)


def recap(output):
    match = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+).*?failed=(\d+)", output)
    return tuple(int(value) for value in match.groups()) if match else None


def writes(log):
    return [entry for entry in log if entry["method"] != "GET" and not entry["path"].endswith(READ_ONLY_POSTS)]


def main():
    summary = []
    with Simulator() as sim, tempfile.TemporaryDirectory() as cache_home:
        print("Simulator listening on %s (credentials demo / demo-password, key demo-key, marketplace us)\n" % sim.base_url)
        env = dict(os.environ, INGRAM_API_URL=sim.base_url, INGRAM_USERNAME="demo", INGRAM_PASSWORD="demo-password",
                   INGRAM_SUBSCRIPTION_KEY="demo-key", INGRAM_MARKETPLACE="us", XDG_CACHE_HOME=cache_home,
                   ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
        for title, playbook, args in STEPS:
            print("=" * 100 + "\n== %s: ansible-playbook %s %s\n" % (title, playbook, " ".join(args)) + "=" * 100, flush=True)
            before = len(sim.requests())
            completed = subprocess.run([ANSIBLE_PLAYBOOK, "-i", INVENTORY, playbook, *args], cwd=REPO, env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
            print(completed.stdout, flush=True)
            log = sim.requests()[before:]
            result = recap(completed.stdout)
            summary.append((title, completed.returncode, result, len(log), len(writes(log)),
                            sum(1 for entry in log if entry["path"].endswith("/token"))))
            if completed.returncode != 0:
                break
    print("=" * 100 + "\nDemo summary (the simulator has been stopped)\n" + "=" * 100)
    print("%-45s %-8s %-8s %-9s %-7s %s" % ("step", "result", "changed", "requests", "writes", "token requests"))
    for title, code, result, requests_made, write_count, tokens in summary:
        status = "ok" if code == 0 else "FAILED"
        changed = result[1] if result else "?"
        print("%-45s %-8s %-8s %-9d %-7d %d" % (title, status, changed, requests_made, write_count, tokens))
    failed = any(code != 0 for _title, code, *_rest in summary)
    if not failed:
        print("\nThe second run changed nothing and sent no write request: the playbook is idempotent.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
