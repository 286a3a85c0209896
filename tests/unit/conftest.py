"""Unit test setup: import the collection from this checkout and never sleep for real."""

import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


@pytest.fixture
def sleeps():
    """A list that records every backoff sleep instead of sleeping."""
    return []


@pytest.fixture
def make_client(tmp_path, sleeps):
    """Build a MarketplaceClient against http://api.test/marketplace/eu with a private token cache directory."""
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils._client import MarketplaceClient
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils._connection import ConnectionConfig

    def build(**overrides):
        params = dict(api_url="http://api.test/marketplace/eu", username="reseller.API", password="s3cret-Passw0rd",
                      subscription_key="key-0123456789", marketplace="us", max_retries=3, token_cache=False)
        params.update(overrides)
        config = ConnectionConfig.from_params(params)
        return MarketplaceClient(config, sleep=sleeps.append, token_cache_dir=str(tmp_path / "tokens"))

    return build
