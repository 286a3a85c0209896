"""Which catalog entry a subscription is of, when one MPN is sold with several terms."""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import catalog_entry, normal_period, same_term

MONTHLY = {"mpn": "M", "subscriptionPeriod": {"type": "month", "duration": 1}}
ANNUAL = {"mpn": "M", "subscriptionPeriod": {"type": "year", "duration": "1"}}


def test_same_term_compares_periods_as_data_and_unknown_terms_match():
    assert same_term({"subscriptionPeriod": {"type": "year", "duration": 1}}, ANNUAL)
    assert not same_term({"subscriptionPeriod": {"type": "year", "duration": 1}}, MONTHLY)
    assert same_term({}, MONTHLY) and same_term({"subscriptionPeriod": {"type": "year", "duration": 1}}, {"mpn": "M"})
    assert normal_period({"type": "month", "duration": "3"}) == {"type": "month", "duration": 3} and normal_period(None) is None


def test_catalog_entry_is_the_one_of_the_same_term_else_the_first():
    annual_subscription = {"subscriptionPeriod": {"type": "year", "duration": 1}}
    assert catalog_entry([MONTHLY, ANNUAL], annual_subscription) is ANNUAL
    assert catalog_entry([MONTHLY], annual_subscription) is MONTHLY
    assert catalog_entry([], annual_subscription) is None
