"""Unit test setup: import the collection from this checkout, never sleep for real, and answer HTTP with the fake
Marketplace API (tests/unit/fake_api.py) under the real client."""

import os
import sys

import pytest
import responses

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".collections")
for path in (REPO, COLLECTIONS):  # tests.unit.fake_api (plain `pytest` does not put REPO on sys.path); the collection
    if path not in sys.path:
        sys.path.insert(0, path)

from tests.unit.fake_api import FakeApi  # noqa: E402  pylint: disable=wrong-import-position


class Sleeps(list):
    """Records every sleep instead of sleeping, and moves a fake monotonic clock on by it (for retry budgets)."""

    def __init__(self):
        super().__init__()
        self.now = 1000.0

    def __call__(self, seconds):
        self.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now


@pytest.fixture
def sleeps():
    """The recorded sleeps of a client built by make_client (a list; see Sleeps)."""
    return Sleeps()


@pytest.fixture
def make_client(tmp_path, sleeps):
    """Build a MarketplaceClient against http://api.test/marketplace/eu with a private token cache directory."""
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._client import MarketplaceClient
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig

    def build(**overrides):
        params = dict(api_url="http://api.test/marketplace/eu", username="reseller.API", password="s3cret-Passw0rd",
                      subscription_key="key-0123456789", marketplace="us", max_retries=3, token_cache=False)
        params.update(overrides)
        config = ConnectionConfig.from_params(params)
        return MarketplaceClient(config, sleep=sleeps, monotonic=sleeps.monotonic, token_cache_dir=str(tmp_path / "tokens"))

    return build


@pytest.fixture
def rsps():
    """The faked HTTP layer: every request the test sends goes to this ``responses`` mock, none to the network."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def api(rsps):
    """The fake Marketplace API (tests/unit/fake_api.py) at make_client's api_url, empty until the test seeds it."""
    return FakeApi(rsps)
