"""retry_timeout bounds the whole wait of a throttled run: the adjust_licenses playbook against a simulator that answers
orders with 429 and a Retry-After of an hour fails within retry_timeout, and its output at the default verbosity says
how long the API asked to wait and how long the request really waited.
"""

import json
import os
import re
import time

import pytest

ADJUST = "ingrammicro.marketplace.adjust_licenses"
# Three change orders (simulator seed): the first order of the run goes through, the others are throttled.
LINES = [
    {"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 30},   # subscription 3000001, 25 -> 30
    {"customer": "GLOBEX-002", "mpn": "SH3AMCLOS", "quantity": 45},             # 3000006, 40 -> 45
    {"customer": "INITECH-003", "mpn": "CFQ7TTC0LH18:0001:P1M", "quantity": 14},  # 3000008, 12 -> 14
]
RETRY_TIMEOUT = 20
# One order per hour, and a fixed Retry-After (the computed one would drift from 3600 to 3599 as the run goes).
# Only POST /orders is limited, so whether the run places a canary first, exactly one order gets through.
ONE_ORDER_AN_HOUR = {"rate_limit": {"requests": 1, "window_seconds": 3600, "retry_after": 3600},
                     "target": {"method": "POST", "path": "^/orders$"}}
GAVE_UP = re.compile(r"HTTP 429 [^:]*: (not sent: )?(?:(?:another )?[A-Z]+ /\S+ of this task was throttled and )?the API asked to wait 3600s "
                     r"\(Retry-After\), longer than retry_timeout \(20s\) allows; gave up after (\d+(?:\.\d+)?)s and (\d+) attempts?\. "
                     r"Run again later, or raise retry_timeout \(INGRAM_RETRY_TIMEOUT\)")


@pytest.fixture
def sim(simulator):
    simulator.reset()
    simulator.set_faults(order_processing_seconds=0.5)
    yield simulator
    simulator.set_faults(rate_limit=None, target=None)


def audit(directory):
    """The newest result audit JSON the role wrote."""
    files = sorted(name for name in os.listdir(directory) if name.startswith("result-") and name.endswith(".json"))
    with open(os.path.join(directory, files[-1]), encoding="utf-8") as handle:
        return json.load(handle)


def test_a_retry_after_of_an_hour_fails_the_run_within_retry_timeout_saying_what_was_asked_and_waited(sim, run_playbook, tmp_path):
    sim.set_faults(**ONE_ORDER_AN_HOUR)
    started = time.monotonic()
    run = run_playbook(ADJUST, {"license_adjustment_licenses": LINES, "license_adjustment_output_dir": str(tmp_path / "audit")},
                       env={"INGRAM_RETRY_TIMEOUT": str(RETRY_TIMEOUT)}, verbosity=0)
    elapsed = time.monotonic() - started
    log = sim.requests()
    sim.set_faults(rate_limit=None, target=None)

    assert run.rc != 0, run.output[-4000:]
    # Neither the request that got the 429 nor any request after it waited for the pause: well within retry_timeout
    # plus the run's own few seconds (waiting out a capped Retry-After took over 120 s).
    assert elapsed < 60, "%.1fs\n%s" % (elapsed, run.output[-4000:])
    orders = [entry["status"] for entry in log if entry["method"] == "POST" and entry["path"].endswith("/orders")]
    assert orders.count(200) == 1 and orders.count(429) >= 1, orders

    # What the user sees at the default verbosity: the wait the API asked for, and the time really waited.
    given_up = GAVE_UP.findall(run.output)
    assert given_up, run.output[-4000:]
    for not_sent, seconds, attempts in given_up:
        assert 0 <= float(seconds) < RETRY_TIMEOUT and float(seconds) <= elapsed
        assert int(attempts) == (0 if not_sent else 1)
        assert not_sent or float(seconds) > 0  # a request that went out took the time of its round trip, not "0s"
    assert any(not not_sent for not_sent, _seconds, _attempts in given_up)  # the order the API throttled
    assert "kept throttling for 0s" not in run.output

    document = audit(tmp_path / "audit")
    results = sorted(line["result"] for line in document["plan"])
    assert results == ["completed", "failed", "failed"], results
    assert all(GAVE_UP.search(line["message"]) for line in document["plan"] if line["result"] == "failed")
