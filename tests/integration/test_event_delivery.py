"""Delivery of the marketplace_events source through ansible-rulebook, as users run it, against the simulator:

- the collection's rulebooks as shipped (feedback, retries), from an installed collection and from a clone of the
  repository (from another directory, with no ansible.cfg: the environment of ``make setup`` knows the checkout);
- ansible-rulebook killed with kill -9 while reports wait, with its persistence (``--persistence-id`` and
  ``drools_db_file_path``): every failed order is reported, and a report made twice carries the same ``event_id``;
- a source started without a checkpoint after several orders in the same second announces none of them;
- a report that fails is tried again, and one that keeps failing goes out with the next report that is mailed;
- two drifts 20 s apart are both reported;
- a checkpoint in a group-writable set-group-id directory (a volume); a bad argument named before anything is read.
"""

import datetime
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from tests.integration.conftest import REPO, known_secrets, playbook_environment, wait_for
from tests.integration.test_events import INVENTORY, change_order
from tests.simulator.harness import ApiClient

BIN = os.path.dirname(sys.executable)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The collection built and installed as users get it: ``(collections path, pythonpath)``."""
    directory = tmp_path_factory.mktemp("installed")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(directory / "build"), REPO],
                   check=True, capture_output=True, timeout=300)
    (tarball,) = (directory / "build").glob("*.tar.gz")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "-p", str(directory / "collections"),
                    str(tarball)], check=True, capture_output=True, timeout=300, env=dict(os.environ, ANSIBLE_CONFIG=""))
    return str(directory / "collections")


class RulebookRun:
    """ansible-rulebook started as a user starts it, in ``directory`` (never the repository), with a settings file."""

    def __init__(self, simulator, directory, rulebook, settings, persistence_id=None, env=None, installed=None):
        self.directory = directory
        self.log = directory / ("%s.log" % rulebook.rsplit(".", 1)[-1])
        (directory / "inventory.yml").write_text(INVENTORY)
        settings_file = directory / ("%s-settings.yml" % rulebook.rsplit(".", 1)[-1])
        settings_file.write_text(yaml.safe_dump(settings))
        self.command = [os.path.join(BIN, "ansible-rulebook"), "-r", rulebook, "-i", str(directory / "inventory.yml"), "-e", str(settings_file)]
        if persistence_id:
            self.command += ["--persistence-id", persistence_id]
        self.environment = playbook_environment(simulator, directory / "cache", env)
        self.environment.pop("ANSIBLE_CONFIG")  # no ansible.cfg: from a clone, the environment knows the collection
        self.environment["PATH"] = BIN + os.pathsep + self.environment["PATH"]
        if installed:
            # The installed copy, not the checkout the environment also has: its collections path for Ansible, and for the
            # event source that ansible-rulebook runs in its own Python.
            self.environment.update(ANSIBLE_COLLECTIONS_PATH=installed, PYTHONPATH=installed)
        self.process = None

    def start(self):
        with open(self.log, "a", encoding="utf-8") as handle:
            self.process = subprocess.Popen(self.command, cwd=self.directory, env=self.environment,  # pylint: disable=consider-using-with
                                            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def running(self):
        assert self.process.poll() is None, "ansible-rulebook ended:\n" + self.output()[-4000:]
        return True

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process:
            self.process.wait(timeout=30)

    def output(self):
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def reported(mail_server):
    """The events the mails received report, in order: the event each mail's text ends with."""
    events = []
    for message in list(mail_server.inbox.messages):
        text = message.get_body(("plain",)).get_content()
        if "\n{" in text:
            event = json.loads(text[text.index("\n{") + 1:])
            event.pop("meta", None)
            events.append(event)
    return events


def checkpoints(directory):
    return list((directory / "cache" / "ingrammicro.marketplace" / "events").glob("*.json"))


def failing_orders(simulator, api, subscriptions):
    """A change order on each subscription, all failing, placed within about a second."""
    simulator.set_faults(order_error_next=len(subscriptions))
    return [change_order(api, detail["id"], detail["products"][0]["quantity"] + 1) for detail in subscriptions]


def test_a_kill_while_reports_wait_loses_no_failure_and_a_repeated_report_has_the_same_event_id(simulator, mail_server, tmp_path, installed):
    simulator.reset()
    simulator.set_faults(order_processing_seconds=0.5)
    api = ApiClient(simulator)
    subscriptions = [api.get("/subscriptions/%s" % row["id"]) for row in api.rows("/subscriptions", status="active")[:6]]
    settings = {"marketplace_events_interval": 1, "marketplace_event_mail_to": ["ops@msp.example"],
                "drools_db_file_path": str(tmp_path / "rulebook-db" / "order_failed")}
    run = RulebookRun(simulator, tmp_path, "ingrammicro.marketplace.order_failed", settings, persistence_id="order-failed",
                      env=mail_server.environment(), installed=installed).start()
    try:
        wait_for(lambda: run.running() and checkpoints(tmp_path), timeout=120)  # the baseline is read
        orders = failing_orders(simulator, api, subscriptions)
        wait_for(lambda: run.running() and reported(mail_server), timeout=60)  # the first report printed: the others wait
        run.kill()
        assert len(reported(mail_server)) < len(orders), "every report was made before the kill; nothing was waiting"
        run.start()
        wanted = {"order_status_changed:%s:error" % order["id"] for order in orders}
        wait_for(lambda: run.running() and wanted <= {event["event_id"] for event in reported(mail_server)}, timeout=180)
    finally:
        run.kill()
    events = reported(mail_server)
    assert {event["event_id"] for event in events} == wanted
    for event in events:  # a report made twice is of the same event, with the same id and content
        assert event == next(other for other in events if other["event_id"] == event["event_id"])
        assert event["after"]["status"] == "error" and event["order_id"] in event["event_id"]
    output = run.output()
    assert not [secret for secret in known_secrets(simulator) if secret and secret in output]


def test_a_source_started_without_a_checkpoint_announces_nothing_that_happened_before(simulator, tmp_path):
    """Three orders created in the same second and ended, then a source started with no checkpoint (kept on a volume:
    a group-writable set-group-id directory): it announces none of them, and an order made afterwards."""
    simulator.reset()
    simulator.set_faults(order_processing_seconds=0.2)
    api = ApiClient(simulator)
    rows = api.rows("/subscriptions", status="active")[:3]
    old = [change_order(api, row["id"], api.subscription_seats(row["id"]) + 1) for row in rows]
    assert len({order["creationDate"] for order in old}) < len(old), "the orders were not created within one second"
    wait_for(lambda: all(api.get("/orders/%s" % order["id"])["status"] == "completed" for order in old), timeout=30)
    volume = tmp_path / "volume"
    volume.mkdir()
    volume.chmod(0o2775)
    rulebook = tmp_path / "print.yml"
    rulebook.write_text(yaml.safe_dump([{"name": "Every Marketplace event", "hosts": "all", "sources": [{
        "ingrammicro.marketplace.marketplace_events": {"interval": 1, "checkpoint": str(volume / "events.json")}}],
        "rules": [{"name": "Print it", "condition": "event.type is defined", "action": {"print_event": {}}}]}], sort_keys=False))
    run = RulebookRun(simulator, tmp_path, str(rulebook), {}).start()
    try:
        wait_for(lambda: run.running() and (volume / "events.json").exists(), timeout=120)
        new = change_order(api, rows[0]["id"], api.subscription_seats(rows[0]["id"]) + 1)
        wait_for(lambda: run.running() and "'order_status_changed:%s:completed'" % new["id"] in run.output(), timeout=30)
    finally:
        run.kill()
    output = run.output()
    assert not [order["id"] for order in old if "'order_id': '%s'" % order["id"] in output], output[-3000:]
    assert oct((volume / "events.json").stat().st_mode & 0o777) == "0o600"


def test_a_bad_argument_stops_the_source_naming_it(simulator, tmp_path):
    rulebook = tmp_path / "bad.yml"
    rulebook.write_text(yaml.safe_dump([{"name": "Bad", "hosts": "all", "sources": [{
        "ingrammicro.marketplace.marketplace_events": {"interval": 0, "validate_certs": "perhaps"}}],
        "rules": [{"name": "Print it", "condition": "event.type is defined", "action": {"print_event": {}}}]}], sort_keys=False))
    run = RulebookRun(simulator, tmp_path, str(rulebook), {}).start()
    try:
        run.process.wait(timeout=120)
    finally:
        run.kill()
    output = run.output()
    assert run.process.returncode != 0
    assert "marketplace_events: validate_certs must be a boolean (true or false, yes or no), got 'perhaps'" in output, output[-3000:]
    assert not checkpoints(tmp_path)  # stopped before the account was read


def test_the_shipped_rulebooks_from_a_clone_retry_a_failed_report_and_report_every_drift(simulator, mail_server, tmp_path):
    """The three rulebooks by name, from another directory with no ansible.cfg, with persistence as documented: a
    report refused by the mail server is tried again; one refused on every try goes out with the next report that is
    mailed; two seat changes 20 s apart both appear in the drift report; a renewal with auto-renew off is mailed."""
    simulator.reset()
    simulator.set_faults(order_processing_seconds=0.5)
    api = ApiClient(simulator)
    active = [api.get("/subscriptions/%s" % row["id"]) for row in api.rows("/subscriptions", status="active")[:5]]
    first_drift, second_drift, failing, renewing = active[0], active[1], active[2:4], active[4]
    declared = [{"subscription_id": detail["id"], "quantity": detail["products"][0]["quantity"]} for detail in (first_drift, second_drift)]
    common = {"marketplace_events_interval": 1, "marketplace_events_sweep_interval": 3600}
    runs = [RulebookRun(simulator, tmp_path, "ingrammicro.marketplace.order_failed",
                        dict(common, marketplace_event_mail_to=["ops@msp.example"], drools_db_file_path=str(tmp_path / "db" / "orders")),
                        persistence_id="order-failed", env=mail_server.environment()),
            RulebookRun(simulator, tmp_path, "ingrammicro.marketplace.seats_changed",
                        dict(common, license_drift_mail_to=["licensing@msp.example"], license_adjustment_licenses=declared,
                             drools_db_file_path=str(tmp_path / "db" / "seats")),
                        persistence_id="seats-changed", env=mail_server.environment()),
            RulebookRun(simulator, tmp_path, "ingrammicro.marketplace.renewal_approaching",
                        dict(common, marketplace_events_sweep_interval=2, marketplace_event_mail_to=["renewals@msp.example"],
                             drools_db_file_path=str(tmp_path / "db" / "renewals")),
                        persistence_id="renewal-approaching", env=mail_server.environment())]
    for run in runs:
        run.start()
    try:
        wait_for(lambda: all(run.running() for run in runs) and len(checkpoints(tmp_path)) == 3, timeout=120)
        # The mail server refuses the first order report's three tries and the second one's first (the drift and renewal
        # reports go to other addresses and are not refused).
        mail_server.refuse_next(4, to="ops@msp.example")
        orders = failing_orders(simulator, api, failing)
        started = time.monotonic()
        change_order(api, first_drift["id"], first_drift["products"][0]["quantity"] + 2)
        wait_for(lambda: time.monotonic() - started >= 20, timeout=25)
        change_order(api, second_drift["id"], second_drift["products"][0]["quantity"] + 3)
        api.session.patch(api.base + "/subscriptions/%s" % renewing["id"], json={"renewalStatus": False}, timeout=10).raise_for_status()
        renewal = (datetime.date.today() + datetime.timedelta(days=4)).isoformat()
        simulator.platform_update_subscription(renewing["id"], renewalDate=renewal)

        undelivered = tmp_path / "cache" / "ingrammicro.marketplace" / "undelivered" / "events.jsonl"

        def mailed():
            """the drift report and an order's report arrived, and the report that carried the earlier one is done"""
            subjects = [message["Subject"] for message in mail_server.inbox.messages]
            return all(run.running() for run in runs) and any(subject.startswith("Licence drift") for subject in subjects) and \
                any(order["orderNumber"] in subject for subject in subjects for order in orders) and not undelivered.exists() and \
                any("renewal_approaching" in subject for subject in subjects)
        wait_for(mailed, timeout=150)
    finally:
        for run in runs:
            run.kill()
    messages = {message["Subject"]: message for message in mail_server.inbox.messages}
    drifts = [subject for subject in messages if subject.startswith("Licence drift")]
    assert drifts == ["Licence drift: 2 of 2 declared lines differ"], list(messages)
    # The order reported first was refused on every try; the second, refused once, went out on its retry with it.
    (retried,) = [order for order in orders if any(order["orderNumber"] in subject for subject in messages)]
    (kept,) = [order for order in orders if order is not retried]
    report = next(message for subject, message in messages.items() if retried["orderNumber"] in subject)
    text = report.get_body(("plain",)).get_content()
    earlier = text[text.index("Earlier events that could not be reported:"):]
    assert kept["orderNumber"] in earlier.split("\n\n")[0]
    assert mail_server.inbox.refused == 4
    (renewal_mail,) = [message for subject, message in messages.items() if "renewal_approaching" in subject]
    assert renewal_mail["To"] == "renewals@msp.example" and renewing["id"] in renewal_mail["Subject"]
    assert len(messages) == len(mail_server.inbox.messages) == 3  # one drift report, one order report, one renewal: nothing twice
    output = runs[0].output()
    assert "Retry 2 of 2" in output and "The event could not be reported" in output
    everything = "".join(run.output() for run in runs)
    assert not [secret for secret in known_secrets(simulator) if secret and secret in everything]
