"""The token cache across real processes (as Ansible runs each task and fork), against the simulator."""

import os
import subprocess
import sys
import time

import pytest

from tests.simulator.harness import Simulator

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", ".."))

# One "task": build a client with the on-disk cache, wait for the common start time, make one call.
TASK = """
import sys, time
sys.path.insert(0, sys.argv[1])
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._client import MarketplaceClient
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig
config = ConnectionConfig.from_params(dict(api_url=sys.argv[2], username="demo", password="demo-password",
                                           subscription_key="demo-key", marketplace="us", token_cache=True))
client = MarketplaceClient(config, token_cache_dir=sys.argv[3])
while time.time() < float(sys.argv[4]):
    time.sleep(0.001)
print(client.get("/customers/1000001")["externalId"])
"""


@pytest.fixture(scope="module")
def simulator():
    with Simulator() as sim:
        yield sim


def run_tasks(simulator, cache_dir, count, start_delay=0.0):
    start_at = time.time() + start_delay
    processes = [subprocess.Popen([sys.executable, "-c", TASK, os.path.join(REPO, ".collections"), simulator.base_url, str(cache_dir),
                                   str(start_at)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _task in range(count)]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    assert all(out.strip() == "ACME-001" for out, _err in outputs)


def token_requests(simulator):
    return [entry for entry in simulator.requests() if entry["path"].endswith("/token")]


def test_two_processes_in_a_row_share_one_token(simulator, tmp_path):
    simulator.reset()
    run_tasks(simulator, tmp_path, 1)
    run_tasks(simulator, tmp_path, 1)
    assert len(token_requests(simulator)) == 1
    assert len(simulator.requests()) == 3


def test_concurrent_processes_fetch_one_token(simulator, tmp_path):
    simulator.reset()
    simulator.set_faults(latency_ms=300)  # a slow token request: without the lock every process would fetch its own
    run_tasks(simulator, tmp_path, 8, start_delay=2.0)
    assert len(token_requests(simulator)) == 1
    assert len(simulator.requests()) == 9


def test_expired_token_is_renewed_once_by_the_next_process(simulator, tmp_path):
    simulator.reset()
    simulator.set_faults(token_ttl=2)
    run_tasks(simulator, tmp_path, 1)
    time.sleep(2.2)
    run_tasks(simulator, tmp_path, 3, start_delay=1.0)
    tokens = token_requests(simulator)
    assert len(tokens) == 2
    assert not [entry for entry in simulator.requests() if entry["status"] == 401]
