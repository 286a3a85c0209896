"""The cache directory is trusted only when it is ours: the adjust_licenses playbook run for real against the simulator
with a cache directory another local user prepared.

A readings record there would let a run skip its canary order, a lock there could be a link to someone else's file, a
token directory there could hand out or collect tokens. Each is refused with a message naming the path and the fix,
before anything is ordered; a fresh cache directory is still created private and used.
"""

import json
import os
import stat
import types

import pytest

# The conftest has put the collection (.collections) on sys.path: file names are computed as the collection does.
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._locks import lock_path
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._reading_record import ReadingRecord
from tests.integration.test_reliability import ADJUST, LINES  # three change orders in a clean run, the last line unchanged

CHANGED = ("3000001", "3000006", "3000008")
NOBODY = 65534
FIX = "Remove it (it holds only caches) or set XDG_CACHE_HOME to a directory of your own"

# chown to another user needs root; CI runs the integration tests as root.
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="planting a cache directory owned by another user needs chown, which needs root")


@pytest.fixture
def sim(simulator):
    simulator.reset()
    return simulator


def api(simulator):
    """What the collection keys its cache files on: the API URL and marketplace the run uses."""
    return types.SimpleNamespace(api_url=simulator.base_url.rstrip("/"), marketplace=simulator.credentials["marketplace"])


def variables(tmp_path):
    return {"license_adjustment_licenses": LINES, "license_adjustment_output_dir": str(tmp_path / "audit")}


def posts(simulator, suffix):
    return [entry for entry in simulator.requests() if entry["method"] == "POST" and entry["path"].endswith(suffix)]


def one_line(output):
    """The run's output with Ansible's line wrapping of long messages undone."""
    return " ".join(output.split())


def snapshot(path):
    status = os.lstat(path)
    with open(path, encoding="utf-8") as handle:
        return handle.read(), status.st_mtime_ns, status.st_uid, stat.S_IMODE(status.st_mode)


@needs_root
@pytest.mark.parametrize("token_cache", ["true", "false"], ids=["token cache on", "token cache off"])
def test_a_cache_root_of_another_user_with_a_forged_reading_fails_before_any_order(sim, run_playbook, tmp_path, token_cache):
    # Estimates that say nothing either way on a platform reading deltas: only a canary order would catch the wrong
    # setting, and the forged record confirming change_quantity=total would skip it.
    sim.set_faults(change_quantity="delta", estimate_details=False, estimate_proration=0.05)
    cache_home = tmp_path / "cache"
    root = cache_home / "ingrammicro.marketplace"
    record = ReadingRecord(api(sim), directory=str(root / "readings"))
    os.makedirs(record.directory)
    with open(record.path, "w", encoding="utf-8") as handle:
        json.dump({"api_url": record.api_url, "marketplace": record.marketplace, "change_quantity": "total",
                   "order": "order SO000999 (id 4000999)", "subscription_id": "3000001", "confirmed_at": "2024-01-01T00:00:00Z"}, handle)
    for path in (root, record.directory, record.path):
        os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)
        os.chown(path, NOBODY, NOBODY)
    planted = snapshot(record.path)

    run = run_playbook(ADJUST, variables(tmp_path), env={"INGRAM_TOKEN_CACHE": token_cache}, verbosity=0, cache_home=cache_home)

    assert run.rc != 0, run.output[-3000:]
    assert posts(sim, "/orders") == []
    message = "cache directory %s is owned by uid %d, not by you (uid %d): another user could plant files in it. %s" % (
        root, NOBODY, os.geteuid(), FIX)
    assert message in one_line(run.output), run.output[-3000:]
    assert snapshot(record.path) == planted
    assert sorted(os.listdir(root)) == ["readings"]  # no token, lock or record written into it
    if token_cache == "true":
        assert posts(sim, "/token") == []  # refused before asking for a token to put there


def test_a_lock_file_linked_elsewhere_is_refused_and_its_target_untouched(sim, run_playbook, tmp_path, monkeypatch):
    cache_home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    locks = cache_home / "ingrammicro.marketplace" / "locks"
    os.makedirs(locks, mode=0o700)
    os.chmod(locks.parent, 0o700)
    target = tmp_path / "elsewhere" / "precious.conf"
    target.parent.mkdir()
    target.write_text("keep me\n")
    before = snapshot(target)
    links = [lock_path(api(sim), ("subscription", sid)) for sid in CHANGED]
    for link in links:
        os.symlink(str(target), link)

    run = run_playbook(ADJUST, variables(tmp_path), verbosity=0, cache_home=cache_home)

    assert run.rc != 0, run.output[-3000:]
    assert posts(sim, "/orders") == []
    output = one_line(run.output)
    assert any("cache file %s is a symbolic link (to %s)" % (link, target) in output for link in links), run.output[-3000:]
    assert "never follows a link in its cache directory" in output and "Remove it (it holds only a cache) and run again" in output
    assert snapshot(target) == before
    assert all(os.path.islink(link) for link in links)


@needs_root
def test_a_token_directory_of_another_user_is_refused_and_no_token_written_there(sim, run_playbook, tmp_path):
    cache_home = tmp_path / "cache"
    tokens = cache_home / "ingrammicro.marketplace" / "tokens"
    os.makedirs(tokens, mode=0o700)
    os.chmod(tokens.parent, 0o700)
    os.chown(tokens, NOBODY, NOBODY)

    run = run_playbook(ADJUST, variables(tmp_path), verbosity=0, cache_home=cache_home)

    assert run.rc != 0, run.output[-3000:]
    message = "cache directory %s is owned by uid %d, not by you (uid %d): another user could plant files in it. %s" % (
        tokens, NOBODY, os.geteuid(), FIX)
    assert message in one_line(run.output), run.output[-3000:]
    assert "token cache disabled" not in run.output
    assert os.listdir(tokens) == []
    assert posts(sim, "/token") == [] and posts(sim, "/orders") == []


def test_a_fresh_cache_directory_is_created_private_and_the_run_succeeds(sim, run_playbook, tmp_path):
    cache_home = tmp_path / "cache"
    run = run_playbook(ADJUST, variables(tmp_path), verbosity=0, cache_home=cache_home)
    assert run.rc == 0, run.output[-3000:]
    assert len(posts(sim, "/orders")) == len(CHANGED)
    root = cache_home / "ingrammicro.marketplace"
    for directory in [root] + [root / name for name in os.listdir(root)]:
        status = os.lstat(directory)
        assert stat.S_ISDIR(status.st_mode) and status.st_uid == os.geteuid(), directory
        assert stat.S_IMODE(status.st_mode) == 0o700, directory
    assert {"tokens", "locks"} <= set(os.listdir(root))
