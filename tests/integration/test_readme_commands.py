"""The README's playbook commands, run exactly as written from the repository root against the simulator, each in a
fresh shell (no virtual environment on its PATH) after the lines of its block that set the shell up: each one
succeeds and prints no warning (no inventory warnings, no retry warnings, nothing)."""

import os
import re
import shlex
import subprocess

from tests.integration.conftest import REPO, known_secrets, playbook_environment

# A fresh login shell's PATH: neither the project's virtual environment nor any other holds ansible-playbook.
FRESH_PATH = os.pathsep.join(("/usr/local/bin", "/usr/bin", "/bin"))


def readme_commands():
    """``(setup lines, command)`` for every ``ansible-playbook ingrammicro.marketplace.<name> ...`` line of the README's
    bash blocks, in order; the setup lines are the ``source`` lines before it in its block."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", readme, re.S):
        setup = []
        for line in block.splitlines():
            if line.startswith("source "):
                setup.append(line.split("#", 1)[0].strip())
            if line.startswith("ansible-playbook ingrammicro.marketplace."):
                commands.append((list(setup), shlex.split(line, comments=True)))
    return commands


def test_the_readme_lists_the_main_playbooks():
    playbooks = {command[1] for _setup, command in readme_commands()}
    assert playbooks == {"ingrammicro.marketplace.%s" % name
                         for name in ("check_connection", "onboard_customers", "adjust_licenses", "license_report")}


def test_readme_commands_run_clean_as_written(simulator, mail_server, tmp_path):
    """The export lines of a block are the user's own settings: the SMTP_* ones point at the test's mail server here."""
    simulator.reset()
    environment = playbook_environment(simulator, tmp_path / "cache", mail_server.environment())
    environment["PATH"] = FRESH_PATH
    environment.pop("VIRTUAL_ENV", None)
    mailed = 0
    for setup, command in readme_commands():
        script = " && ".join(setup + [shlex.join(command)])
        run = subprocess.run(["bash", "-c", script], cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=600, check=False)
        shown = " ".join(command)
        assert run.returncode == 0, "%s failed:\n%s" % (shown, run.stdout[-4000:])
        assert "WARNING" not in run.stdout, "%s printed a warning:\n%s" % (shown, run.stdout[-4000:])
        assert not [secret for secret in known_secrets(simulator) if secret in run.stdout]
        if any("_mail_to=" in part for part in command):
            mailed += 1
            assert len(mail_server.wait_for(mailed)) == mailed, shown
    assert mailed, "no README command mails anything"
