"""Connection options: the doc fragment and the argument spec are identical; missing settings name their fix."""

import os

import pytest
import yaml

from ansible_collections.ingrammicro.marketplace.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import (
    ENV_VARS, ConnectionConfig, connection_argument_spec,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._version import COLLECTION_VERSION

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", ".."))
VALID = dict(api_url="https://api.cloud.im/marketplace/eu/", username="u.API", password="Pw-123456", subscription_key="Key-98765",
             marketplace="us")


def test_doc_fragment_matches_argument_spec():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    spec = connection_argument_spec()
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        doc = documented[name]
        assert doc["type"] == option["type"], name
        assert doc.get("default") == option.get("default"), name
        assert doc.get("choices") == option.get("choices"), name
        assert doc.get("required", False) == option.get("required", False), name
        assert option["fallback"][1] == [ENV_VARS[name]], name
        assert "E(%s)" % ENV_VARS[name] in " ".join(doc["description"]), name


def test_secrets_are_no_log():
    spec = connection_argument_spec()
    assert spec["password"]["no_log"] and spec["subscription_key"]["no_log"]


def test_version_matches_galaxy_yml():
    with open(os.path.join(REPO, "galaxy.yml"), encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["version"] == COLLECTION_VERSION


def test_valid_settings_are_normalised():
    config = ConnectionConfig.from_params(VALID)
    assert config.api_url == "https://api.cloud.im/marketplace/eu"
    assert (config.timeout, config.max_retries, config.token_cache, config.change_quantity) == (30.0, 5, True, "total")
    assert "Pw-123456" not in repr(config) and "Key-98765" not in repr(config)
    assert config.secrets() == ["Pw-123456", "Key-98765"]


def test_missing_settings_name_option_and_environment_variable():
    with pytest.raises(IMConfigError) as err:
        ConnectionConfig.from_params(dict(VALID, password=None, subscription_key=""))
    message = str(err.value)
    assert "password (option password or environment variable INGRAM_PASSWORD or INGRAM_PASSWORD_FILE)" in message
    assert "subscription_key (option subscription_key or environment variable INGRAM_SUBSCRIPTION_KEY or INGRAM_SUBSCRIPTION_KEY_FILE)" in message


@pytest.mark.parametrize("override, fragment", [
    (dict(api_url="api.cloud.im/marketplace/eu"), "api_url must be an http(s) URL"),
    (dict(api_url="ftp://x"), "api_url must be an http(s) URL"),
    (dict(timeout=0), "timeout must be a positive number"),
    (dict(max_retries=-1), "max_retries must be 0 or more"),
    (dict(change_quantity="both"), "change_quantity must be 'total' or 'delta'"),
])
def test_invalid_settings(override, fragment):
    with pytest.raises(IMConfigError) as err:
        ConnectionConfig.from_params(dict(VALID, **override))
    assert fragment in str(err.value)


def test_account_doc_fragment_matches_argument_spec():
    from ansible_collections.ingrammicro.marketplace.plugins.doc_fragments.account import ModuleDocFragment as Account
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._account_rules import account_argument_spec

    def compare(documented, spec, where):
        assert sorted(documented) == sorted(spec), where
        for name, option in spec.items():
            doc = documented[name]
            for key, default in (("type", "str"), ("default", None), ("choices", None), ("required", False), ("elements", None)):
                assert doc.get(key, default) == option.get(key, default), "%s.%s %s" % (where, name, key)
            if option.get("options"):
                compare(doc["suboptions"], option["options"], "%s.%s" % (where, name))

    compare(yaml.safe_load(Account.DOCUMENTATION)["options"], account_argument_spec(), "account")


def test_secrets_from_files_named_by_the_environment(monkeypatch, tmp_path):
    from ansible.module_utils.errors import AnsibleFallbackNotFound
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import plugin_params, secret_fallback

    secret = tmp_path / "password"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("INGRAM_PASSWORD", raising=False)
    monkeypatch.setenv("INGRAM_PASSWORD_FILE", str(secret))
    assert secret_fallback("INGRAM_PASSWORD") == "from-a-file"
    assert plugin_params(lambda name: None, {})["password"] == "from-a-file"
    monkeypatch.setenv("INGRAM_PASSWORD", "from-the-variable")
    assert secret_fallback("INGRAM_PASSWORD") == "from-the-variable"  # the variable itself wins
    monkeypatch.delenv("INGRAM_PASSWORD")
    monkeypatch.setenv("INGRAM_PASSWORD_FILE", str(tmp_path / "missing"))
    with pytest.raises(AnsibleFallbackNotFound):
        secret_fallback("INGRAM_PASSWORD")
    with pytest.raises(IMConfigError) as err:
        ConnectionConfig.from_params(dict(VALID, password=None))
    assert "cannot read %s (named by INGRAM_PASSWORD_FILE)" % (tmp_path / "missing") in str(err.value)


def test_plugin_settings_follow_the_modules_precedence(monkeypatch):
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import plugin_params

    monkeypatch.setenv("INGRAM_TIMEOUT", "12.5")
    monkeypatch.setenv("INGRAM_VALIDATE_CERTS", "no")
    monkeypatch.setenv("INGRAM_MARKETPLACE", "ca")
    given = {"marketplace": "us"}
    params = plugin_params(given.get, given)
    assert (params["timeout"], params["validate_certs"], params["marketplace"], params["max_retries"]) == (12.5, False, "us", 5)
    monkeypatch.setenv("INGRAM_MAX_RETRIES", "many")
    with pytest.raises(IMConfigError) as err:
        plugin_params(given.get, given)
    assert "environment variable INGRAM_MAX_RETRIES must be an integer" in str(err.value)
