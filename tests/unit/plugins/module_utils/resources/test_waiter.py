"""The waiter: success, failure, timeout, backoff, no-op in check mode."""

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMWaitError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._waiter import Waiter


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def make(fake, **kwargs):
    return Waiter(kwargs.pop("timeout", 60), clock=fake.clock, sleep=fake.sleep, **kwargs)


def test_polls_until_success_with_growing_delay():
    fake = FakeTime()
    states = iter(["processing", "processing", "processing", "completed"])
    result = make(fake).wait({"status": "submitted"}, lambda: {"status": next(states)}, success=("completed",))
    assert result == {"status": "completed"}
    assert fake.sleeps == [0.5, 0.75, 1.125, 1.6875]


def test_failure_state_raises_with_the_object():
    fake = FakeTime()
    with pytest.raises(IMWaitError) as err:
        make(fake).wait({"status": "submitted"}, lambda: {"status": "error", "id": "9"}, success=("completed",),
                        failure=("error", "cancelled"), what="order 9")
    assert str(err.value) == "order 9 ended in status error"
    assert err.value.last["id"] == "9"


def test_timeout_names_the_last_status():
    fake = FakeTime()
    with pytest.raises(IMWaitError) as err:
        make(fake, timeout=10).wait({"status": "submitted"}, lambda: {"status": "processing"}, success=("completed",),
                                    what="order 9")
    assert "timed out after 10s waiting for order 9; last status processing" in str(err.value)
    assert sum(fake.sleeps) == pytest.approx(10)


def test_delay_is_capped():
    fake = FakeTime()
    states = iter(["processing"] * 12 + ["completed"])
    make(fake, timeout=1000, max_delay=5).wait({"status": "submitted"}, lambda: {"status": next(states)}, success=("completed",))
    assert max(fake.sleeps) == 5


@pytest.mark.parametrize("kwargs", [dict(check_mode=True), dict(enabled=False)])
def test_no_op_in_check_mode_or_when_disabled(kwargs):
    fake = FakeTime()

    def fetch():
        raise AssertionError("must not poll")

    assert make(fake, **kwargs).wait({"status": "submitted"}, fetch, success=("completed",)) == {"status": "submitted"}
    assert fake.sleeps == []


def test_wait_all_polls_only_the_pending_ones_and_reports_each():
    fake = FakeTime()
    fetched = []
    progress = {"a": iter(["completed"]), "b": iter(["processing", "error"]), "c": iter(["processing"] * 100)}

    def fetch_all(pending):
        fetched.append(sorted(obj["id"] for obj in pending))
        return [{"id": obj["id"], "status": next(progress[obj["id"]])} for obj in pending]

    orders = [{"id": "a", "status": "submitted"}, {"id": "b", "status": "submitted"}, {"id": "c", "status": "submitted"},
              {"id": "d", "status": "completed"}]
    results = make(fake, timeout=3).wait_all(orders, fetch_all, success=("completed",), failure=("error",), what=lambda obj: obj["id"])
    assert [(obj["status"], type(error).__name__ if error else None) for obj, error in results] == [
        ("completed", None), ("error", "IMWaitError"), ("processing", "IMWaitTimeout"), ("completed", None)]
    assert "timed out after 3s waiting for c" in str(results[2][1])
    assert fetched[0] == ["a", "b", "c"] and fetched[1] == ["b", "c"] and all(batch == ["c"] for batch in fetched[2:])
