"""The per-intent order lock: exclusive per target and API, and a warning (not a failure) when it cannot be taken."""

import fcntl
import os
import types

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils._locks import intent_lock, lock_dir

CONFIG = types.SimpleNamespace(api_url="http://api.test/marketplace/eu", marketplace="us")


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def held_by_someone(path):
    """Whether another open file description holds an exclusive lock on ``path``."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_lock_is_held_inside_the_block_and_released_after(cache_home):
    warnings = []
    with intent_lock(CONFIG, ("subscription", "3000001"), warnings.append):
        (path,) = [os.path.join(lock_dir(), name) for name in os.listdir(lock_dir())]
        assert held_by_someone(path)
    assert not held_by_someone(path)
    assert warnings == [] and lock_dir() == str(cache_home / "ingrammicro.marketplace" / "locks")
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_lock_is_released_when_the_block_fails():
    with pytest.raises(RuntimeError):
        with intent_lock(CONFIG, ("subscription", "3000001"), print):
            raise RuntimeError("order failed")
    (name,) = os.listdir(lock_dir())
    assert not held_by_someone(os.path.join(lock_dir(), name))


def test_targets_and_apis_have_their_own_locks():
    other_api = types.SimpleNamespace(api_url="http://other.test/marketplace/eu", marketplace="us")
    for config, key in ((CONFIG, ("subscription", "1")), (CONFIG, ("subscription", "2")), (other_api, ("subscription", "1"))):
        with intent_lock(config, key, print):
            pass
    assert len(os.listdir(lock_dir())) == 3


def test_unusable_lock_directory_warns_and_runs_the_block(cache_home, monkeypatch):
    blocker = cache_home / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    warnings, ran = [], []
    with intent_lock(CONFIG, ("subscription", "3000001"), warnings.append):
        ran.append(True)
    assert ran == [True]
    assert len(warnings) == 1 and warnings[0].startswith("ordering without a lock against concurrent runs: " + str(blocker))
