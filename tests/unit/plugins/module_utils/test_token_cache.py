"""The on-disk token cache: reuse, expiry, file modes, no secrets on disk."""

import os
import stat

import pytest
import responses

from ansible_collections.ingrammicro.marketplace.plugins.module_utils._client import MarketplaceClient
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._connection import ConnectionConfig
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._token_cache import TokenCache, default_cache_dir

BASE = "http://api.test/marketplace/eu"
PARAMS = dict(api_url=BASE, username="reseller.API", password="s3cret-Passw0rd", subscription_key="key-0123456789",
              marketplace="us", token_cache=True)


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        tokens = iter("tok-%d" % n for n in range(1, 100))
        mock.add_callback(responses.POST, BASE + "/token",
                          callback=lambda request: (200, {}, '{"token": "%s", "expiresInSeconds": 1500}' % next(tokens)))
        mock.add(responses.GET, BASE + "/plans/1", json={"id": "1"})
        yield mock


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
