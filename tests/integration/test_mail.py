"""Mail delivery through a real SMTP server the tests start (STARTTLS with a certificate of a CA made for the run,
login required): im_mail's EXAMPLES as written, the licence report and a licence adjustment's plan and result mailed
by the roles, with the server settings from the SMTP_* variables or the role's variables. What arrives is read back:
recipients, subject, the figures of the body, the attachments byte for byte; and the run's output, at the default
verbosity, says whom it mailed. The SMTP password never appears. (The HTML bodies are checked for mail clients in
test_mail_bodies.py.)"""

import csv
import email
import email.policy
import io
import os
import socket

import pytest
import yaml
from aiosmtpd.controller import Controller

from tests.integration.test_examples import examples_of
from tests.integration.test_roles_playbooks import (
    ADJUST, FAST_ORDERS, REPORT, Api, debug_messages, load_example, only_file, read_csv, run_logged, writes,
)
from tests.mailserver import PASSWORD, USERNAME

from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils._mail_html import STYLES

FINANCE = ["finance@msp.example", "Account Manager <am@msp.example>"]


@pytest.fixture
def sim(simulator):
    simulator.reset()
    simulator.set_faults(**FAST_ORDERS)
    return simulator


def text(part):
    """A text part as sent, with the line ends SMTP carries (CRLF) read back as in the file."""
    content = part.get_content()
    return (content.decode("utf-8") if isinstance(content, bytes) else content).replace("\r\n", "\n")


def attachments(message):
    return {part.get_filename(): text(part) for part in message.iter_attachments()}


def test_im_mail_examples_run_as_written_and_arrive(mail_server, run_playbook, tmp_path):
    play = [{"name": "EXAMPLES of ingrammicro.marketplace.im_mail", "hosts": "localhost", "gather_facts": False,
             "tasks": examples_of("im_mail")}]
    playbook = tmp_path / "examples_im_mail.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    run = run_playbook(str(playbook), env=mail_server.environment(), verbosity=4)  # -vvvv: the password stays hidden
    assert run.rc == 0, run.output[-4000:]
    note, seats = mail_server.wait_for(2)
    assert [envelope["tls"] for envelope in mail_server.inbox.envelopes] == [True, True]
    assert mail_server.inbox.envelopes[1]["to"] == ["finance@example.com", "licensing@example.com"]
    assert note["Subject"] == "Licence review starts on Monday" and note["From"] == "Licensing <licensing@msp.example>"
    assert seats["Cc"] == "licensing@example.com"
    assert text(seats.get_body(("html",))).strip() == "<p><b>ACME-001</b>: 30 seats of Microsoft 365 E3</p>"
    assert attachments(seats) == {"seats.csv": "customer,product,seats\nACME-001,Microsoft 365 E3,30\n"}
    assert PASSWORD not in run.output and "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output


def test_the_licence_report_is_mailed_with_its_page_and_csv(sim, mail_server, run_playbook, tmp_path):
    out = tmp_path / "report"
    run, log = run_logged(sim, run_playbook, REPORT, {"license_report_dir": str(out), "license_report_mail_to": FINANCE},
                          env=mail_server.environment())
    assert run.rc == 0, run.output[-4000:]
    assert writes(log) == []
    (message,) = mail_server.wait_for(1)
    assert mail_server.inbox.envelopes[0]["to"] == ["finance@msp.example", "am@msp.example"]
    assert message["Subject"].startswith("Licence report 20") and message["To"] == ", ".join(FINANCE)
    assert debug_messages(run.output, "Say where the report was mailed") == [
        "Mailed the licence report to finance@msp.example, Account Manager <am@msp.example>"]
    # The figures: the text is the table the run printed, the HTML a version of the report for mail clients, and the
    # page and the CSV written are attached as they are.
    table = debug_messages(run.output, "Show the report")[0]
    assert message.get_body(("plain",)).get_content().splitlines() == table
    seats = sum(subscription["products"][0]["quantity"] for subscription in Api(sim).subscriptions())
    assert ", %d seats; files" % seats in table[-1]
    mailed = text(message.get_body(("html",)))
    assert "<style" not in mailed and "<svg" not in mailed and '<b id="total-seats">' not in mailed
    assert '<span style="%s">%d</span><br>seats in active subscriptions' % (STYLES["figure"], seats) in mailed
    csv_path, page_path = only_file(out, "license-report-*.csv"), only_file(out, "license-report-*.html")
    with open(csv_path, encoding="utf-8", newline="") as handle, open(page_path, encoding="utf-8", newline="") as page:
        assert attachments(message) == {os.path.basename(csv_path): handle.read(), os.path.basename(page_path): page.read()}
    assert "%s - the whole report, to open in a browser" % os.path.basename(page_path) in mailed
    assert sum(int(row["seats"]) for row in read_csv(csv_path)) == seats


def test_a_licence_plan_and_its_result_are_mailed_and_a_refused_plan_says_why(sim, mail_server, run_playbook, tmp_path):
    """Settings from the role's variables this time (license_adjustment_smtp, _mail_from), the password among them."""
    smtp = {"host": "127.0.0.1", "port": mail_server.port, "username": USERNAME, "password": PASSWORD, "ca_path": mail_server.ca_path}
    seeded = [line for line in load_example("adjust_licenses_vars.yml")["license_adjustment_licenses"]
              if line["customer"] in ("ACME-001", "GLOBEX-002", "INITECH-003")]  # the customers of the seed data
    mail = {"license_adjustment_licenses": seeded, "license_adjustment_mail_to": "approver@msp.example",
            "license_adjustment_mail_from": "ansible@msp.example", "license_adjustment_smtp": smtp,
            "license_adjustment_output_dir": str(tmp_path / "audit")}
    plan, log = run_logged(sim, run_playbook, ADJUST, mail, args=("--check",))
    assert plan.rc == 0, plan.output[-4000:]
    assert writes(log) == []  # mailed in check mode, ordered nothing
    (planned,) = mail_server.wait_for(1)
    assert planned["Subject"].startswith("Licence plan (check mode) 20") and planned["Subject"].endswith(": planned")
    assert mail_server.inbox.envelopes[0]["to"] == ["approver@msp.example"]
    assert debug_messages(plan.output, "Say where the plan or result was mailed") == ["Mailed the licence plan to approver@msp.example"]
    assert "Planned in check mode: nothing was ordered." in text(planned.get_body(("html",)))
    table = debug_messages(plan.output, "Show the plan or the result, one row per line")[0]
    assert planned.get_body(("plain",)).get_content().splitlines() == table
    audit_csv = only_file(tmp_path / "audit", "plan-*.csv")
    sent = attachments(planned)
    assert sorted(sent) == sorted([os.path.basename(audit_csv), os.path.basename(audit_csv)[:-4] + ".json"])
    rows = list(csv.DictReader(io.StringIO(sent[os.path.basename(audit_csv)])))
    assert [(row["customer"], row["current"], row["desired"]) for row in rows if row["action"] == "increase"] == [
        ("ACME-001", "25", "30"), ("GLOBEX-002", "40", "45"), ("INITECH-003", "12", "15")]

    mail_server.clear()
    applied, log = run_logged(sim, run_playbook, ADJUST, mail)
    assert applied.rc == 0, applied.output[-4000:]
    (result,) = mail_server.wait_for(1)
    assert result["Subject"].startswith("Licence adjustment 20") and result["Subject"].endswith(": applied")
    orders = [entry for entry in writes(log) if entry["path"].endswith("/orders")]
    body = text(result.get_body(("plain",)))
    assert len(orders) == 3 and "outcome APPLIED" in body
    assert debug_messages(applied.output, "Say where the plan or result was mailed") == [
        "Mailed the licence adjustment result to approver@msp.example"]
    assert all(order["orderNumber"] in text(result.get_body(("html",))) for order in Api(sim).rows("/orders") if order["type"] == "change")
    result_rows = list(csv.DictReader(io.StringIO(attachments(result)[os.path.basename(only_file(tmp_path / "audit", "result-*.csv"))])))
    assert sorted(row["order_number"] for row in result_rows if row["order_number"]) == sorted(
        order["orderNumber"] for order in Api(sim).rows("/orders") if order["type"] == "change")

    mail_server.clear()
    guarded = dict(mail, license_adjustment_licenses=[dict(seeded[0], quantity=40)], license_adjustment_max_increase=2,
                   license_adjustment_output_dir="")
    refused, log = run_logged(sim, run_playbook, ADJUST, guarded)
    assert refused.rc == 2 and writes(log) == []
    (message,) = mail_server.wait_for(1)
    assert message["Subject"].endswith(": refused")
    body = text(message.get_body(("plain",)))
    assert "REFUSED, nothing was ordered" in body and "license_adjustment_max_increase" in body
    assert "Refused: nothing was ordered." in text(message.get_body(("html",)))
    assert "Mailed the licence adjustment result to approver@msp.example" in refused.output  # before the role fails
    (name,) = attachments(message)
    assert name.startswith("result-") and name.endswith(".csv")  # no output directory: the audit CSV as it would be
    assert PASSWORD not in refused.output + applied.output + plan.output


class Relay:
    """A relay on 127.0.0.1 that takes mail without encryption or login, as a mail server on the same machine does."""

    def __init__(self):
        self.messages = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append((session.ssl, email.message_from_bytes(envelope.original_content or envelope.content,
                                                                    policy=email.policy.default)))
        return "250 Message accepted for delivery"


def test_a_relay_without_encryption_or_login_takes_the_mail_with_smtp_security_none(sim, run_playbook, tmp_path):
    """SMTP_SECURITY=none, as the READMEs give it for a relay on localhost; the run says whom it mailed."""
    relay = Relay()
    relay.controller.start()
    try:
        run, _log = run_logged(sim, run_playbook, REPORT, {"license_report_dir": str(tmp_path / "report"), "license_report_mail_to": "finance@msp.example"},
                               env={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(relay.port), "SMTP_SECURITY": "none",
                                    "SMTP_FROM": "Licensing <reports@msp.example>"})
    finally:
        relay.controller.stop()
    assert run.rc == 0, run.output[-3000:]
    ((tls, message),) = relay.messages
    assert tls is None and message["To"] == "finance@msp.example" and message.get_body(("html",)) is not None
    assert debug_messages(run.output, "Say where the report was mailed") == ["Mailed the licence report to finance@msp.example"]


def test_mail_settings_are_checked_before_anything_is_sent(sim, mail_server, run_playbook, tmp_path):
    environment = {name: value for name, value in mail_server.environment().items() if name != "SMTP_HOST"}
    run, log = run_logged(sim, run_playbook, REPORT, {"license_report_dir": str(tmp_path / "r"),
                                                      "license_report_mail_to": "finance@msp.example, not-an-address",
                                                      "license_report_smtp": {"hostname": "smtp.msp.example"}}, env=environment)
    assert run.rc == 2 and log == []
    assert "license_report_mail_to: 'not-an-address' is not a mail address such as finance@example.com" in run.output
    assert "license_report_smtp: unknown key hostname (the keys are host, port, security" in run.output
    assert "set license_report_smtp.host or the SMTP_HOST environment variable" in run.output

    wrong = dict(mail_server.environment(), SMTP_PASSWORD="not-the-password")
    run, _log = run_logged(sim, run_playbook, REPORT, {"license_report_dir": str(tmp_path / "w"),
                                                       "license_report_mail_to": ["finance@msp.example"]}, env=wrong)
    assert run.rc == 2 and mail_server.inbox.messages == []
    assert "refused the login of %s: 535" % USERNAME in run.output and '"failure": "not_authorised"' in run.output
    assert "not-the-password" not in run.output
