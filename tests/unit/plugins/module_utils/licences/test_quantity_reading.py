"""How the platform reads change-order quantities: judged from estimates, explained from seats, recorded once proven."""

import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _quantity_reading as reading
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._reading_record import ReadingRecord

MPN = "CFQ7TTC0LDPB:0001:P1Y"
NOBODY = 65534
# chown to another user needs root; CI runs the unit tests as root.
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="planting a directory owned by another user needs chown, which needs root")
ANNUAL_BILLED_MONTHLY = {"subscriptionPeriod": {"type": "year", "duration": 1}, "billingPeriod": {"type": "month", "duration": 1}}


def estimate(change, unit="12.50", details=True, factor=1):
    """An estimate as a platform gives it: the signed change in details, the price of the change in total."""
    body = {"total": {"amount": str(float(unit) * change * factor), "currency": "USD"}}
    if details:
        body["details"] = [{"type": "recurring" if change > 0 else "downgrade", "mpn": MPN, "quantity": change}]
    return body


def platform_estimate(current, desired, sent_as, platform, **kwargs):
    sent = reading.sent_quantity(current, desired, sent_as)
    return estimate(reading.change_if_read_as(current, sent, platform), **kwargs)


@pytest.mark.parametrize("setting", ["total", "delta"])
def test_details_confirm_the_setting_the_platform_follows(setting):
    verdict, evidence = reading.judge_estimate(platform_estimate(25, 30, setting, setting), MPN, 25, 30, setting, "12.50")
    assert verdict == reading.HOLDS and "+5 seats, as intended" in evidence


@pytest.mark.parametrize("setting", ["total", "delta"])
def test_details_contradict_the_other_setting_and_name_the_reading(setting):
    platform = reading.other(setting)
    verdict, evidence = reading.judge_estimate(platform_estimate(25, 30, setting, platform), MPN, 25, 30, setting, "12.50")
    assert verdict == reading.CONTRADICTS
    assert ("seats to add" if platform == "delta" else "new totals") in evidence


def test_without_details_a_price_no_proration_explains_contradicts():
    # Sending the total 30 to a platform that adds it: 30 seats priced, where +5 were meant.
    verdict, evidence = reading.judge_estimate(platform_estimate(25, 30, "total", "delta", details=False), MPN, 25, 30, "total", "12.50")
    assert verdict == reading.CONTRADICTS and "375" in evidence


def test_without_details_a_price_of_the_wrong_sign_contradicts():
    # A decrease 25 -> 20 sent as the total 20 to a platform that adds it: the estimate charges, where a credit was meant.
    verdict, evidence = reading.judge_estimate(platform_estimate(25, 20, "total", "delta", details=False), MPN, 25, 20, "total", "12.50")
    assert verdict == reading.CONTRADICTS and "adds" in evidence


def test_without_details_a_prorated_price_is_inconclusive():
    body = platform_estimate(25, 30, "total", "delta", details=False, factor=0.1)
    verdict, evidence = reading.judge_estimate(body, MPN, 25, 30, "total", "12.50")
    assert verdict == reading.INCONCLUSIVE and "fits either reading" in evidence


def test_a_whole_term_charged_at_once_is_not_mistaken_for_a_contradiction():
    # 11 -> 12 seats of an annual term billed monthly, charged for the whole term: 12 x 1 seat, the same amount as 12
    # seats for one month would cost. Without details, that is not evidence either way.
    body = {"total": {"amount": "150.00", "currency": "USD"}}
    verdict, _evidence = reading.judge_estimate(body, MPN, 11, 12, "total", "12.50", ANNUAL_BILLED_MONTHLY)
    assert verdict == reading.INCONCLUSIVE


def test_nothing_to_tell_apart_when_the_subscription_has_no_seats():
    assert reading.judge_estimate(estimate(5), MPN, 0, 5, "total", "12.50")[0] == reading.INCONCLUSIVE


@settings(max_examples=300, deadline=None)
@given(current=st.integers(1, 500), desired=st.integers(1, 500), setting=st.sampled_from(["total", "delta"]),
       platform=st.sampled_from(["total", "delta"]), details=st.booleans(), factor=st.sampled_from([1, 0.5, 0.07]))
def test_a_contradiction_is_never_claimed_for_the_setting_the_platform_follows(current, desired, setting, platform, details, factor):
    """Whatever the seats, details and proration, a run whose setting is right is never blocked, and a clear
    contradiction always names the platform's reading."""
    if current == desired:
        return
    body = platform_estimate(current, desired, setting, platform, details=details, factor=factor)
    verdict, _evidence = reading.judge_estimate(body, MPN, current, desired, setting, "12.50")
    if platform == setting:
        assert verdict != reading.CONTRADICTS
    elif details and reading.change_if_read_as(current, reading.sent_quantity(current, desired, setting), platform) != desired - current:
        assert verdict == reading.CONTRADICTS


def test_explain_seats():
    assert reading.explain_seats(25, 30, 55) == "delta"  # 30 sent as a total, added
    assert reading.explain_seats(25, 5, 5) == "total"  # +5 sent as a delta, taken as the total
    assert reading.explain_seats(25, 30, 41) is None  # neither: something else changed the seats


def test_summarize_verdicts_a_contradiction_wins():
    verdicts = [(reading.INCONCLUSIVE, "a"), (reading.HOLDS, "b"), (reading.CONTRADICTS, "c")]
    assert reading.summarize_verdicts(verdicts) == (reading.CONTRADICTS, "c")
    assert reading.summarize_verdicts(verdicts[:2]) == (reading.HOLDS, "b")
    assert reading.summarize_verdicts([])[0] == reading.INCONCLUSIVE


def config(api_url="https://api.test/marketplace/eu", marketplace="us"):
    return ConnectionConfig.from_params(dict(api_url=api_url, username="u", password="Pw-secret-1", subscription_key="k-secret-1",
                                             marketplace=marketplace))


def test_the_record_is_per_api_and_marketplace_private_and_holds_no_secret(tmp_path):
    directory = str(tmp_path / "readings")
    record = ReadingRecord(config(), directory)
    assert record.load() is None
    record.store("delta", "order SO000123 (id 4000123)", "3000001")
    assert ReadingRecord(config(), directory).load()["change_quantity"] == "delta"
    assert ReadingRecord(config(marketplace="de"), directory).load() is None
    assert ReadingRecord(config(api_url="https://other.test/marketplace/eu"), directory).load() is None
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(record.path).st_mode) == 0o600
    with open(record.path, encoding="utf-8") as handle:
        content = handle.read()
    assert "Pw-secret-1" not in content and "k-secret-1" not in content


def test_an_unreadable_record_counts_as_none(tmp_path):
    record = ReadingRecord(config(), str(tmp_path))
    with open(record.path, "w", encoding="utf-8") as handle:
        handle.write("{not json")
    assert record.load() is None


FORGED = '{"change_quantity": "total", "order": "order SO999999", "subscription_id": "3000001", "confirmed_at": "2024-01-01T00:00:00Z"}'


def plant_record(record, mode=0o644):
    os.makedirs(record.directory, exist_ok=True)
    with open(record.path, "w", encoding="utf-8") as handle:
        handle.write(FORGED)
    os.chmod(record.path, mode)


def content(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_no_record_creates_no_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert ReadingRecord(config()).load() is None
    assert not os.path.exists(tmp_path / "cache")


def test_a_symlinked_record_is_refused_not_trusted(tmp_path):
    record = ReadingRecord(config(), str(tmp_path / "readings"))
    os.makedirs(record.directory, mode=0o700)
    forged = tmp_path / "forged.json"
    forged.write_text(FORGED)
    os.symlink(str(forged), record.path)
    with pytest.raises(IMConfigError) as caught:
        record.load()
    assert str(caught.value).startswith("cache file %s is a symbolic link (to %s)" % (record.path, forged))


def test_storing_replaces_a_symlinked_record_instead_of_writing_through_it(tmp_path):
    record = ReadingRecord(config(), str(tmp_path / "readings"))
    os.makedirs(record.directory, mode=0o700)
    target = tmp_path / "target"
    target.write_text("precious")
    os.symlink(str(target), record.path)
    assert record.store("delta", "order SO000123", "3000001")["change_quantity"] == "delta"
    assert target.read_text() == "precious" and not os.path.islink(record.path)
    assert record.load()["change_quantity"] == "delta"


@pytest.mark.parametrize("which", ["cache root", "readings"])
def test_a_record_in_a_directory_group_or_others_can_write_to_is_refused(tmp_path, monkeypatch, which):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    record = ReadingRecord(config())
    plant_record(record)
    os.chmod(tmp_path / "ingrammicro.marketplace", 0o775 if which == "cache root" else 0o700)
    os.chmod(record.directory, 0o733 if which == "readings" else 0o700)
    directory = str(tmp_path / "ingrammicro.marketplace") if which == "cache root" else record.directory
    with pytest.raises(IMConfigError, match="cache directory %s has mode 0[0-9]+: group or others can write to it" % directory):
        record.load()
    with pytest.raises(IMConfigError):
        record.store("delta", "order SO000123", "3000001")
    assert content(record.path) == FORGED


@needs_root
def test_a_record_in_a_cache_root_owned_by_another_user_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    record = ReadingRecord(config())
    plant_record(record)
    root = tmp_path / "ingrammicro.marketplace"
    os.chmod(root, 0o755)
    os.chmod(record.directory, 0o755)
    for path in (root, record.directory, record.path):
        os.chown(path, NOBODY, NOBODY)
    with pytest.raises(IMConfigError) as caught:
        record.load()
    assert str(caught.value) == ("cache directory %s is owned by uid %d, not by you (uid %d): another user could plant files in it. "
                                 "Remove it (it holds only caches) or set XDG_CACHE_HOME to a directory of your own"
                                 % (root, NOBODY, os.geteuid()))
    with pytest.raises(IMConfigError):
        record.store("total", "order SO000123", "3000001")
    assert content(record.path) == FORGED


@needs_root
def test_a_record_owned_by_another_user_is_refused(tmp_path):
    record = ReadingRecord(config(), str(tmp_path / "readings"))
    os.makedirs(record.directory, mode=0o700)
    plant_record(record, mode=0o600)
    os.chown(record.path, NOBODY, NOBODY)
    with pytest.raises(IMConfigError, match="cache file %s is owned by uid %d, not by you" % (record.path, NOBODY)):
        record.load()
