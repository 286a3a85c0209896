"""Integration tests: real ansible-playbook runs of the collection against the simulator, which they start themselves.

Every run gets the connection settings only through the INGRAM_* environment variables and a fresh token cache
directory; its whole output and every file it wrote are then scanned for secrets. Runs use the default verbosity, as
users do, so that tests see what users see; the tests that exist to scan for secrets ask for -vvvv (``SECRET_SCAN``).
"""

import json
import os
import re
import stat
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, ".collections"))  # the collection's Python code, for checks that import it
# The tools of this virtual environment first, as `make` has them (ansible-runner looks for ansible-playbook there).
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

from tests.mailserver import PASSWORD as SMTP_PASSWORD, MailServer  # noqa: E402  pylint: disable=wrong-import-position
from tests.simulator.harness import Simulator  # noqa: E402  pylint: disable=wrong-import-position

INVENTORY = os.path.join(REPO, "tests", "integration", "inventory.ini")
# Customer administrator passwords used by the targets; they must never be printed.
ADMIN_PASSWORDS = ("Adm1n-Secret!42", "N3w-Admin#Pass")


def wait_for(condition, timeout=30, interval=0.1):
    """Poll ``condition`` until it holds (instead of sleeping for a fixed time); fail when it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("still not so after %ss: %s" % (timeout, getattr(condition, "__doc__", None) or condition))
        time.sleep(interval)


@pytest.fixture(scope="session")
def simulator():
    with Simulator() as sim:
        yield sim


@pytest.fixture(scope="session")
def mail_server_session():
    with MailServer() as server:
        yield server


@pytest.fixture
def mail_server(mail_server_session):
    """A real SMTP server (STARTTLS, login required) with an empty inbox; ``environment()`` gives its SMTP_* settings."""
    mail_server_session.clear()
    return mail_server_session


class PlaybookRun:
    def __init__(self, completed, secrets):
        self.rc = completed.returncode
        self.output = completed.stdout
        self.secrets = secrets

    def leaked(self):
        return sorted({secret for secret in self.secrets if secret and secret in self.output})


def known_secrets(simulator):
    """Everything that must never be printed or written: credentials, every bearer token and report download
    signature the simulator issued, and the customer administrator passwords the tests use."""
    issued = simulator.secrets()
    return ([simulator.credentials["password"], simulator.credentials["subscription_key"]] + issued["tokens"]
            + issued["download_signatures"] + list(ADMIN_PASSWORDS) + [SMTP_PASSWORD])


def file_states(directory):
    return {os.path.join(root, name): os.stat(os.path.join(root, name)).st_mtime_ns
            for root, _dirs, files in os.walk(str(directory)) for name in files}


def check_written_files(directory, before, cache_home, secrets):
    """No secret in any file the run wrote under ``directory`` (plans, audit files, reports; ``before`` are the file
    states before the run, so the test's own inputs are left out), except the token cache itself, whose files must be
    0600 in a 0700 directory."""
    token_dir = os.path.join(str(cache_home), "ingrammicro.marketplace", "tokens")
    problems = []
    for path, mtime in file_states(directory).items():
        root = os.path.dirname(path)
        if before.get(path) == mtime:
            continue
        if root == token_dir:
            if stat.S_IMODE(os.stat(path).st_mode) != 0o600:
                problems.append("%s is not mode 0600" % path)
            continue
        with open(path, encoding="utf-8", errors="replace") as handle:
            content = handle.read()
        problems.extend("%s contains a secret" % path for secret in secrets if secret and secret in content)
    if os.path.isdir(token_dir) and stat.S_IMODE(os.stat(token_dir).st_mode) != 0o700:
        problems.append("%s is not mode 0700" % token_dir)
    return problems


def playbook_environment(simulator, cache_home, env=None, connection_env=True):
    """The environment a user's run gets: INGRAM_* settings (unless ``connection_env`` is false), a private cache."""
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
    return environment


PYTHON_WARNING = re.compile(r"^.*\b[A-Z]\w*Warning: .*$", re.M)
SECRET_SCAN = 4  # the verbosity of the runs that look for secrets: everything Ansible can print


def playbook_command(simulator, playbook, extra_vars=None, args=(), verbosity=0):
    variables = {"sim_root_url": simulator.root_url}
    variables.update(extra_vars or {})
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", INVENTORY, playbook,
               "-e", json.dumps(variables)]
    if verbosity:
        command.append("-" + "v" * verbosity)
    return command + list(args)


@pytest.fixture
def run_playbook(simulator, tmp_path):
    """Run a playbook from the repository root like a user would; return its output and scan it for secrets."""

    def run(playbook, extra_vars=None, args=(), env=None, verbosity=0, check_secrets=True, connection_env=True, cache_home=None):
        """``connection_env=False``: no INGRAM_* variables at all (the playbook must bring its settings)."""
        cache_home = cache_home or tmp_path / ("cache-%d" % len(list(tmp_path.iterdir())))
        environment = playbook_environment(simulator, cache_home, env, connection_env)
        command = playbook_command(simulator, playbook, extra_vars, args, verbosity)
        before = file_states(tmp_path)
        completed = subprocess.run(command, cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, timeout=600, check=False)
        result = PlaybookRun(completed, known_secrets(simulator))
        # What users see has no Python warning of a library in it (Ansible's own are "[WARNING]: ..."), and no option
        # left marked by a lower layer: every edge says the options in the caller's words (see _role_words).
        assert not PYTHON_WARNING.search(result.output), PYTHON_WARNING.search(result.output).group(0)
        assert "\u27e8" not in result.output, result.output[max(0, result.output.index("\u27e8") - 300):][:600]
        if check_secrets:
            assert not result.leaked(), "secrets printed by %s: %s" % (playbook, result.leaked())
            problems = check_written_files(tmp_path, before, cache_home, result.secrets)
            assert not problems, problems
        return result

    return run
