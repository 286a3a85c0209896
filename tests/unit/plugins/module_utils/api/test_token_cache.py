"""The on-disk token cache: reuse, expiry, file modes, no secrets on disk, no directory or file another user planted."""

import json
import os
import stat

import pytest
import responses

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._client import MarketplaceClient
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._token_cache import TokenCache, default_cache_dir
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError

BASE = "http://api.test/marketplace/eu"
PARAMS = dict(api_url=BASE, username="reseller.API", password="s3cret-Passw0rd", subscription_key="key-0123456789",
              marketplace="us", token_cache=True)
NOBODY = 65534
# chown to another user needs root; CI runs the unit tests as root.
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="planting a directory owned by another user needs chown, which needs root")


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def rsps(rsps):
    """The faked HTTP layer (tests/unit/conftest.py), issuing a new token at each request, and plan 1."""
    tokens = iter("tok-%d" % n for n in range(1, 100))
    rsps.add_callback(responses.POST, BASE + "/token",
                      callback=lambda request: (200, {}, '{"token": "%s", "expiresInSeconds": 1500}' % next(tokens)))
    rsps.add(responses.GET, BASE + "/plans/1", json={"id": "1"})
    return rsps


def token_requests(rsps):
    return sum(1 for call in rsps.calls if call.request.url.endswith("/token"))


def new_client(directory, clock, **overrides):
    return MarketplaceClient(ConnectionConfig.from_params(dict(PARAMS, **overrides)), token_cache_dir=str(directory),
                             clock=clock, sleep=lambda _: None)


def test_second_client_reuses_the_cached_token(rsps, tmp_path):
    clock = Clock()
    new_client(tmp_path, clock).get("/plans/1")
    second = new_client(tmp_path, clock)
    second.get("/plans/1")
    assert token_requests(rsps) == 1
    assert rsps.calls[-1].request.headers["Authorization"] == "Bearer tok-1"


def test_token_is_refreshed_before_expiry(rsps, tmp_path):
    clock = Clock()
    client = new_client(tmp_path, clock)
    client.get("/plans/1")
    clock.now += 1500 - 61  # still more than the one-minute margin left
    new_client(tmp_path, clock).get("/plans/1")
    assert token_requests(rsps) == 1
    clock.now += 2  # inside the margin: renew
    client.get("/plans/1")
    assert token_requests(rsps) == 2
    assert rsps.calls[-1].request.headers["Authorization"] == "Bearer tok-2"
    new_client(tmp_path, clock).get("/plans/1")
    assert token_requests(rsps) == 2


def test_a_rejected_token_is_discarded_for_everyone(rsps, tmp_path):
    clock = Clock()
    new_client(tmp_path, clock).get("/plans/1")
    rsps.replace(responses.GET, BASE + "/plans/1", status=401)
    rsps.add(responses.GET, BASE + "/plans/1", json={"id": "1"})
    client = new_client(tmp_path, clock)
    client.get("/plans/1")
    assert token_requests(rsps) == 2
    new_client(tmp_path, clock).get("/plans/1")
    assert token_requests(rsps) == 2  # the renewed token was cached


def test_file_modes_and_no_secret_on_disk(rsps, tmp_path):
    directory = tmp_path / "cache" / "tokens"
    new_client(directory, Clock()).get("/plans/1")
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    files = [name for name in os.listdir(directory) if name.endswith(".json")]
    assert len(files) == 1
    path = directory / files[0]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    content = path.read_text()
    assert "tok-1" in content
    for secret in (PARAMS["password"], PARAMS["subscription_key"], PARAMS["username"]):
        assert secret not in content
        assert secret not in files[0]


def test_a_loose_directory_is_tightened(tmp_path):
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o755)
    cache = TokenCache(("a",), directory=str(directory))
    with cache.locked():
        cache.store("t", 100)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


def test_different_credentials_use_different_files(rsps, tmp_path):
    clock = Clock()
    new_client(tmp_path, clock).get("/plans/1")
    new_client(tmp_path, clock, password="other-password").get("/plans/1")
    new_client(tmp_path, clock, marketplace="ca").get("/plans/1")
    assert token_requests(rsps) == 3


def test_cache_can_be_turned_off(rsps, tmp_path):
    clock = Clock()
    new_client(tmp_path, clock, token_cache=False).get("/plans/1")
    new_client(tmp_path, clock, token_cache=False).get("/plans/1")
    assert token_requests(rsps) == 2
    assert not os.path.exists(tmp_path) or not any(name.endswith(".json") for name in os.listdir(tmp_path))


def test_unwritable_cache_falls_back_with_a_warning(rsps, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    warnings = []
    client = MarketplaceClient(ConnectionConfig.from_params(PARAMS), token_cache_dir=str(blocker / "tokens"),
                               warn=warnings.append)
    assert client.get("/plans/1") == {"id": "1"}
    assert warnings and "token cache disabled" in warnings[0]


def test_default_directory_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == str(tmp_path / "ingrammicro.marketplace" / "tokens")


def token_path(directory):
    return TokenCache(ConnectionConfig.from_params(PARAMS).cache_key(), directory=str(directory)).path


def refused_by_client(rsps, directory, **kwargs):
    """A client on ``directory`` fails its first request with IMConfigError (not "cache disabled") and asks for no token."""
    warnings = []
    client = MarketplaceClient(ConnectionConfig.from_params(PARAMS), token_cache_dir=str(directory), warn=warnings.append, **kwargs)
    with pytest.raises(IMConfigError) as caught:
        client.get("/plans/1")
    assert warnings == [] and token_requests(rsps) == 0
    assert not [call for call in rsps.calls if call.request.url.endswith("/plans/1")]
    return str(caught.value)


def test_a_symlinked_token_file_is_refused_not_read(rsps, tmp_path):
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o700)
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps({"token": "planted-token", "ttl": 1500, "expires_at": 4e9}))
    os.symlink(str(planted), token_path(directory))
    message = refused_by_client(rsps, directory, clock=Clock())
    assert message.startswith("cache file %s is a symbolic link (to %s)" % (token_path(directory), planted))
    assert json.loads(planted.read_text())["token"] == "planted-token"


def test_a_symlinked_token_lock_is_refused(rsps, tmp_path):
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o700)
    target = tmp_path / "target"
    target.write_text("precious")
    os.symlink(str(target), token_path(directory) + ".lock")
    assert refused_by_client(rsps, directory).startswith("cache file %s.lock is a symbolic link" % token_path(directory))
    assert target.read_text() == "precious"


def test_a_token_directory_group_or_others_can_write_to_is_refused(rsps, tmp_path):
    directory = tmp_path / "tokens"
    directory.mkdir()
    os.chmod(directory, 0o777)
    message = refused_by_client(rsps, directory)
    assert message.startswith("cache directory %s has mode 0777: group or others can write to it" % directory)
    assert os.listdir(directory) == [] and stat.S_IMODE(os.stat(directory).st_mode) == 0o777  # refused, not quietly tightened


@needs_root
def test_a_token_directory_owned_by_another_user_is_refused(rsps, tmp_path):
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o700)
    os.chown(directory, NOBODY, NOBODY)
    message = refused_by_client(rsps, directory)
    assert message == ("cache directory %s is owned by uid %d, not by you (uid %d): another user could plant files in it. Remove it "
                       "(it holds only caches) or set XDG_CACHE_HOME to a directory of your own" % (directory, NOBODY, os.geteuid()))
    assert os.listdir(directory) == []


@needs_root
def test_a_cache_root_owned_by_another_user_is_refused_for_the_default_token_directory(rsps, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    root = tmp_path / "ingrammicro.marketplace"
    root.mkdir(mode=0o755)
    os.chown(root, NOBODY, NOBODY)
    warnings = []
    client = MarketplaceClient(ConnectionConfig.from_params(PARAMS), warn=warnings.append)
    with pytest.raises(IMConfigError, match="cache directory %s is owned by uid %d" % (root, NOBODY)):
        client.get("/plans/1")
    assert warnings == [] and token_requests(rsps) == 0 and not os.path.exists(root / "tokens")


@needs_root
def test_a_token_file_owned_by_another_user_is_refused(tmp_path):
    cache = TokenCache(("a",), directory=str(tmp_path / "tokens"))
    with cache.locked():
        cache.store("t", 100)
    os.chown(cache.path, NOBODY, NOBODY)
    with pytest.raises(IMConfigError, match="cache file %s is owned by uid %d" % (cache.path, NOBODY)):
        cache.load()
    with pytest.raises(IMConfigError):
        cache.discard("t")
    assert os.path.exists(cache.path)


def test_discard_and_store_never_write_through_a_symlink(tmp_path):
    cache = TokenCache(("a",), directory=str(tmp_path / "tokens"))
    target = tmp_path / "target.json"
    target.write_text(json.dumps({"token": "t"}))
    with cache.locked():
        os.symlink(str(target), cache.path)
        with pytest.raises(IMConfigError, match="is a symbolic link"):
            cache.discard("t")
        assert os.path.islink(cache.path) and json.loads(target.read_text()) == {"token": "t"}
        cache.store("fresh", 100)  # replaces the link itself
    assert not os.path.islink(cache.path) and json.loads(target.read_text()) == {"token": "t"}
    assert cache.load()[0] == "fresh"
