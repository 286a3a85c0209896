"""Every module's EXAMPLES block runs as written against the simulator.

Each block becomes the task list of a play whose connection settings come only from module_defaults for the
group/ingrammicro.marketplace.all action group (no INGRAM_* environment variables), run against a freshly
reset simulator.
"""

import os

import pytest
import yaml

from tests.integration.conftest import REPO

MODULES_DIR = os.path.join(REPO, "plugins", "modules")
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.startswith("im_") and name.endswith(".py"))
# The modules of the Marketplace API (im_mail, which sends mail, runs its EXAMPLES in test_mail.py).
API_MODULES = [module for module in MODULES if module != "im_mail"]
# Values for the variables the EXAMPLES use, as a user would define them (vault, group_vars).
EXAMPLE_VARS = {"acme_admin_password": "Adm1n-Secret!42"}


def examples_of(module):
    with open(os.path.join(MODULES_DIR, module + ".py"), encoding="utf-8") as handle:
        source = handle.read()
    namespace = {}
    start = source.index('EXAMPLES = r"""')
    exec(source[start:source.index('"""', start + 15) + 3], namespace)  # pylint: disable=exec-used  # the literal only
    return yaml.safe_load(namespace["EXAMPLES"])


@pytest.mark.parametrize("module", API_MODULES)
def test_examples_run_as_written(module, simulator, run_playbook, tmp_path):
    tasks = examples_of(module)
    assert tasks, "%s has no EXAMPLES" % module
    simulator.reset()
    simulator.set_faults(order_processing_seconds=0.3)
    play = [{
        "name": "EXAMPLES of ingrammicro.marketplace.%s" % module,
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/ingrammicro.marketplace.all": {
            "api_url": simulator.base_url,
            "username": simulator.credentials["username"],
            "password": simulator.credentials["password"],
            "subscription_key": simulator.credentials["subscription_key"],
            "marketplace": simulator.credentials["marketplace"],
        }},
        "vars": EXAMPLE_VARS,
        "tasks": tasks,
    }]
    playbook = tmp_path / ("examples_%s.yml" % module)
    playbook.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    run = run_playbook(str(playbook), connection_env=False)
    assert run.rc == 0, run.output[-6000:]
    assert "failed=0" in run.output
