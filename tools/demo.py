"""`make demo`: start the Marketplace API simulator, run the collection's playbooks against it, summarise, stop it.

Every step is a real ansible-playbook run of this checkout's collection; connection settings are passed only
through the INGRAM_* environment variables, as an AWX credential would. Each step's output is shown compactly: the
tables and summaries the roles print, warnings, failures and the recap (the full output is printed instead when a
step does not end as expected). The audit and report files land in demo-output/. The
spreadsheet round trip exports the licence report's CSV, edits two rows as a person would, plans and applies from the
file, and writes the HTML report.
"""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.simulator.harness import Simulator  # noqa: E402  pylint: disable=wrong-import-position

ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
INVENTORY = os.path.join(REPO, "tests", "integration", "inventory.ini")
READ_ONLY_POSTS = ("/token", "/orders/estimate", "/validation/parameters")
ONBOARD = ("ingrammicro.marketplace.onboard_customers", "-e", "@examples/onboard_customers_vars.yml")
ADJUST = ("ingrammicro.marketplace.adjust_licenses", "-e", "@examples/adjust_licenses_vars.yml")
DECREASE = ("ingrammicro.marketplace.adjust_licenses", "-e", "@examples/adjust_licenses_decrease_vars.yml")
REPORT = ("ingrammicro.marketplace.license_report", "-e", "@examples/license_report_vars.yml")

EDITED_CSV = os.path.join("demo-output", "licenses-edited.csv")
# The spreadsheet round trip: the licence report's CSV, two rows edited, planned and applied from the file. A decrease
# later in the term than the 7-day window of licence programmes such as Microsoft NCE waits for the renewal.
FROM_CSV = ("ingrammicro.marketplace.adjust_licenses", "-e", "license_adjustment_licenses_csv=" + EDITED_CSV,
            "-e", "license_adjustment_allow_decrease=true", "-e", "license_adjustment_decrease_window_days=7",
            "-e", "license_adjustment_output_dir=demo-output/license-adjustments")
REPORT_HTML = REPORT + ("-e", "license_report_adjustment_dir=demo-output/license-adjustments")
# In the exported CSV, the rows to edit (customer, mpn) and the cells to set, as a person would in a spreadsheet.
EDITS = {
    ("ACME-001", "CFQ7TTC0LH16:0001:P1Y"): {"desired_quantity": "12"},                  # Exchange Online 10 -> 12
    ("INITECH-003", "CFQ7TTC0LH18:0001:P1M"): {"used": "9", "buffer": "20%"},           # 15 -> 11 from usage: deferred
}

# (title, ansible-playbook arguments or a function, expected outcome: "ok", or "blocked" for a step that must fail)
STEPS = (
    ("Onboard two new customers: the plan (check mode)", ONBOARD + ("--check",), "ok"),
    ("Onboard them: create, order, wait", ONBOARD, "ok"),
    ("Adjust licences: the priced plan (check mode)", ADJUST + ("--check",), "ok"),
    ("Apply the licence plan", ADJUST, "ok"),
    ("Run it again: nothing to change", ADJUST, "ok"),
    ("A decrease, refused by the default guardrail", DECREASE, "blocked"),
    ("Licence report: export to CSV (and HTML)", REPORT, "ok"),
    ("Edit two rows of the CSV, as in a spreadsheet", "edit", "ok"),
    ("Plan from the edited CSV (check mode)", FROM_CSV + ("--check",), "ok"),
    ("Apply the edited CSV", FROM_CSV, "ok"),
    ("Apply it again: nothing to change", FROM_CSV, "ok"),
    ("Licence report with the deferred decrease (HTML)", REPORT_HTML, "ok"),
)

RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+).*?failed=(\d+)")
TASK = re.compile(r"^TASK \[(?:[^\]]* : )?(.*)\] \**$")


def recap(output):
    match = RECAP.search(output)
    return tuple(int(value) for value in match.groups()) if match else None


def writes(log):
    return [entry for entry in log if entry["method"] != "GET" and not entry["path"].endswith(READ_ONLY_POSTS)]


def _result(text, start):
    """The JSON result printed at ``start`` (after ``=> ``), or ``None``."""
    try:
        return json.JSONDecoder().raw_decode(text, start)[0]
    except ValueError:
        return None


def compact(output):
    """What a reader wants from a run: the printed messages (tables), warnings, failures and the recap."""
    shown, task = [], None
    lines = output.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    for number, line in enumerate(lines):
        text = line.rstrip("\n")
        match = TASK.match(text)
        if match:
            task = match.group(1)
        elif text.startswith("[WARNING]"):
            shown.append("  " + text)
        elif text.startswith(("ok: [localhost] => {", "fatal: [localhost]: FAILED! => {")):
            result = _result(output, offsets[number] + text.index("=> ") + 3) or {}
            message = result.get("msg")
            failed = text.startswith("fatal")
            shown.append("\n%s%s" % ("FAILED " if failed else "", task))
            for item in message if isinstance(message, list) else [message]:
                shown.append("    %s" % item)
        elif RECAP.search(text):
            shown.append("\n" + text.strip())
    return "\n".join(shown)


def edit_csv():
    """Copy the newest licence report CSV to EDITED_CSV with the cells of EDITS set; return what changed."""
    directory = os.path.join(REPO, "demo-output", "license-reports")
    newest = sorted(name for name in os.listdir(directory) if name.endswith(".csv"))[-1]
    with open(os.path.join(directory, newest), newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    changed = []
    for row in rows:
        for column, value in EDITS.get((row["customer_external_id"], row["mpn"]), {}).items():
            row[column] = value
            changed.append("%s %s: %s = %s" % (row["customer_external_id"], row["mpn"], column, value))
    with open(os.path.join(REPO, EDITED_CSV), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return "edited %s into %s:\n    %s" % (newest, EDITED_CSV, "\n    ".join(changed))


def main():
    summary = []
    shutil.rmtree(os.path.join(REPO, "demo-output"), ignore_errors=True)  # each demo starts from the simulator's seed
    with Simulator() as sim, tempfile.TemporaryDirectory() as cache_home:
        print("Simulator listening on %s (credentials demo / demo-password, key demo-key, marketplace us)\n" % sim.base_url)
        env = dict(os.environ, INGRAM_API_URL=sim.base_url, INGRAM_USERNAME="demo", INGRAM_PASSWORD="demo-password",
                   INGRAM_SUBSCRIPTION_KEY="demo-key", INGRAM_MARKETPLACE="us", XDG_CACHE_HOME=cache_home,
                   ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                   # Table lines print one per line in the JSON result format (YAML folds them at 80 columns).
                   ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_DISPLAY_SKIPPED_HOSTS="false")
        for title, args, expected in STEPS:
            if args == "edit":
                print("=" * 100 + "\n== %s\n" % title + "=" * 100 + "\n" + edit_csv() + "\n", flush=True)
                summary.append((title, "ok", True, (0, 0, 0), 0, 0, 0))
                continue
            print("=" * 100 + "\n== %s\n== ansible-playbook %s\n" % (title, " ".join(args)) + "=" * 100, flush=True)
            before = len(sim.requests())
            completed = subprocess.run([ANSIBLE_PLAYBOOK, "-i", INVENTORY, *args], cwd=REPO, env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
            outcome = "ok" if completed.returncode == 0 else "blocked" if "nothing was ordered" in completed.stdout else "FAILED"
            as_expected = outcome == expected
            print((compact(completed.stdout) if as_expected else completed.stdout) + "\n", flush=True)
            log = sim.requests()[before:]
            summary.append((title, outcome if as_expected else "%s (expected %s)" % (outcome, expected),
                            as_expected, recap(completed.stdout), len(log), len(writes(log)),
                            sum(1 for entry in log if entry["path"].endswith("/token"))))
            if not as_expected:
                break
    print("=" * 100 + "\nDemo summary (the simulator has been stopped)\n" + "=" * 100)
    print("%-50s %-9s %-8s %-9s %-7s %s" % ("step", "result", "changed", "requests", "writes", "token requests"))
    for title, outcome, _as_expected, result, requests_made, write_count, tokens in summary:
        changed = result[1] if result else "?"
        print("%-50s %-9s %-8s %-9d %-7d %d" % (title, outcome, changed, requests_made, write_count, tokens))
    failed = len(summary) < len(STEPS) or not all(as_expected for _title, _outcome, as_expected, *_rest in summary)
    if not failed:
        reports = os.path.join(REPO, "demo-output", "license-reports")
        html = sorted(name for name in os.listdir(reports) if name.endswith(".html"))[-1]
        print("\nCheck mode wrote nothing, the reruns changed nothing and sent no write request, and the decrease was refused "
              "before any order.\nAudit files (plan/result JSON and CSV), the licence report and the edited CSV are in "
              "demo-output/;\nopen the HTML report: demo-output/license-reports/%s" % html)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
