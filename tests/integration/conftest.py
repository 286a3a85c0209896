"""Integration tests: real ansible-playbook runs of the collection against the simulator, which they start themselves.

Every run gets the connection settings only through the INGRAM_* environment variables, a fresh token cache
directory, and -vvvv verbosity; its whole output is then scanned for secrets.
"""

import glob
import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, ".collections"))  # the collection's Python code, for checks that import it
# The tools of this virtual environment first, as `make` has them (ansible-runner looks for ansible-playbook there).
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

from tests.simulator.harness import Simulator  # noqa: E402  pylint: disable=wrong-import-position

INVENTORY = os.path.join(REPO, "tests", "integration", "inventory.ini")
# Customer administrator passwords used by the targets; they must never be printed.
ADMIN_PASSWORDS = ("Adm1n-Secret!42", "N3w-Admin#Pass")


@pytest.fixture(scope="session")
def simulator():
    with Simulator() as sim:
        yield sim


class PlaybookRun:
    def __init__(self, completed, secrets):
        self.rc = completed.returncode
        self.output = completed.stdout
        self.secrets = secrets

    def leaked(self):
        return sorted({secret for secret in self.secrets if secret and secret in self.output})


@pytest.fixture
def run_playbook(simulator, tmp_path):
    """Run a playbook from the repository root like a user would; return its output and scan it for secrets."""

    def run(playbook, extra_vars=None, args=(), env=None, verbosity=4, check_secrets=True, connection_env=True):
        """``connection_env=False``: no INGRAM_* variables at all (the playbook must bring its settings)."""
        cache_home = tmp_path / ("cache-%d" % len(list(tmp_path.iterdir())))
        environment = {name: value for name, value in os.environ.items() if not name.startswith("INGRAM_")}
        if connection_env:
            environment.update({
                "INGRAM_API_URL": simulator.base_url,
                "INGRAM_USERNAME": simulator.credentials["username"],
                "INGRAM_PASSWORD": simulator.credentials["password"],
                "INGRAM_SUBSCRIPTION_KEY": simulator.credentials["subscription_key"],
                "INGRAM_MARKETPLACE": simulator.credentials["marketplace"],
            })
        environment.update({
            "XDG_CACHE_HOME": str(cache_home),
            "ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
        })
        environment.update(env or {})
        variables = {"sim_root_url": simulator.root_url}
        variables.update(extra_vars or {})
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", INVENTORY, playbook,
                   "-e", json.dumps(variables)]
        if verbosity:
            command.append("-" + "v" * verbosity)
        command.extend(args)
        completed = subprocess.run(command, cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, timeout=600, check=False)
        tokens = []
        for path in glob.glob(str(cache_home / "**" / "*.json"), recursive=True):
            with open(path, encoding="utf-8") as handle:
                tokens.append(json.load(handle)["token"])
        secrets = [simulator.credentials["password"], simulator.credentials["subscription_key"]] + tokens + list(ADMIN_PASSWORDS)
        result = PlaybookRun(completed, secrets)
        if check_secrets:
            assert not result.leaked(), "secrets printed by %s: %s" % (playbook, result.leaked())
        return result

    return run
