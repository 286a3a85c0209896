"""AWX / Automation Controller support, tested the way AWX runs things.

- The credential type's fields and injectors, against the environment variables the collection documents.
- The example execution environment definition, through ``ansible-builder create``.
- The example AWX project's playbooks through ansible-runner (the engine AWX runs jobs with), the connection settings
  coming only from the environment the credential type injects; the runner's artifacts hold no secret. The
  plan -> approve -> apply workflow passes the plan from one job to the next through set_stats, as AWX does. The job
  templates the rulebooks launch with the EDA controller run with their variables from docs/awx.md and the event as
  run_job_template passes it.
- The customers inventory plugin: hosts, host variables, keyed groups, filters, cache, several pages.
- The license_adjustment role on 22 customer hosts with 20 forks: the right seats and a single token request.
"""

import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import ansible_runner
import jinja2
import pytest
import yaml

from tests import mailserver
from tests.integration.conftest import REPO, known_secrets
from tests.simulator.harness import ApiClient

CREDENTIAL_TYPE = os.path.join(REPO, "docs", "awx", "credential_type.yml")
GUIDE = os.path.join(REPO, "docs", "awx.md")
PROJECT = os.path.join(REPO, "examples", "awx-project")
BIN = os.path.dirname(sys.executable)


def load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def injected_environment(simulator, directory, smtp=None):
    """What the credential type injects, rendered from its injectors like AWX does: its file templates become private
    files in ``directory`` (AWX uses the job's private data directory), its env templates the environment. ``smtp``:
    the optional SMTP fields, blank by default."""
    credential = {"api_url": simulator.base_url, "username": simulator.credentials["username"],
                  "password": simulator.credentials["password"], "subscription_key": simulator.credentials["subscription_key"],
                  "marketplace": simulator.credentials["marketplace"]}
    credential.update(smtp or {})
    injectors = load_yaml(CREDENTIAL_TYPE)["injectors"]
    filenames = {}
    os.makedirs(directory, exist_ok=True)
    for key, template in injectors.get("file", {}).items():
        name = key.split(".", 1)[1]
        path = os.path.join(directory, "credential-" + name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
            handle.write(jinja2.Template(template).render(**credential))
        filenames[name] = path
    context = dict(credential, tower={"filename": filenames})
    return {name: jinja2.Template(template).render(**context) for name, template in injectors["env"].items()}


def documented_job_template(name):
    """The parameters of the awx.awx.job_template task of docs/awx.md that creates the job template ``name``."""
    with open(GUIDE, encoding="utf-8") as handle:
        blocks = re.findall(r"^```yaml\n(.*?)^```", handle.read(), re.M | re.S)
    (template,) = [task["awx.awx.job_template"] for block in blocks if "awx.awx.job_template" in block
                   for task in yaml.safe_load(block) if task.get("awx.awx.job_template", {}).get("name") == name]
    return template


def token_requests(simulator):
    return [entry for entry in simulator.requests() if entry["path"].endswith("/token")]


def writes(simulator):
    return [entry for entry in simulator.requests() if entry["method"] != "GET"
            and not entry["path"].endswith(("/token", "/orders/estimate", "/validation/parameters"))]


# ---------------------------------------------------------------------------------------------------- credential type, EE

def test_credential_type_fields_and_injectors_match_the_documented_variables():
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ENV_VARS as API_ENV_VARS
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.mail._mail import ENV_VARS as SMTP_ENV_VARS

    # The credential's fields: the API connection's, and the mail server's as smtp_<im_mail option> (no CA file).
    variable_of = dict(API_ENV_VARS, **{"smtp_" + option: variable for option, variable in SMTP_ENV_VARS.items() if option != "ca_path"})
    credential_type = load_yaml(CREDENTIAL_TYPE)
    assert credential_type["kind"] == "cloud" and credential_type["name"]
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    for field in fields.values():
        assert field["label"] and field["type"] in ("string", "boolean")
    secrets = {name for name, field in fields.items() if field.get("secret")}
    assert secrets == {"password", "subscription_key", "smtp_password"}
    assert set(credential_type["inputs"]["required"]) == {"api_url", "username", "password", "subscription_key", "marketplace"}
    injectors = credential_type["injectors"]["env"]
    # Plain fields are injected as their variable; secrets as files named by <variable>_FILE.
    assert set(injectors) == {variable_of[name] + ("_FILE" if name in secrets else "") for name in fields}
    for name in fields:
        if name in secrets:
            assert credential_type["injectors"]["file"]["template." + name].startswith("{{ %s" % name)
            assert injectors[variable_of[name] + "_FILE"] == "{{ tower.filename.%s }}" % name
        else:
            assert "{{ %s" % name in injectors[variable_of[name]]
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    with open(os.path.join(REPO, "docs", "awx.md"), encoding="utf-8") as handle:
        guide = handle.read()
    for variable in injectors:
        assert "`%s`" % variable in readme and variable in guide


def test_the_automation_hub_execution_environment_of_the_guide_builds_a_context(tmp_path):
    """docs/awx.md's ee-minimal variant: ansible-builder accepts it, and the token is a build argument, not a file."""
    with open(os.path.join(REPO, "docs", "awx.md"), encoding="utf-8") as handle:
        guide = handle.read()
    definition = re.search(r"```yaml\n(# execution-environment.yml\n.*?)```", guide, re.S).group(1)
    (tmp_path / "execution-environment.yml").write_text(definition)
    (tmp_path / "ansible.cfg").write_text(re.search(r"```ini\n(.*?)```", guide, re.S).group(1))
    assert not re.search(r"^\s*token\s*=", (tmp_path / "ansible.cfg").read_text(), re.M)  # never written into the file
    subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f", str(tmp_path / "execution-environment.yml"),
                    "-c", str(tmp_path / "context")], check=True, capture_output=True, text=True)
    containerfile = next((tmp_path / "context" / name).read_text() for name in ("Containerfile", "Dockerfile")
                         if (tmp_path / "context" / name).exists())
    assert "ee-minimal-rhel9" in containerfile and "ARG ANSIBLE_GALAXY_SERVER_AUTOMATION_HUB_TOKEN" in containerfile


def test_example_execution_environment_builds_a_context(tmp_path):
    context = tmp_path / "context"
    subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f", os.path.join(REPO, "examples", "execution-environment.yml"),
                    "-c", str(context)], check=True, capture_output=True, text=True)
    containerfile = (context / "Dockerfile").read_text() if (context / "Dockerfile").exists() else (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile or "requirements.yml" in containerfile
    assert "ingrammicro.marketplace" in (context / "_build" / "requirements.yml").read_text()
    # Pinned to what the tests run (test-requirements.txt) and to this version of the collection.
    definition = load_yaml(os.path.join(REPO, "examples", "execution-environment.yml"))
    with open(os.path.join(REPO, "test-requirements.txt"), encoding="utf-8") as handle:
        tested = dict(line.strip().split("==") for line in handle if "==" in line and not line.startswith("#"))
    assert definition["dependencies"]["ansible_core"]["package_pip"] == "ansible-core==" + tested["ansible-core"]
    assert definition["dependencies"]["ansible_runner"]["package_pip"] == "ansible-runner==" + tested["ansible-runner"]
    assert definition["dependencies"]["galaxy"]["collections"][0]["version"] == load_yaml(os.path.join(REPO, "galaxy.yml"))["version"]
    assert "system" not in definition["dependencies"]


# ---------------------------------------------------------------------------------------------------- ansible-runner

class Job:
    """ansible-runner runs of the example AWX project, each in a fresh private data directory as AWX starts jobs."""

    def __init__(self, simulator, tmp_path, name, mail_server=None, cache_home=None):
        self.simulator = simulator
        self.root = tmp_path / name
        self.runs = 0
        self.cache_home = cache_home or tmp_path / "cache"
        self.mail_server = mail_server

    def run(self, playbook, extravars=None, check=False, verbosity=3, run_async=False, env=None, **options):
        """One job; ``options`` are ansible-runner's (``inventory``, ``limit``, ``forks``). With ``run_async``, the
        runner starts it and returns ``(thread, runner)``."""
        self.runs += 1
        private = self.root / ("job-%d" % self.runs)
        shutil.copytree(PROJECT, private / "project")
        smtp, extra_env = {}, {}
        if self.mail_server:  # the credential's SMTP fields; the test CA as an execution environment would carry it
            smtp = {"smtp_host": "127.0.0.1", "smtp_port": str(self.mail_server.port), "smtp_username": mailserver.USERNAME,
                    "smtp_password": mailserver.PASSWORD, "smtp_sender": "Licensing <licensing@msp.example>"}
            extra_env["SMTP_CA_PATH"] = self.mail_server.ca_path
        envvars = dict(injected_environment(self.simulator, str(private / "env"), smtp), ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"),
                       XDG_CACHE_HOME=str(self.cache_home), ANSIBLE_CALLBACK_RESULT_FORMAT="json", **extra_env)
        envvars.update(env or {})
        start = ansible_runner.run_async if run_async else ansible_runner.run
        return start(private_data_dir=str(private), playbook=playbook, extravars=extravars or {}, envvars=envvars,
                     cmdline="--check" if check else None, quiet=True, verbosity=verbosity, **options)

    def secrets(self):
        return known_secrets(self.simulator)

    def leaks(self):
        """Secrets found anywhere in the runner's artifacts (events, stdout, command, status)."""
        found = set()
        for path in glob.glob(str(self.root / "job-*" / "artifacts" / "**" / "*"), recursive=True):
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as handle:
                    content = handle.read()
                found.update(secret for secret in self.secrets() if secret and secret in content)
        return sorted(found)


def custom_stats(runner):
    for event in runner.events:
        if event.get("event") == "playbook_on_stats":
            return event["event_data"].get("artifact_data") or {}
    return {}


@pytest.fixture
def sim(simulator):
    simulator.reset()
    simulator.set_faults(order_processing_seconds=0.3)
    return simulator


def test_runner_onboarding_and_report_with_injected_credentials(sim, mail_server, tmp_path):
    """Onboarding planned then applied, then the licence report mailed through the credential's SMTP fields."""
    job = Job(sim, tmp_path, "onboard", mail_server)
    onboard_vars = load_yaml(os.path.join(REPO, "examples", "onboard_customers_vars.yml"))
    plan = job.run("onboard_customers.yml", onboard_vars, check=True)
    assert plan.status == "successful", plan.stdout.read()[-4000:]
    assert writes(sim) == []
    applied = job.run("onboard_customers.yml", onboard_vars)
    assert applied.status == "successful", applied.stdout.read()[-4000:]
    assert len([entry for entry in writes(sim) if entry["path"].endswith("/orders")]) == 2
    report = job.run("license_report.yml", {"license_report_dir": str(tmp_path / "report"), "license_report_mail_to": ["finance@msp.example"]})
    assert report.status == "successful", report.stdout.read()[-4000:]
    (written,) = glob.glob(str(tmp_path / "report" / "license-report-*.csv"))
    (message,) = mail_server.wait_for(1)
    assert message["From"] == "Licensing <licensing@msp.example>" and mail_server.inbox.envelopes[0]["to"] == ["finance@msp.example"]
    page = written[:-len(".csv")] + ".html"
    assert sorted(part.get_filename() for part in message.iter_attachments()) == sorted(map(os.path.basename, (written, page)))
    assert "HOOLI-005" in message.get_body(("plain",)).get_content()  # the customer the first job onboarded
    assert len(token_requests(sim)) == 1
    assert job.leaks() == []


def test_runner_workflow_plan_approve_apply(sim, tmp_path):
    """Job 1 plans in check mode and publishes the plan (set_stats); after approval, job 2 applies exactly that plan.
    A plan that no longer matches the live state is refused by the apply job without any write."""
    licenses = {"license_adjustment_licenses": [{"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 28},
                                                {"customer": "GLOBEX-002", "mpn": "SH3AMCLOS", "quantity": 41}]}
    job = Job(sim, tmp_path, "workflow")
    planned = job.run("adjust_licenses.yml", licenses, check=True)
    assert planned.status == "successful", planned.stdout.read()[-4000:]
    approved = custom_stats(planned)["license_adjustment_approved_plans"]
    assert [line["desired"] for line in approved["localhost"]["plan"]] == [28, 41]
    # What the approver reads in the plan job's artifacts: the priced table the job printed.
    table = custom_stats(planned)["license_adjustment_plan_tables"]["localhost"]
    assert table[0].split()[:3] == ["line", "customer", "product"] and "check mode, nothing was ordered" in table[3]
    assert writes(sim) == []
    applied = job.run("adjust_licenses.yml", dict(licenses, **custom_stats(planned)))
    assert applied.status == "successful", applied.stdout.read()[-4000:]
    api = ApiClient(sim)
    assert [api.subscription_seats("3000001"), api.subscription_seats("3000006")] == [28, 41]

    stale = job.run("adjust_licenses.yml", dict(licenses, license_adjustment_licenses=[
        {"customer": "GLOBEX-002", "mpn": "SH3AMCLOS", "quantity": 44}]), check=True)
    changed_meanwhile = job.run("adjust_licenses.yml", {"license_adjustment_licenses": [
        {"customer": "GLOBEX-002", "mpn": "SH3AMCLOS", "quantity": 43}]})
    assert changed_meanwhile.status == "successful"
    before = len(writes(sim))
    refused = job.run("adjust_licenses.yml", dict({"license_adjustment_licenses": [
        {"customer": "GLOBEX-002", "mpn": "SH3AMCLOS", "quantity": 44}]}, **custom_stats(stale)))
    assert refused.status == "failed"
    assert "the plan differs from the one saved" in refused.stdout.read()
    assert len(writes(sim)) == before
    assert api.subscription_seats("3000006") == 43
    assert job.leaks() == []


def test_runner_monthly_plan_from_the_projects_csv_is_mailed_and_published(sim, mail_server, tmp_path):
    """docs/awx.md's monthly licence plan: a Check job plans from the licence CSV committed to the project (a path
    relative to it), mails the plan to the reviewer and publishes the table in the job's artifacts; nothing is ordered."""
    job = Job(sim, tmp_path, "monthly", mail_server)
    planned = job.run("adjust_licenses.yml", {"license_adjustment_licenses_csv": "licences/declared.csv",
                                              "license_adjustment_mail_to": ["licensing@msp.example"]}, check=True)
    assert planned.status == "successful", planned.stdout.read()[-4000:]
    assert writes(sim) == []
    table = custom_stats(planned)["license_adjustment_plan_tables"]["localhost"]
    assert [line.split()[1] for line in table[1:3]] == ["ACME-001", "GLOBEX-002"] and "25 -> 30" in table[1]
    (message,) = mail_server.wait_for(1)
    assert message["Subject"].endswith(": planned") and mail_server.inbox.envelopes[0]["to"] == ["licensing@msp.example"]
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n").splitlines() == table
    assert job.leaks() == []


def rulebook_launch(template, rulebook, rule, event):
    """The extra variables of a job that a rulebook's run_job_template launches: the job template's own variables and,
    passed at launch (the template prompts for variables), the event as ansible_eda."""
    assert template["ask_variables_on_launch"] is True
    return dict(template.get("extra_vars") or {}, ansible_eda={"ruleset": rulebook, "rule": rule, "event": event})


def test_runner_event_report_job_as_a_rulebook_launches_it(sim, mail_server, tmp_path):
    """docs/awx.md's "Marketplace - report an event", launched as order_failed does with the EDA controller: the job
    prints the line that says what happened at the default verbosity, mails it to the template's recipients, and reads
    nothing from the API."""
    from ansible_collections.ingrammicro.marketplace.plugins.filter.event_text import FilterModule as EventText

    template = documented_job_template("Marketplace - report an event")
    event = {"type": "order_status_changed", "customer_id": "1000001", "customer_external_id": "ACME-001",
             "subscription_id": "3000001", "product": "Microsoft 365 Business Standard", "order_id": "5000042",
             "order_number": "SO000042", "order_type": "change", "before": {"status": "processing", "status_code": "PR"},
             "after": {"status": "error", "status_code": "ER", "message": "the vendor refused the change"},
             "observed_at": "2027-01-05T09:00:00Z"}
    job = Job(sim, tmp_path, "event", mail_server)
    launch = rulebook_launch(template, "Orders that fail in the Marketplace", "Report an order that ended in error", event)
    report = job.run(template["playbook"], launch, verbosity=0)
    output = re.sub(r"\x1b\[[0-9;]*m", "", report.stdout.read())  # without the colours
    assert report.status == "successful", output[-4000:]
    line = EventText().filters()["event_text"](event)  # what the collection says of the event, as the job says it
    assert "vendor refused the change" in line and ('"msg": %s' % json.dumps(line) in output
                                                    or '"msg": %s' % json.dumps(line, ensure_ascii=False) in output), output[-3000:]
    (message,) = mail_server.wait_for(1)
    assert mail_server.inbox.envelopes[0]["to"] == template["extra_vars"]["marketplace_event_mail_to"]
    assert line in message.get_body(("plain",)).get_content()
    assert sim.requests() == []  # a report reads nothing from the API
    assert job.leaks() == []


def test_runner_drift_report_job_as_seats_changed_launches_it(sim, mail_server, tmp_path):
    """docs/awx.md's "Licences - drift report", launched as seats_changed does with the EDA controller: a Run job on
    the project's licences/declared.csv that prints, at the default verbosity, which declared lines differ from the
    seats now, mails the table to the template's recipients, and orders nothing."""
    template = documented_job_template("Licences - drift report")
    assert template["job_type"] == "run" and template["extra_vars"]["license_adjustment_licenses_csv"] == "licences/declared.csv"
    event = {"type": "seats_changed", "customer_id": "1000001", "customer_external_id": "ACME-001", "subscription_id": "3000001",
             "order_id": "5000043", "order_number": "SO000043", "order_type": "change", "before": {"seats": 25},
             "after": {"seats": 27}, "observed_at": "2027-01-05T09:00:00Z"}
    job = Job(sim, tmp_path, "drift", mail_server)
    drift = job.run(template["playbook"], rulebook_launch(template, "Seats changed in the Marketplace",
                                                          "Report how the declaration and the Marketplace differ now", event), verbosity=0)
    output = re.sub(r"\x1b\[[0-9;]*m", "", drift.stdout.read())  # without the colours
    assert drift.status == "successful", output[-4000:]
    assert "Drift: 2 of 2 declared lines differ from the seats now." in output
    rows = [json.loads('"%s"' % row) for row in re.findall(r'^\s*"(\d+\s+(?:ACME-001|GLOBEX-002)\s.*)",?$', output, re.M)]
    assert [row.split()[1] for row in rows] == ["ACME-001", "GLOBEX-002"], output[-3000:]
    assert "25 -> 30" in rows[0] and rows[0].endswith("from declared.csv row 2")  # the project's declaration
    assert writes(sim) == []
    (message,) = mail_server.wait_for(1)
    assert message["Subject"] == "Licence drift: 2 of 2 declared lines differ"
    assert mail_server.inbox.envelopes[0]["to"] == template["extra_vars"]["license_drift_mail_to"]
    assert job.leaks() == []


# ---------------------------------------------------------------------------------------------------- inventory plugin

def inventory(simulator, tmp_path, config, extra_env=None):
    path = tmp_path / "customers.marketplace.yml"
    path.write_text(yaml.safe_dump(dict({"plugin": "ingrammicro.marketplace.customers"}, **config)))
    env = {name: value for name, value in os.environ.items() if not name.startswith("INGRAM_")}
    env.update(injected_environment(simulator, str(tmp_path / "credential")), ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.update(extra_env or {})
    listing = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(path), "--list"], env=env, cwd=REPO,
                             capture_output=True, text=True, check=False)
    assert listing.returncode == 0, listing.stderr
    for secret in (simulator.credentials["password"], simulator.credentials["subscription_key"]):
        assert secret not in listing.stdout + listing.stderr
    return plain(json.loads(listing.stdout))


def plain(data):
    """ansible-inventory's JSON without its markers of untrusted values ({"__ansible_unsafe": value})."""
    if isinstance(data, dict):
        if set(data) == {"__ansible_unsafe"}:
            return data["__ansible_unsafe"]
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(item) for item in data]
    return data


def test_inventory_hosts_hostvars_groups(sim, tmp_path):
    data = inventory(sim, tmp_path, {"subscriptions": True, "keyed_groups": [{"key": "marketplace_reseller_id", "prefix": "reseller"}],
                                     "compose": {"seats": "marketplace_subscriptions | map(attribute='quantity') | sum"},
                                     "groups": {"microsoft": "marketplace_subscriptions | map(attribute='mpn') | select('match', 'CFQ7') | list | length > 0"}})
    hostvars = data["_meta"]["hostvars"]
    assert sorted(hostvars) == ["ACME-001", "GLOBEX-002", "INITECH-003", "UMBRELLA-004"]
    acme = hostvars["ACME-001"]
    assert acme["marketplace_customer_id"] == "1000001"
    assert acme["marketplace_name"] == "Acme Manufacturing Inc."
    assert acme["marketplace_status"] == "active"
    assert acme["ansible_connection"] == "local"
    assert sorted(sub["quantity"] for sub in acme["marketplace_subscriptions"]) == [5, 10, 25]  # the terminated one is left out
    assert int(acme["seats"]) == 40  # a string on ansible-core 2.16, whose templating is not native
    assert sorted(data["reseller_2000001"]["hosts"]) == ["ACME-001", "GLOBEX-002", "INITECH-003"]
    assert data["reseller_2000002"]["hosts"] == ["UMBRELLA-004"]
    assert sorted(data["microsoft"]["hosts"]) == ["ACME-001", "GLOBEX-002", "INITECH-003", "UMBRELLA-004"]


def test_inventory_filters_pages_and_cache(sim, tmp_path):
    sim.set_faults(max_page_size=2)
    data = inventory(sim, tmp_path, {"reseller_id": "2000001", "status": ["active"]})
    assert sorted(data["_meta"]["hostvars"]) == ["ACME-001", "GLOBEX-002", "INITECH-003"]
    listings = [entry for entry in sim.requests() if entry["path"].endswith("/customers")]
    assert [entry["query"]["offset"] for entry in listings] == ["0", "2"]
    cached = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "inventory-cache"),
              "cache_timeout": 600}
    first = inventory(sim, tmp_path, cached)
    before = len(sim.requests())
    second = inventory(sim, tmp_path, cached)
    assert len(sim.requests()) == before  # served from the cache: not a single request
    assert sorted(second["_meta"]["hostvars"]) == sorted(first["_meta"]["hostvars"]) == ["ACME-001", "GLOBEX-002", "INITECH-003", "UMBRELLA-004"]


def test_inventory_needs_the_connection_settings(sim, tmp_path):
    path = tmp_path / "customers.marketplace.yml"
    path.write_text("plugin: ingrammicro.marketplace.customers\n")
    env = {name: value for name, value in os.environ.items() if not name.startswith("INGRAM_")}
    env.update(ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_INVENTORY_UNPARSED_FAILED="true")
    listing = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(path), "--list"], env=env, cwd=REPO,
                             capture_output=True, text=True, check=False)
    assert listing.returncode != 0
    assert "api_url (option api_url or environment variable INGRAM_API_URL)" in listing.stderr
    assert sim.requests() == []


def test_inventory_refuses_a_misspelt_option_instead_of_listing_every_customer(sim, tmp_path):
    path = tmp_path / "customers.marketplace.yml"
    path.write_text("plugin: ingrammicro.marketplace.customers\nstauts: [active]\n")
    env = {name: value for name, value in os.environ.items() if not name.startswith("INGRAM_")}
    env.update(injected_environment(sim, str(tmp_path / "credential")), ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), ANSIBLE_INVENTORY_UNPARSED_FAILED="true")
    listing = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(path), "--list"], env=env, cwd=REPO,
                             capture_output=True, text=True, check=False)
    assert listing.returncode != 0
    assert "customers.marketplace.yml: unknown option stauts (did you mean status?)" in " ".join(listing.stderr.split())
    assert sim.requests() == []


# ---------------------------------------------------------------------------------------------------- per customer host

def test_license_adjustment_per_customer_host_with_20_forks(sim, tmp_path, run_playbook):
    seeded = sim.seed(customers=22, subscriptions_per_customer=2, external_id_prefix="HOST-")["customers"]
    sim.set_faults(latency_ms=20)
    inventory_dir = tmp_path / "inventory"
    (inventory_dir / "host_vars").mkdir(parents=True)
    (inventory_dir / "customers.marketplace.yml").write_text(yaml.safe_dump({
        "plugin": "ingrammicro.marketplace.customers",
        "groups": {"bulk": "marketplace_external_id.startswith('HOST-')"},
    }))
    expected = {}
    for number, customer in enumerate(seeded):
        lines = []
        for held in customer["subscriptions"]:
            wanted = held["quantity"] + (1 if number % 2 else 0)
            lines.append({"mpn": held["mpn"], "quantity": wanted})
            expected[held["id"]] = wanted
        (inventory_dir / "host_vars" / (customer["externalId"] + ".yml")).write_text(yaml.safe_dump({"license_adjustment_licenses": lines}))
    run = run_playbook("ingrammicro.marketplace.adjust_licenses", {"license_adjustment_hosts": "bulk"},
                       args=("-i", str(inventory_dir / "customers.marketplace.yml"), "-f", "20"), verbosity=1)
    assert run.rc == 0, run.output[-6000:]
    assert run.output.count("ok=") >= 22
    assert len(token_requests(sim)) == 1  # the inventory and all 20 forks shared one token
    api = ApiClient(sim)
    assert {subscription_id: api.subscription_seats(subscription_id) for subscription_id in expected} == expected


def test_license_adjustment_over_all_customer_hosts_skips_those_that_declare_nothing(sim, tmp_path, run_playbook):
    """The documented AWX flow on a real inventory: only some customers declare seats; the others are skipped, not failed."""
    inventory_dir = tmp_path / "inventory"
    (inventory_dir / "host_vars").mkdir(parents=True)
    (inventory_dir / "customers.marketplace.yml").write_text(yaml.safe_dump({"plugin": "ingrammicro.marketplace.customers"}))
    (inventory_dir / "host_vars" / "GLOBEX-002.yml").write_text(yaml.safe_dump(
        {"license_adjustment_licenses": [{"mpn": "SH3AMCLOS", "quantity": 42}]}))
    (inventory_dir / "host_vars" / "INITECH-003.yml").write_text(yaml.safe_dump({"license_adjustment_licenses": []}))
    # "all" of the customers inventory; the test runner's own inventory adds localhost, which is not a customer.
    run = run_playbook("ingrammicro.marketplace.adjust_licenses", {"license_adjustment_hosts": "all:!localhost"},
                       args=("-i", str(inventory_dir / "customers.marketplace.yml")), verbosity=0)
    assert run.rc == 0, run.output[-6000:]
    for host in ("ACME-001", "INITECH-003", "UMBRELLA-004"):
        assert "%s: no license_adjustment_licenses declared for this customer host, nothing to adjust; skipped" % host in run.output
        assert re.search(r"%s\s*: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0" % host, run.output)
    assert re.search(r"GLOBEX-002\s*: ok=\d+\s+changed=1\s+unreachable=0\s+failed=0", run.output)
    assert ApiClient(sim).subscription_seats("3000006") == 42


def test_a_misconfigured_inventory_source_fails_loudly_with_the_documented_settings(tmp_path):
    """Without connection settings, the plugin names what is missing; with the settings its documentation recommends
    (only this plugin enabled, unparsed sources failing), ansible-inventory exits non-zero instead of printing {}."""
    path = tmp_path / "customers.marketplace.yml"
    path.write_text(yaml.safe_dump({"plugin": "ingrammicro.marketplace.customers"}))
    env = {name: value for name, value in os.environ.items() if not name.startswith("INGRAM_")}
    env.update(ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               ANSIBLE_INVENTORY_ENABLED="ingrammicro.marketplace.customers", ANSIBLE_INVENTORY_UNPARSED_FAILED="true")
    listing = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(path), "--list"], env=env, cwd=REPO,
                             capture_output=True, text=True, check=False)
    assert listing.returncode != 0
    assert "missing connection settings: api_url (option api_url or environment variable INGRAM_API_URL)" in listing.stderr
    assert "Failed to parse inventory with 'yaml' plugin" not in listing.stderr  # the real cause is not buried


# ---------------------------------------------------------------------------------------------------- job slicing

def sliced(hosts, count):
    """AWX's slices of an inventory (host n goes to slice n mod count), each with the first host of the next slice too:
    declarations that overlap, as after an inventory change or a slice relaunched while the others run."""
    slices = [hosts[number::count] for number in range(count)]
    return [part + [slices[(number + 1) % count][0]] for number, part in enumerate(slices)]


def run_slices(sim, tmp_path, phase, slices, extravars, env=None):
    """The slices as AWX runs them: at the same time, each a job of its own (private data and cache directory)."""
    started = []
    for number, hosts in enumerate(slices, start=1):
        job = Job(sim, tmp_path, "%s-slice-%d" % (phase, number), cache_home=tmp_path / ("%s-cache-%d" % (phase, number)))
        started.append(job.run("adjust_licenses.yml", extravars, run_async=True, env=env, verbosity=0,
                               inventory=str(tmp_path / "inventory" / "customers.marketplace.yml"), limit=",".join(hosts), forks=10))
    for thread, _runner in started:
        thread.join(timeout=300)
    return [runner for _thread, runner in started]


def new_orders(api, before):
    """The orders placed since ``before`` (ids), with their subscription and status."""
    return [api.get("/orders/" + row["id"]) for row in api.rows("/orders") if row["id"] not in before]


def test_a_sliced_job_orders_each_subscription_once_and_reports_as_one_run(sim, tmp_path):
    """docs/awx.md, Scale: three slices of 20 customer hosts, at the same time, with their own private data and cache
    directories and overlapping declarations. While change_quantity is unconfirmed, no slice places a canary
    (license_adjustment_canary: false): every change is refused, nothing is ordered. Confirmed, each subscription gets
    one order and its seats (a slice whose order raced another's withdrew its own), and the licence report read from
    the volume all slices write to lists the decrease each slice deferred."""
    # Started 40 days ago: a decrease is deferred to the renewal (window 0 days), not made.
    seeded = sim.seed(customers=20, subscriptions_per_customer=1, external_id_prefix="SLICE-", age_days=40)["customers"]
    held = {customer["externalId"]: customer["subscriptions"][0] for customer in seeded}
    hosts = sorted(held)
    slices = sliced(hosts, 3)
    deferring = {part[-2] for part in slices}  # one host of each slice declares a decrease, deferred to the renewal
    (tmp_path / "inventory" / "host_vars").mkdir(parents=True)
    (tmp_path / "inventory" / "customers.marketplace.yml").write_text(yaml.safe_dump({"plugin": "ingrammicro.marketplace.customers"}))
    for host, subscription in held.items():
        wanted = subscription["quantity"] - 1 if host in deferring else subscription["quantity"] + 2
        (tmp_path / "inventory" / "host_vars" / (host + ".yml")).write_text(yaml.safe_dump(
            {"license_adjustment_licenses": [{"mpn": subscription["mpn"], "quantity": wanted}]}))
    audit = tmp_path / "shared-volume"
    extravars = {"license_adjustment_hosts": "all", "license_adjustment_canary": False, "license_adjustment_allow_decrease": True,
                 "license_adjustment_decrease_window_days": 0, "license_adjustment_output_dir": str(audit)}
    api = ApiClient(sim)
    before = {row["id"] for row in api.rows("/orders")}
    sim.set_faults(latency_ms=50, order_processing_seconds=1, rendezvous_seconds=3)  # overlapping hosts' orders race

    refused = run_slices(sim, tmp_path, "unconfirmed", slices, extravars)
    assert [runner.status for runner in refused] == ["failed"] * 3
    assert new_orders(api, before) == []
    for runner in refused:
        output = runner.stdout.read()
        assert "would be ordered first as a canary" in output and "license_adjustment_canary is false" in output, output[-3000:]
        assert "set change_quantity_confirmed (INGRAM_CHANGE_QUANTITY_CONFIRMED, the AWX credential's checkbox) to true" in output

    applied = run_slices(sim, tmp_path, "confirmed", slices, extravars, env={"INGRAM_CHANGE_QUANTITY_CONFIRMED": "true"})
    assert [runner.status for runner in applied] == ["successful"] * 3, [runner.stdout.read()[-3000:] for runner in applied]
    sim.set_faults(latency_ms=0, rendezvous_seconds=0)
    orders = new_orders(api, before)
    kept = collections.Counter(order["subscriptionId"] for order in orders if order["status"] != "cancelled")
    assert kept == {held[host]["id"]: 1 for host in hosts if host not in deferring}
    assert any(order["status"] == "cancelled" for order in orders)  # the overlap raced: the guard was needed
    for host, subscription in held.items():
        assert api.subscription_seats(subscription["id"]) == subscription["quantity"] + (0 if host in deferring else 2), host

    report = Job(sim, tmp_path, "report").run("license_report.yml", {"license_report_dir": str(tmp_path / "report"),
                                                                     "license_report_adjustment_dir": str(audit)})
    assert report.status == "successful", report.stdout.read()[-3000:]
    (page,) = glob.glob(str(tmp_path / "report" / "license-report-*.html"))
    with open(page, encoding="utf-8") as handle:
        section = re.search(r'<section[^>]*id="deferred-decreases".*?</section>', handle.read(), re.S).group(0)
    assert sorted(re.findall(r'data-subscription="(\w+)"', section)) == sorted(held[host]["id"] for host in deferring)
