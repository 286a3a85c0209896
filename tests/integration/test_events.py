"""The marketplace_events event source against the simulator.

- Through ansible-rulebook, as users run it: changes made through the API from outside the collection (a customer,
  an order that completes and changes seats, an order that fails, a suspension by the platform, a renewal with
  auto-renew off) arrive as events within one interval plus two seconds of being visible; the source killed with
  kill -9 and started again loses nothing made while it was down, and an event it emits again is the same event, with
  the same event_id.
- The plugin's own code in this process (no rulebook engine, same API client and simulator): the requests an idle
  poll costs on an account of 1000 subscriptions, and an outage and a rate limit each reported once when they begin
  and once when they end, after which the source goes on.
"""

import ast
import datetime
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from tests.integration.conftest import REPO, known_secrets, playbook_environment, wait_for
from tests.simulator.harness import ApiClient

PLUGIN = os.path.join(REPO, "extensions", "eda", "plugins", "event_source", "marketplace_events.py")
RULEBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-rulebook")
INTERVAL, SWEEP = 1, 3
INVENTORY = "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n"
PROCESSING = 1.0  # seconds an order takes in the simulator


def load_plugin():
    spec = importlib.util.spec_from_file_location("marketplace_events", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def connection(sim):
    return {"api_url": sim.base_url, "username": sim.credentials["username"], "password": sim.credentials["password"],
            "subscription_key": sim.credentials["subscription_key"], "marketplace": sim.credentials["marketplace"]}


def post(api, path, body):
    answer = api.session.post(api.base + path, json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def change_order(api, subscription_id, seats):
    detail = api.get("/subscriptions/%s" % subscription_id)
    return post(api, "/orders", {"type": "change", "customerId": detail["customerId"], "subscriptionId": subscription_id,
                                 "products": [{"mpn": detail["products"][0]["mpn"], "quantity": seats}]})


def new_customer(api, external_id):
    return post(api, "/customers", {
        "externalId": external_id, "name": "Event Test %s" % external_id, "language": "en",
        "address": {"streetAddress": "1 Event Road", "postalCode": "10001", "city": "New York", "countryCode": "US"},
        "contactPersons": [{"type": "admin", "firstName": "Eve", "lastName": "Vent", "email": "eve@event.example",
                            "phoneNumber": "+12125550100"}]})


class Rulebook:
    """ansible-rulebook with one rule that prints every event of the source; the printed events, as they arrive."""

    def __init__(self, sim, tmp_path):
        self.log = tmp_path / "rulebook.log"
        self.checkpoint = tmp_path / "state" / "events.json"
        rulebook = [{"name": "Every Marketplace event", "hosts": "all", "sources": [{"ingrammicro.marketplace.marketplace_events": {
            "interval": INTERVAL, "sweep_interval": SWEEP, "renewal_days": 10, "checkpoint": str(self.checkpoint)}}],
            "rules": [{"name": "Print it", "condition": "event.type is defined", "action": {"print_event": {}}}]}]
        (tmp_path / "rulebook.yml").write_text(yaml.safe_dump(rulebook, sort_keys=False))
        (tmp_path / "inventory.yml").write_text(INVENTORY)
        self.command = [RULEBOOK_BIN, "-r", str(tmp_path / "rulebook.yml"), "-i", str(tmp_path / "inventory.yml")]
        self.environment = playbook_environment(sim, tmp_path / "cache")
        self.environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + self.environment["PATH"]
        self.process = None
        self.seen = {}  # event key -> monotonic time it was first read from the output

    def start(self):
        handle = open(self.log, "a", encoding="utf-8")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(self.command, cwd=REPO, env=self.environment, stdout=handle, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        handle.close()

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def events(self):
        found = []
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{") and "'type'" in line:
                event = ast.literal_eval(line)
                event.pop("meta", None)
                found.append(event)
                self.seen.setdefault(key(event), time.monotonic())
        return found

    def wait_for(self, wanted, timeout):
        """The first event matching ``wanted`` (a dict of fields), once it has been printed."""
        def printed():
            assert self.process.poll() is None, "ansible-rulebook ended:\n" + self.log.read_text()[-3000:]
            return next((event for event in self.events() if all(event.get(name) == value for name, value in wanted.items())), None)
        printed.__doc__ = "the event %s is printed" % wanted
        wait_for(printed, timeout=timeout, interval=0.1)
        event = printed()
        return event, self.seen[key(event)]


def key(event):
    return (event["type"], event.get("customer_id"), event.get("subscription_id"), event.get("order_id"),
            json.dumps(event.get("after"), sort_keys=True))


def test_changes_made_outside_arrive_through_ansible_rulebook_and_a_killed_source_loses_and_repeats_nothing(simulator, tmp_path):
    simulator.reset()
    simulator.set_faults(order_processing_seconds=PROCESSING)
    api = ApiClient(simulator)
    rulebook = Rulebook(simulator, tmp_path)
    rulebook.start()
    wait_for(rulebook.checkpoint.exists, timeout=90)  # the baseline is read and kept (the JVM takes a few seconds)
    active = [row["id"] for row in api.rows("/subscriptions", status="active")]
    seats_sub, failing_sub, suspended_sub, renewing_sub = active[0], active[1], active[2], active[3]
    seats = api.subscription_seats(seats_sub)

    made = time.monotonic()
    customer = new_customer(api, "EDA-NEW-1")
    placed = change_order(api, seats_sub, seats + 2)
    simulator.set_faults(order_error_next=1)
    failing = change_order(api, failing_sub, api.subscription_seats(failing_sub) + 1)
    simulator.platform_update_subscription(suspended_sub, status="hold")
    api.session.patch(api.base + "/subscriptions/%s" % renewing_sub, json={"renewalStatus": False}, timeout=10).raise_for_status()
    renewal = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    simulator.platform_update_subscription(renewing_sub, renewalDate=renewal)

    # Each change arrives within one interval plus two seconds of being visible in the API (orders: once they have
    # ended; what only the sweep sees: within a sweep interval).
    bound = INTERVAL + 2
    expected = [
        ({"type": "customer_created", "customer_id": customer["id"], "customer_external_id": "EDA-NEW-1"}, bound),
        ({"type": "order_created", "order_id": placed["id"], "subscription_id": seats_sub}, bound),
        ({"type": "order_status_changed", "order_id": placed["id"], "after": {"status": "completed", "status_code": "CP"}},
         PROCESSING + bound),
        ({"type": "seats_changed", "subscription_id": seats_sub, "before": {"seats": seats}, "after": {"seats": seats + 2},
          "order_id": placed["id"]}, PROCESSING + bound),
        ({"type": "order_status_changed", "order_id": failing["id"]}, PROCESSING + bound),
        ({"type": "subscription_status_changed", "subscription_id": suspended_sub, "before": {"status": "active"},
          "after": {"status": "hold"}}, SWEEP + bound),
        ({"type": "renewal_approaching", "subscription_id": renewing_sub}, SWEEP + bound),
    ]
    for wanted, within in expected:
        event, seen = rulebook.wait_for(wanted, timeout=within + 30)
        assert seen - made <= within + 1, (wanted, round(seen - made, 1))  # +1: the changes above take a moment to make
        assert event["observed_at"].endswith("Z") and event["customer_external_id"]
    failed = rulebook.wait_for({"type": "order_status_changed", "order_id": failing["id"]}, 1)[0]
    assert failed["after"]["status"] == "error" and failed["after"]["message"]
    assert rulebook.wait_for({"type": "renewal_approaching"}, 1)[0]["after"] == {"renewal_date": renewal, "days_left": 5, "auto_renew": False}

    # Killed once what it printed is in its checkpoint; changes made while it is down; started again.
    saved = rulebook.checkpoint.stat().st_mtime_ns
    wait_for(lambda: rulebook.checkpoint.stat().st_mtime_ns != saved, timeout=10)
    rulebook.kill()
    before_kill = rulebook.events()
    later = new_customer(api, "EDA-NEW-2")
    while_down = change_order(api, seats_sub, seats + 5)
    wait_for(lambda: api.get("/orders/%s" % while_down["id"])["status"] == "completed", timeout=30)
    rulebook.start()
    rulebook.wait_for({"type": "customer_created", "customer_id": later["id"]}, timeout=90)
    rulebook.wait_for({"type": "seats_changed", "order_id": while_down["id"], "after": {"seats": seats + 5}}, timeout=30)
    time.sleep(SWEEP + 2 * INTERVAL)  # a sweep and more polls after the restart: nothing they emit may repeat
    rulebook.kill()
    everything = rulebook.events()
    assert len(everything) > len(before_kill)
    # At least once: an event emitted again after the kill is the same event, with the same event_id and content.
    for event in everything:
        assert [other for other in everything if key(other) == key(event)] == [event] * sum(key(other) == key(event) for other in everything)
        assert len({other["event_id"] for other in everything if key(other) == key(event)}) == 1
    assert {event["type"] for event in everything} == {
        "customer_created", "order_created", "order_status_changed", "seats_changed", "subscription_status_changed", "renewal_approaching"}
    output = rulebook.log.read_text()
    assert not [secret for secret in known_secrets(simulator) if secret and secret in output]
    assert "/_sim/files/" not in output and "downloadUrl" not in output


@pytest.fixture
def account(simulator, tmp_path, monkeypatch):
    simulator.reset()
    simulator.set_faults(order_processing_seconds=0.3)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return simulator


def test_an_idle_poll_costs_at_most_five_requests_on_an_account_of_1000_subscriptions(account, tmp_path):
    account.seed(customers=250, subscriptions_per_customer=4)
    source = load_plugin().Source(dict(connection(account), checkpoint=str(tmp_path / "events.json"), sweep_interval=3600))
    assert source.poll() == []  # the baseline
    assert len(source.watcher.snapshot["subscriptions"]) >= 1000
    costs = []
    for _poll in range(5):
        before = len(account.requests())
        assert source.poll() == []
        costs.append(len(account.requests()) - before)
    assert max(costs) <= 5, costs
    # One change costs in proportion to it: the order, its detail until it ends, the subscription it touched.
    api = ApiClient(account)
    subscription_id = api.rows("/subscriptions", status="active")[0]["id"]
    order = change_order(api, subscription_id, api.subscription_seats(subscription_id) + 1)
    wait_for(lambda: api.get("/orders/%s" % order["id"])["status"] == "completed", timeout=10)
    before = len(account.requests())
    assert [event["type"] for event in source.poll()] == ["order_created", "order_status_changed", "seats_changed"]
    assert len(account.requests()) - before <= 5 + 2


def test_an_outage_and_a_rate_limit_are_each_reported_once_when_they_begin_and_end(account, tmp_path):
    source = load_plugin().Source(dict(connection(account), checkpoint=str(tmp_path / "events.json"), max_retries=0,
                                       retry_timeout=1, interval=1))
    assert source.poll() == []
    api = ApiClient(account)
    subscription_id = api.rows("/subscriptions", status="active")[0]["id"]
    order = change_order(api, subscription_id, api.subscription_seats(subscription_id) + 1)  # made just before the outage

    account.set_faults(error_rate=1.0, error_status=503)
    down = [source.poll() for _poll in range(3)]
    assert [[event["type"] for event in events] for events in down] == [["source_error"], [], []]
    assert down[0][0]["state"] == "began" and down[0][0]["failure"] == "api_error" and "503" in down[0][0]["message"]
    assert source.delay > 1  # it slows down while the API fails
    account.set_faults(error_rate=0.0)
    wait_for(lambda: api.get("/orders/%s" % order["id"])["status"] == "completed", timeout=10)
    back = source.poll()
    assert [event["type"] for event in back] == ["source_error", "order_created", "order_status_changed", "seats_changed"]
    assert back[0]["state"] == "ended" and back[0]["seconds"] >= 0 and source.delay == 1  # and nothing made meanwhile is lost

    # A Retry-After longer than retry_timeout: the poll fails at once rather than waiting.
    account.set_faults(rate_limit={"requests": 1, "window_seconds": 60, "retry_after": 2})
    throttled = [source.poll() for _poll in range(3)]
    assert [[event["type"] for event in events] for events in throttled] == [["source_error"], [], []]
    assert throttled[0][0]["failure"] == "throttled"
    account.set_faults(rate_limit=None)
    time.sleep(2.5)  # the Retry-After the API asked for, which the client honours
    recovered = source.poll()
    assert [(event["type"], event["state"]) for event in recovered] == [("source_error", "ended")]
    assert source.poll() == []


def test_the_decision_environment_builds_a_context(tmp_path):
    """examples/decision-environment.yml: ansible-builder accepts it, on the ansible-rulebook image, with the collection
    and the ansible-rulebook version the tests run."""
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-builder"), "create", "-f",
                    os.path.join(REPO, "examples", "decision-environment.yml"), "-c", str(tmp_path / "context")],
                   check=True, capture_output=True, text=True)
    containerfile = next((tmp_path / "context" / name).read_text() for name in ("Containerfile", "Dockerfile")
                         if (tmp_path / "context" / name).exists())
    with open(os.path.join(REPO, "test-requirements.txt"), encoding="utf-8") as handle:
        tested = dict(line.strip().split("==") for line in handle if "==" in line and not line.startswith("#"))
    assert "quay.io/ansible/ansible-rulebook:v%s" % tested["ansible-rulebook"] in containerfile
    assert "ingrammicro.marketplace" in (tmp_path / "context" / "_build" / "requirements.yml").read_text()
