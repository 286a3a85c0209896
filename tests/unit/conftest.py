"""Unit test setup: import the collection from this checkout and never sleep for real."""

import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


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
