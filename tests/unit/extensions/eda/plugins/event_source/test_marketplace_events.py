"""The marketplace_events event source plugin itself: its arguments checked like module options before anything is read,
its documentation equal to what it takes, and its backoff on a failing poll."""

import importlib.util
import pathlib

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError

REPO = next(path for path in pathlib.Path(__file__).resolve().parents if (path / "galaxy.yml").exists())
PLUGIN = str(REPO / "extensions" / "eda" / "plugins" / "event_source" / "marketplace_events.py")


def load_plugin():
    spec = importlib.util.spec_from_file_location("marketplace_events", PLUGIN)
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    return plugin


def test_the_source_refuses_an_argument_it_does_not_know_naming_it(monkeypatch, tmp_path):
    plugin = load_plugin()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(IMConfigError, match=r"^marketplace_events: unknown argument intervall; the arguments are api_url, "):
        plugin.Source({"intervall": 5})


CONNECTION = {"api_url": "http://127.0.0.1:9/marketplace/eu", "username": "reseller.API", "password": "s3cret-Passw0rd",
              "subscription_key": "key-0123456789", "marketplace": "us"}


@pytest.mark.parametrize("given, message", [
    ({"interval": 0}, "interval must be 1 second or more, got 0"),
    ({"interval": -5}, "interval must be 1 second or more, got -5"),
    ({"interval": "abc"}, "interval must be a number, got 'abc'"),
    ({"interval": 120, "sweep_interval": 60}, "sweep_interval must be at least interval (120), got 60"),
    ({"renewal_days": 400}, "renewal_days must be 0 to 366, got 400"),
    ({"concurrency": 0}, "concurrency must be 1 to 32, got 0"),
    ({"checkpoint_name": "../x"}, "checkpoint_name may hold letters, digits"),
    ({"validate_certs": "perhaps"}, "validate_certs must be a boolean (true or false, yes or no), got 'perhaps'"),
    ({"change_quantity": "delta"}, "unknown argument change_quantity"),
    ({"timeout": 0}, "timeout must be a positive number of seconds"),
])
def test_each_bad_argument_is_named_before_anything_is_read(monkeypatch, tmp_path, given, message):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(IMConfigError) as err:
        load_plugin().Source(dict(CONNECTION, **given))
    assert message in str(err.value)
    assert "s3cret-Passw0rd" not in str(err.value)
    assert not (tmp_path / "ingrammicro.marketplace" / "events").exists()


def test_booleans_and_numbers_are_read_as_ansible_reads_them(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    source = load_plugin().Source(dict(CONNECTION, validate_certs="false", interval="30", feedback="yes"))
    assert source.config.validate_certs is False and source.interval == 30.0 and source.feedback is True
    assert source.config.retry_timeout == 30.0  # the source's own default


def test_a_failing_poll_never_polls_more_often_than_interval(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    source = load_plugin().Source(dict(CONNECTION, interval=3600, sweep_interval=7200, max_retries=0))
    began = source.poll()
    assert [(event["type"], event["state"], event["failure"]) for event in began] == [("source_error", "began", "api_unreachable")]
    assert source.delay == 3600
    assert source.poll() == [] and source.delay == 3600
    assert source.pending() == began  # kept until the engine takes it


def test_the_documented_arguments_are_the_arguments_the_source_takes():
    """DOCUMENTATION (what Galaxy, Automation Hub and the docs site show) and the argument spec say the same."""
    import yaml

    plugin = load_plugin()
    options = yaml.safe_load(plugin.DOCUMENTATION)["options"]
    spec = plugin.argument_spec()
    assert sorted(options) == sorted(spec)
    for name, option in options.items():
        assert option["type"] == spec[name]["type"], name
        assert option.get("default") == spec[name].get("default"), name
    assert yaml.safe_load(plugin.EXAMPLES)
