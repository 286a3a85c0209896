"""The HTML body of every mail the collection sends - the licence report, a licence plan, its result and a refused
plan, an event and a drift report - taken from the messages as the test SMTP server received them, after real runs of
the roles and playbooks against the simulator:

- checked with the caniemail data (@jsx-email/doiuse-email, which `make maillint` installs from tests/maillint) for
  Outlook for Windows, Gmail's web client and Apple Mail on macOS: no error (its warnings and notes are about what
  those clients support only in part, such as margins or the ``<body>`` element);
- laid out by Debian's headless Chromium in a 600 px and a 390 px frame: no element past the right edge, no content
  wider than its box (cut off by a mail client), no word or id broken across two lines;
- and free of what mail clients do not support, whatever the linter's data says: no ``<style>`` block, SVG, CSS
  variable, flexbox, ``rem`` unit, media query or HTML5 sectioning element, and at most 600 px wide.
"""

import html
import importlib.util
import json
import os
import re
import shutil
import subprocess

import pytest

from tests.integration.conftest import REPO, wait_for
from tests.integration.test_report_layout import render
from tests.integration.test_roles_playbooks import ADJUST, FAST_ORDERS, REPORT, Api, load_example, run_logged
from tests.simulator.harness import ApiClient

LINTER = os.path.join(REPO, "tests", "maillint", "lint.js")
EVENT = "ingrammicro.marketplace.marketplace_event"
DRIFT = "ingrammicro.marketplace.license_drift"
EVENT_SOURCE = os.path.join(REPO, "extensions", "eda", "plugins", "event_source", "marketplace_events.py")
WIDTHS = (600, 390)
# What mail clients do not support, found in the HTML itself.
UNSUPPORTED = {
    "a <style> block": re.compile(r"<style\b", re.I),
    "SVG": re.compile(r"<svg\b", re.I),
    "a CSS variable": re.compile(r"var\(--|--[a-z-]+\s*:", re.I),
    "flexbox": re.compile(r"display\s*:\s*(inline-)?flex|flex-wrap", re.I),
    "a rem unit": re.compile(r"\d(\.\d+)?rem\b", re.I),
    "a media query": re.compile(r"@media", re.I),
    "an HTML5 sectioning element": re.compile(r"<(section|main|article|header|footer|nav|aside)\b", re.I),
}


@pytest.fixture
def sim(simulator):
    simulator.reset()
    simulator.set_faults(**FAST_ORDERS)
    return simulator


def html_of(message):
    """The HTML part of a received message, as sent."""
    part = message.get_body(("html",))
    assert part is not None, "the message %r has no HTML part" % message["Subject"]
    content = part.get_content()
    return content.decode("utf-8") if isinstance(content, bytes) else content


def lint(bodies, tmp_path):
    """The linter's findings for each of ``bodies`` (``{name: html}``): ``{name: {errors, warnings, notes}}``."""
    node = shutil.which("node")
    assert node, "node is needed for this test (and npm, for make maillint)"
    files = {}
    for name, body in bodies.items():
        path = tmp_path / ("%s.html" % name)
        path.write_text(body, encoding="utf-8")
        files[str(path)] = name
    run = subprocess.run([node, LINTER] + sorted(files), capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, "the mail linter did not run (make maillint installs it):\n" + run.stderr[-3000:]
    return {files[path]: found for path, found in json.loads(run.stdout).items()}


def check_bodies(bodies, tmp_path):
    """Every body is mail HTML: nothing mail clients lack, no linter error, and a layout that fits 600 and 390 px."""
    for name, body in bodies.items():
        found = [what for what, pattern in UNSUPPORTED.items() if pattern.search(body)]
        assert found == [], "the %s mail uses %s" % (name, ", ".join(found))
        assert "max-width:600px" in body and not re.search(r'width="([6-9]\d\d|\d{4,})"', body.replace('width="600"', "")), name
    findings = lint(bodies, tmp_path)
    assert sorted(findings) == sorted(bodies)
    errors = {name: found["errors"] for name, found in findings.items() if found["errors"]}
    assert errors == {}, "the mail linter (caniemail data) reports errors:\n" + json.dumps(errors, indent=2)
    laid_out = render([("%s-%d" % (name, width), body, width) for name, body in bodies.items() for width in WIDTHS], tmp_path)
    for name in bodies:
        for width in WIDTHS:
            found = laid_out["%s-%d" % (name, width)]
            assert found["viewport"] == width
            assert (found["wide"], found["cut"], found["broken"]) == ([], [], []), (name, width, found)
    return findings


def test_the_licence_report_mail_is_mail_html_and_the_page_goes_with_it(sim, mail_server, run_playbook, tmp_path):
    """Every section filled: a deferred decrease, a subscription with auto-renew off, renewals, spend."""
    audit = tmp_path / "audit"
    deferred, _log = run_logged(sim, run_playbook, ADJUST, {
        "license_adjustment_licenses": [{"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 20}],
        "license_adjustment_allow_decrease": True, "license_adjustment_decrease_window_days": 0,
        "license_adjustment_output_dir": str(audit)})
    assert deferred.rc == 0, deferred.output[-3000:]
    api = Api(sim)
    assert api.session.patch(api.base + "/subscriptions/3000006", json={"renewalStatus": False}, timeout=10).ok
    run, _log = run_logged(sim, run_playbook, REPORT, {"license_report_dir": str(tmp_path / "report"),
                                                       "license_report_adjustment_dir": str(audit),
                                                       "license_report_mail_to": ["finance@msp.example"]}, env=mail_server.environment())
    assert run.rc == 0, run.output[-3000:]
    (message,) = mail_server.wait_for(1)
    body = html_of(message)
    for section in ("Monthly spend per customer", "Monthly spend and seats per product", "Renewals in the next 90 days",
                    "Subscriptions with auto-renew off", "Decreases still to be made"):
        assert section in body
    assert "1,260.00 USD per month" in body and "auto-renew off" in body  # GLOBEX-002's spend; 3000006
    assert "From the records of 1 licence adjustment run(s)" in body
    page = next(part for part in message.iter_attachments() if part.get_filename().endswith(".html")).get_content()
    check_bodies({"report": body}, tmp_path)
    # The attached page is the browser's: the linter flags its stylesheet for Outlook (so the check above can fail).
    assert any("outlook.windows" in error for error in lint({"page": page}, tmp_path)["page"]["errors"])


def test_the_plan_result_and_refused_plan_mails_are_mail_html(sim, mail_server, run_playbook, tmp_path):
    seeded = [line for line in load_example("adjust_licenses_vars.yml")["license_adjustment_licenses"]
              if line["customer"] in ("ACME-001", "GLOBEX-002", "INITECH-003")]
    mail = {"license_adjustment_licenses": seeded, "license_adjustment_mail_to": "approver@msp.example",
            "license_adjustment_output_dir": str(tmp_path / "audit")}
    bodies = {}
    for name, variables, args, code in (
            ("plan", mail, ("--check",), 0),
            ("result", mail, (), 0),
            ("refused", dict(mail, license_adjustment_licenses=[dict(seeded[0], quantity=40)], license_adjustment_max_increase=2), (), 2)):
        mail_server.clear()
        run, _log = run_logged(sim, run_playbook, ADJUST, variables, args=args, env=mail_server.environment())
        assert run.rc == code, run.output[-3000:]
        (message,) = mail_server.wait_for(1)
        bodies[name] = html_of(message)
    assert "Planned in check mode: nothing was ordered." in bodies["plan"] and "+62.50 USD/month" in bodies["plan"]
    assert "Applied: every line reached its seats." in bodies["result"] and re.search(r"order SO\d+", bodies["result"])
    assert "Refused: nothing was ordered." in bodies["refused"] and "license_adjustment_max_increase" in bodies["refused"]
    check_bodies(bodies, tmp_path)


def failed_order_event(sim, tmp_path):
    """An order that ends in error, as the marketplace_events source reports it (the plugin's own code, in this
    process, against the simulator)."""
    spec = importlib.util.spec_from_file_location("marketplace_events", EVENT_SOURCE)
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    source = plugin.Source({"api_url": sim.base_url, "username": sim.credentials["username"], "password": sim.credentials["password"],
                            "subscription_key": sim.credentials["subscription_key"], "marketplace": sim.credentials["marketplace"],
                            "checkpoint": str(tmp_path / "events.json")})
    assert source.poll() == []  # the baseline
    api = ApiClient(sim)
    detail = api.get("/subscriptions/%s" % api.rows("/subscriptions", status="active")[0]["id"])
    sim.set_faults(order_error_next=1)
    answer = api.session.post(api.base + "/orders", timeout=10, json={
        "type": "change", "customerId": detail["customerId"], "subscriptionId": detail["id"],
        "products": [{"mpn": detail["products"][0]["mpn"], "quantity": detail["products"][0]["quantity"] + 1}]})
    assert answer.status_code == 200, answer.text
    order = answer.json()
    wait_for(lambda: api.get("/orders/%s" % order["id"])["status"] == "error", timeout=30)
    events = source.poll()
    return next(event for event in events if event["type"] == "order_status_changed"), order, detail


def test_the_event_mail_says_what_happened_and_is_mail_html(sim, mail_server, run_playbook, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    event, order, detail = failed_order_event(sim, tmp_path)
    customer = Api(sim).get("/customers/%s" % detail["customerId"])["externalId"]
    run = run_playbook(EVENT,
                       {"ansible_eda": {"event": event}, "marketplace_event_mail_to": ["ops@msp.example"]}, env=mail_server.environment())
    assert run.rc == 0, run.output[-3000:]
    (message,) = mail_server.wait_for(1)
    product = detail["products"][0]
    said = "Change order %s of customer %s ended in error: %s, %d seats" % (order["orderNumber"], customer, product["name"],
                                                                            product["quantity"] + 1)
    assert said in run.output  # on screen
    assert message["Subject"].startswith("Marketplace order_status_changed: " + said)
    assert message.get_body(("plain",)).get_content().startswith(said)
    body = html_of(message)
    assert said in html.unescape(body) and "Mailed the event to ops@msp.example" in run.output
    check_bodies({"event": body}, tmp_path)


def test_the_drift_mail_is_mail_html(sim, mail_server, run_playbook, tmp_path):
    api = Api(sim)
    subscription = api.get("/subscriptions/%s" % api.rows("/subscriptions", status="active")[0]["id"])
    seats = subscription["products"][0]["quantity"]
    run = run_playbook(DRIFT, {"license_adjustment_licenses": [{"subscription_id": subscription["id"], "quantity": seats + 3}],
                               "license_drift_mail_to": ["licensing@msp.example"]}, env=mail_server.environment())
    assert run.rc == 0, run.output[-3000:]
    (message,) = mail_server.wait_for(1)
    assert message["Subject"] == "Licence drift: 1 of 1 declared lines differ"
    body = html_of(message)
    assert "Drift: 1 of 1 declared lines differ from the seats now." in body and "%d\xa0\u2192\xa0%d" % (seats, seats + 3) in html.unescape(body)
    assert "Mailed the drift report to licensing@msp.example" in run.output
    check_bodies({"drift": body}, tmp_path)
