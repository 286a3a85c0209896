"""Every row of the README's Rewst mapping names a module and options that its integration test really uses."""

import os
import re

import pytest

from tests.integration.conftest import REPO

with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
    README = handle.read()
TABLE = README[README.index("<!-- rewst-table-start -->"):README.index("<!-- rewst-table-end -->")]
ROWS = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in TABLE.splitlines()[3:] if line.startswith("|")]
# The Rewst actions listed in DESIGN.md section 5 (each must have a row).
REWST_ACTIONS = ("Create Customer", "Update Customer", "Get Customer", "List Customers", "Create Reseller Customer",
                 "List Reseller(s') Customers", "Create Reseller", "Get Reseller", "Update Reseller", "List Resellers",
                 "Create Order", "Get Order", "Update Order", "List Orders", "List Reseller's Orders", "Estimate an Order Price",
                 "Validate Product Activation Parameters", "Get Subscription", "List Subscriptions", "Update Subscription",
                 "Update Some of the Description Details", "Update Subscription Pricing Details", "List Products",
                 "Get Service Plan", "List Service Plans", "List Reports", "Get Report", "Schedule a One Time Report",
                 "Ingram Micro API Request")


def test_every_rewst_action_has_a_row():
    assert {row[0] for row in ROWS} >= set(REWST_ACTIONS)


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_row_is_exercised(row):
    _action, module, options, target = row
    module, target = module.strip("`"), target.strip("`")
    assert os.path.exists(os.path.join(REPO, "plugins", "modules", module + ".py"))
    with open(os.path.join(REPO, "tests", "integration", "targets", target, "tasks", "main.yml"), encoding="utf-8") as handle:
        tasks = handle.read()
    uses = re.findall(r"ingrammicro\.marketplace\.%s:\n((?:    .*\n|\n)+)" % re.escape(module), tasks)
    assert uses, "%s is not used in tests/integration/targets/%s" % (module, target)
    for option in re.findall(r"`([a-z_]+)`", options):
        assert any(re.search(r"^ +(- )?%s:" % option, block, re.MULTILINE) for block in uses), \
            "option %s of %s is not used in tests/integration/targets/%s" % (option, module, target)
    if "check mode" in options:
        assert "check_mode: true" in tasks
