"""docs/awx.md defines, as awx.awx tasks a user can run as written, every AWX object that something else names.

- The rulebooks' controller form (the ``run_job_template`` comment under each action, as docs/eda.md tells users to
  switch to) is a valid ansible-rulebook action, names a job template of the page that runs the same collection
  playbook as the rule's ``run_playbook``, and that template prompts for variables on launch (the event is passed).
- The page's schedules and workflow nodes name job templates (or the workflow) it defines; those given ``extra_data``
  prompt for variables on launch.
- Every job template runs a playbook of examples/awx-project on an inventory, project, execution environment and
  credential of the page; localhost templates on the inventory that holds localhost, per-customer ones on the
  customers inventory. The page's table of job templates and its listing of the project agree with both.
"""

import copy
import glob
import os
import re

import jinja2
import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDE = os.path.join(REPO, "docs", "awx.md")
PROJECT = os.path.join(REPO, "examples", "awx-project")
RULEBOOKS = sorted(glob.glob(os.path.join(REPO, "extensions", "eda", "rulebooks", "*.yml")))


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def awx_tasks(markdown):
    """(module, parameters) of every awx.awx task in the page's YAML code blocks, in order."""
    tasks = []
    for block in re.findall(r"^```yaml\n(.*?)^```", markdown, re.M | re.S):
        data = yaml.safe_load(block)
        for task in data if isinstance(data, list) else []:
            for key, params in task.items():
                if key.startswith("awx.awx."):
                    tasks.append((key[len("awx.awx."):], params))
    return tasks


def defined(tasks, module):
    """name -> parameters of the objects the tasks of ``module`` create; a name defined twice is an error."""
    objects = {}
    for kind, params in tasks:
        if kind == module:
            assert params["name"] not in objects, "%s %r is defined twice" % (module, params["name"])
            assert params.get("state", "present") == "present"
            objects[params["name"]] = params
    return objects


def controller_actions(path):
    """rule name -> the rule's ``run_job_template`` comment, parsed: a ``# run_job_template:`` line and the deeper
    commented lines under it, uncommented."""
    text = read(path)
    rules = {rule["name"] for ruleset in yaml.safe_load(text) for rule in ruleset["rules"]}
    actions, rule, lines = {}, None, text.splitlines()
    for number, line in enumerate(lines):
        start = re.match(r"^\s*- name: (.+)$", line)
        if start and start.group(1) in rules:
            rule = start.group(1)
        block = re.match(r"^(\s*# )run_job_template:\s*$", line)
        if block:
            prefix = block.group(1)
            body = [line[len(prefix):]]
            for following in lines[number + 1:]:
                if not following.startswith(prefix + "  "):
                    break
                body.append(following[len(prefix):])
            assert rule and rule not in actions, "%s: a run_job_template comment outside a rule, or two in one" % path
            actions[rule] = yaml.safe_load("\n".join(body))
    return actions


def imported_playbook(playbook):
    """The collection playbook a playbook of the AWX project imports."""
    (play,) = yaml.safe_load(read(os.path.join(PROJECT, playbook)))
    return play["ansible.builtin.import_playbook"]


@pytest.fixture(scope="module")
def page():
    tasks = awx_tasks(read(GUIDE))
    objects = {module: defined(tasks, module) for module in ("job_template", "inventory", "project", "execution_environment",
                                                             "credential", "workflow_job_template", "schedule")}
    objects.update(hosts=[params for kind, params in tasks if kind == "host"],
                   sources=[params for kind, params in tasks if kind == "inventory_source"],
                   nodes=[params for kind, params in tasks if kind == "workflow_job_template_node"])
    return objects


def test_the_page_defines_the_job_templates_and_what_they_need(page):
    assert {"Licences - plan", "Licences - apply", "Licence report", "Marketplace - report an event",
            "Licences - drift report"} <= set(page["job_template"])
    assert set(page["inventory"]) == {"Localhost", "Marketplace customers"}


@pytest.mark.parametrize("path", RULEBOOKS, ids=os.path.basename)
def test_the_rulebooks_controller_form_launches_job_templates_of_the_page(path, page):
    from ansible_rulebook.validators import Validate  # pylint: disable=import-outside-toplevel

    rulebook = yaml.safe_load(read(path))
    actions = controller_actions(path)
    controller = copy.deepcopy(rulebook)
    for ruleset in controller:
        for rule in ruleset["rules"]:
            assert set(rule["action"]) == {"run_playbook"} and rule["name"] in actions, (
                "%s: rule %r has no run_job_template comment under its run_playbook" % (path, rule["name"]))
            action = actions[rule["name"]]
            assert set(action) == {"run_job_template"}
            launch = action["run_job_template"]
            template = page["job_template"].get(launch["name"])
            assert template, "%s: rule %r launches the job template %r, which docs/awx.md does not define" % (
                path, rule["name"], launch["name"])
            assert launch["organization"] == template["organization"]
            # The same work as ansible-rulebook's run_playbook: the template's project playbook imports that playbook.
            assert imported_playbook(template["playbook"]) == rule["action"]["run_playbook"]["name"]
            # run_job_template passes the event (ansible_eda) unless include_events is false, and job_args.extra_vars.
            if launch.get("include_events", True) or launch.get("job_args", {}).get("extra_vars"):
                assert template.get("ask_variables_on_launch") is True, (
                    "%s: rule %r passes variables to %r, which does not prompt for them" % (path, rule["name"], launch["name"]))
            rule["action"] = action
    assert len(actions) == sum(len(ruleset["rules"]) for ruleset in rulebook)
    Validate.rulebook(rulebook)
    Validate.rulebook(controller)  # the rulebook a user gets by switching every action to its comment


def test_schedules_and_workflow_nodes_name_templates_of_the_page(page):
    templates, workflows = page["job_template"], page["workflow_job_template"]
    assert page["schedule"] and page["nodes"]
    for schedule in page["schedule"].values():
        target = schedule["unified_job_template"]
        assert target in templates or target in workflows, "schedule %r: %r is not defined" % (schedule["name"], target)
        if schedule.get("extra_data"):
            assert (templates.get(target) or workflows.get(target)).get("ask_variables_on_launch") is True, (
                "schedule %r passes extra_data to %r, which does not prompt for variables" % (schedule["name"], target))
    identifiers = {(node["workflow_job_template"], node["identifier"]) for node in page["nodes"]}
    assert len(identifiers) == len(page["nodes"])
    for node in page["nodes"]:
        assert node["workflow_job_template"] in workflows
        assert node["organization"] == workflows[node["workflow_job_template"]]["organization"]
        assert ("unified_job_template" in node) != ("approval_node" in node)
        if "unified_job_template" in node:
            assert node["unified_job_template"] in templates, "workflow node %r: %r is not defined" % (
                node["identifier"], node["unified_job_template"])
            if node.get("extra_data"):
                assert templates[node["unified_job_template"]].get("ask_variables_on_launch") is True
        for following in node.get("success_nodes", []) + node.get("failure_nodes", []) + node.get("always_nodes", []):
            assert (node["workflow_job_template"], following) in identifiers


def test_job_templates_run_project_playbooks_on_objects_of_the_page(page):
    localhost = {host["inventory"] for host in page["hosts"] if host["name"] == "localhost"}
    sourced = {source["inventory"] for source in page["sources"]}
    assert localhost and sourced and localhost.isdisjoint(sourced)
    for host in page["hosts"]:
        assert host["inventory"] in page["inventory"] and host["variables"]["ansible_connection"] == "local"
        # What AWX stores once the task has run: the expression itself, which each job resolves.
        stored = jinja2.Template(host["variables"]["ansible_python_interpreter"]).render()
        assert stored == "{{ ansible_playbook_python }}"
    for source in page["sources"]:
        assert source["inventory"] in page["inventory"] and source["source_project"] in page["project"]
        assert os.path.isfile(os.path.join(PROJECT, source["source_path"]))
        assert source["credential"] in page["credential"] and source["execution_environment"] in page["execution_environment"]
    for project in page["project"].values():
        assert project["default_environment"] in page["execution_environment"]
    for name, template in page["job_template"].items():
        assert os.path.isfile(os.path.join(PROJECT, template["playbook"])), "%s: no %s in examples/awx-project" % (
            name, template["playbook"])
        assert imported_playbook(template["playbook"]).startswith("ingrammicro.marketplace.")
        assert template["job_type"] in ("run", "check")
        assert template["inventory"] in page["inventory"], "%s: the inventory %r is not defined" % (name, template["inventory"])
        assert template["project"] in page["project"] and template["execution_environment"] in page["execution_environment"]
        assert template["credentials"] and set(template["credentials"]) <= set(page["credential"])
        # The collection's playbooks run on localhost unless license_adjustment_hosts names customer hosts.
        per_customer = "license_adjustment_hosts" in (template.get("extra_vars") or {})
        assert template["inventory"] in (sourced if per_customer else localhost), (
            "%s: a %s job template on the inventory %r" % (name, "per-customer" if per_customer else "localhost", template["inventory"]))
        for path in (template.get("extra_vars") or {}).values():
            if isinstance(path, str) and path.endswith(".csv"):
                assert os.path.isfile(os.path.join(PROJECT, path))


def test_the_table_of_job_templates_agrees_with_their_definitions(page):
    rows = re.search(r"^\| job template \| playbook \| job type \| inventory \| prompts for variables \|.*?\n\|[-|]+\n((?:\|.*\n)+)",
                     read(GUIDE), re.M).group(1)
    table = {}
    for row in rows.splitlines():
        name, playbook, job_type, inventory, prompts = [cell.strip() for cell in row.strip("|").split("|")][:5]
        table[name] = (playbook.strip("`"), re.match(r"\w+", job_type).group(0).lower(), inventory, prompts.split(":")[0])
    on_localhost = {name for name, template in page["job_template"].items() if template["inventory"] == "Localhost"}
    assert set(table) == on_localhost
    for name, (playbook, job_type, inventory, prompts) in table.items():
        template = page["job_template"][name]
        assert (playbook, job_type, inventory) == (template["playbook"], template["job_type"], template["inventory"]), name
        assert prompts == ("yes" if template.get("ask_variables_on_launch") else "no"), name


def test_the_listing_of_the_project_is_examples_awx_project(page):
    section = re.search(r"^## 3\. .*?^```text\n(.*?)^```", read(GUIDE), re.M | re.S).group(1)
    listed = {line.split()[0] for line in section.splitlines()}
    files = {os.path.relpath(path, PROJECT) for path in glob.glob(os.path.join(PROJECT, "**", "*"), recursive=True)
             if os.path.isfile(path)}
    assert listed == files
    # Every playbook of the project is one a job template of the page runs.
    assert {name for name in files if "/" not in name and name.endswith(".yml")} == {
        template["playbook"] for template in page["job_template"].values()}
