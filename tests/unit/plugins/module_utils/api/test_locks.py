"""The per-intent order lock: exclusive per target and API, and a warning (not a failure) when it cannot be taken; refused
(never taken unlocked) when its directory or file is one another user could have planted."""

import fcntl
import os
import stat
import types

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._locks import (
    cache_root, intent_lock, lock_dir, lock_path, open_private, private_directory,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError

CONFIG = types.SimpleNamespace(api_url="http://api.test/marketplace/eu", marketplace="us")
KEY = ("subscription", "3000001")
NOBODY = 65534
# chown to another user needs root; CI runs the unit tests as root.
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="planting a directory owned by another user needs chown, which needs root")


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


def refused(warnings):
    """Run the lock's block; return the IMConfigError it raised. The block must not run, nothing may be warned."""
    ran = []
    with pytest.raises(IMConfigError) as caught:
        with intent_lock(CONFIG, KEY, warnings.append):
            ran.append(True)
    assert ran == [] and warnings == []
    return str(caught.value)


def test_a_fresh_cache_directory_is_created_private(cache_home):
    with intent_lock(CONFIG, KEY, print):
        pass
    for directory in (cache_root(), lock_dir()):
        assert stat.S_IMODE(os.lstat(directory).st_mode) == 0o700
    assert os.path.exists(lock_path(CONFIG, KEY))


@pytest.mark.parametrize("dangling", [False, True], ids=["to a file", "dangling"])
def test_a_symlinked_lock_file_is_refused_and_its_target_untouched(cache_home, dangling):
    target = cache_home / "elsewhere.conf"
    if not dangling:
        target.write_text("precious\n")
        os.chmod(target, 0o644)
    before = None if dangling else (os.stat(target).st_mtime_ns, os.stat(target).st_mode)
    private_directory(lock_dir())
    os.symlink(str(target), lock_path(CONFIG, KEY))
    message = refused([])
    assert message.startswith("cache file %s is a symbolic link (to %s)" % (lock_path(CONFIG, KEY), target))
    assert "never follows a link" in message and message.endswith("Remove it (it holds only a cache) and run again")
    if dangling:
        assert not os.path.lexists(target)  # O_CREAT did not create the link's target
    else:
        assert target.read_text() == "precious\n" and (os.stat(target).st_mtime_ns, os.stat(target).st_mode) == before


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
@pytest.mark.parametrize("which", ["cache root", "locks"])
def test_a_directory_group_or_others_can_write_to_is_refused(cache_home, which, mode):
    private_directory(lock_dir())
    directory = cache_root() if which == "cache root" else lock_dir()
    os.chmod(directory, mode)
    message = refused([])
    assert message == ("cache directory %s has mode %04o: group or others can write to it, so another user could plant files "
                       "in it. Remove it (it holds only caches) or set XDG_CACHE_HOME to a directory of your own" % (directory, mode))
    assert os.listdir(lock_dir()) == []


@needs_root
@pytest.mark.parametrize("which", ["cache root", "locks"])
def test_a_directory_owned_by_another_user_is_refused(cache_home, which):
    private_directory(lock_dir())
    directory = cache_root() if which == "cache root" else lock_dir()
    os.chown(directory, NOBODY, NOBODY)
    message = refused([])
    assert message == ("cache directory %s is owned by uid %d, not by you (uid %d): another user could plant files in it. Remove "
                       "it (it holds only caches) or set XDG_CACHE_HOME to a directory of your own" % (directory, NOBODY, os.geteuid()))
    assert os.listdir(lock_dir()) == []


@needs_root
def test_a_lock_file_owned_by_another_user_is_refused(cache_home):
    private_directory(lock_dir())
    path = lock_path(CONFIG, KEY)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chown(path, NOBODY, NOBODY)
    assert "cache file %s is owned by uid %d, not by you" % (path, NOBODY) in refused([])


def test_a_symlinked_cache_root_is_refused(cache_home):
    elsewhere = cache_home / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    os.symlink(str(elsewhere), cache_root())
    assert refused([]).startswith("cache directory %s is a symbolic link (to %s)" % (cache_root(), elsewhere))
    assert os.listdir(elsewhere) == []


def test_a_directory_outside_the_cache_root_is_checked_alone(tmp_path):
    loose = tmp_path / "shared"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o777)  # like /tmp: only the directory asked for is ours to check
    assert private_directory(str(loose / "tokens")) == str(loose / "tokens")
    assert stat.S_IMODE(os.lstat(loose / "tokens").st_mode) == 0o700
    with pytest.raises(FileNotFoundError):
        private_directory(str(loose / "readings"), create=False)
    assert not os.path.exists(loose / "readings")


def test_open_private_refuses_a_file_group_or_others_can_write_to(tmp_path):
    path = tmp_path / "file"
    path.write_text("")
    os.chmod(path, 0o620)
    with pytest.raises(IMConfigError, match="cache file %s has mode 0620: group or others can write to it" % path):
        open_private(str(path), os.O_RDONLY)
    os.chmod(path, 0o600)
    os.close(open_private(str(path), os.O_RDONLY))
