"""Run each integration target (tests/integration/targets/<name>/tasks/main.yml) through ansible-playbook.

The targets assert their own behaviour (changed flags, results, diffs, and the simulator's request log for
"no write" checks); this test checks that the playbook succeeded and printed no secret at -vvvv. Every request
the modules sent is captured by the simulator and then checked against the vendor contract.
"""

import os

import pytest

from tests.conformance.contract import SKIP_REASON, SPEC_PATH, load_spec, openapi_for, request_violations

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = sorted(name for name in os.listdir(os.path.join(HERE, "targets"))
                 if name != "common" and os.path.exists(os.path.join(HERE, "targets", name, "tasks", "main.yml")))
CAPTURED = {}  # target -> requests the modules sent, kept for the contract check


@pytest.mark.parametrize("target", TARGETS)
def test_target(target, simulator, run_playbook, tmp_path):
    simulator.reset()
    simulator.start_capture()
    run = run_playbook("tests/integration/run_target.yml", {"target": target, "sim_plan_dir": str(tmp_path)})
    assert run.rc == 0, run.output[-6000:]
    assert "ok=" in run.output and "failed=0" in run.output
    CAPTURED[target] = simulator.captured()


@pytest.mark.parametrize("target", TARGETS)
def test_target_requests_follow_the_contract(target, simulator):
    if not SPEC_PATH.is_file():
        pytest.skip(SKIP_REASON)
    if target not in CAPTURED:
        pytest.skip("test_target[%s] did not run in this session" % target)
    requests_sent = [entry for entry in CAPTURED[target] if "/not-the-api" not in entry["path"]]
    assert requests_sent, "the target sent no API request"
    problems = request_violations(openapi_for(simulator.base_url), load_spec(simulator.base_url), simulator.root_url, requests_sent)
    assert not problems, "\n".join(problems)


def test_secrets_would_be_detected(simulator, run_playbook):
    """The secret scan itself works: a playbook that prints the password is caught."""
    simulator.reset()
    run = run_playbook("tests/integration/run_target.yml", {"target": "common", "leak_on_purpose": True}, check_secrets=False)
    assert run.leaked() == ["demo-password"]
