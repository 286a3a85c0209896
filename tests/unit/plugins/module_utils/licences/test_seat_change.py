"""The pieces of a seat change that im_subscription and im_licenses share: the order computed from the subscription read
under its lock, the refusal of a contradicting estimate, and im_subscription's in-place edits (sent through the real
client to the fake API, tests/unit/fake_api.py) and check-mode result."""

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _subscription_edits as edits
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._quantity_reading import contradiction, prove_estimate
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._seats import change_from_fresh


def subscription(seats, **fields):
    line = {"mpn": "MPN-1", "quantity": seats, "unitPrice": {"amount": 12.5, "currency": "USD"}}
    return dict({"id": "3000001", "customerId": "1000001", "products": [line], "renewalStatus": True,
                 "attributes": {"cost_center": "A1"}}, **fields)


@pytest.mark.parametrize("mode, sent", [("total", 13), ("delta", 3)])
def test_the_change_is_computed_from_the_fresh_seats(mode, sent):
    body = change_from_fresh(subscription(10), "MPN-1", 10, 13, mode, "PO-7")
    assert body["products"] == [{"mpn": "MPN-1", "quantity": sent, "subscriptionId": "3000001"}] and body["poNumber"] == "PO-7"


def test_seats_moved_towards_the_goal_order_only_the_rest():
    assert change_from_fresh(subscription(12), "MPN-1", 10, 13, "delta")["products"][0]["quantity"] == 1


def test_a_subscription_that_has_the_seats_already_needs_no_order():
    assert change_from_fresh(subscription(13), "MPN-1", 10, 13, "total") is None


@pytest.mark.parametrize("fresh", [15, 8])
def test_seats_moved_against_or_past_the_plan_are_not_ordered_from(fresh):
    with pytest.raises(IMError) as error:
        change_from_fresh(subscription(fresh), "MPN-1", 10, 13, "total")
    assert str(error.value) == ("another order changed subscription 3000001 (MPN-1) from 10 to %d seats since the plan was "
                                "made; nothing was ordered: run again to plan from %d" % (fresh, fresh))


def test_a_contradicting_estimate_names_the_setting_that_fits():
    assert contradiction("total", "the estimate prices 13 seats").endswith(
        "contradicts change_quantity=total, so nothing was ordered: the estimate prices 13 seats. Set change_quantity: "
        "delta (INGRAM_CHANGE_QUANTITY=delta)")


def change_estimate(change):
    """An estimate whose details show a signed change of ``change`` seats of MPN-1 at 12.50 each."""
    return {"total": {"amount": str(12.5 * change), "currency": "USD"},
            "details": [{"type": "recurring", "mpn": "MPN-1", "quantity": change}]}


def test_an_estimate_that_shows_the_intended_change_proves_the_setting():
    reading = prove_estimate(change_estimate(3), "MPN-1", 10, 13, "total")
    assert reading["change_quantity"] == "total" and reading["verdict"] == "holds"


def test_an_estimate_that_shows_the_total_added_is_refused_with_its_kind():
    with pytest.raises(IMError) as error:
        prove_estimate(change_estimate(13), "MPN-1", 10, 13, "total")  # 13 seats added: the platform reads deltas
    assert error.value.code == "change_quantity_contradicted"
    assert "Set change_quantity: delta (INGRAM_CHANGE_QUANTITY=delta)" in str(error.value)


def test_in_place_changes_are_sent_and_attributes_the_api_did_not_keep_are_a_warning(api, make_client):
    api.subscriptions["3000001"] = subscription(5)
    api.keeps_attributes = False  # the platform holds back the attributes sent
    special = {"products": [{"mpn": "MPN-1", "unitCost": {"amount": "9", "currency": "USD"}}]}
    warnings = []
    after = edits.apply(make_client(), subscription(5), {"attributes": {"team": "7"}}, special, warnings.append)
    assert api.writes() == [("PATCH", "/subscriptions/3000001", {"attributes": {"team": "7"}}),
                            ("POST", "/subscriptions/3000001/specialPricing", special)]
    assert warnings == ["subscription 3000001: the API kept the attributes {'cost_center': 'A1'} where {'team': '7'} was sent"]
    assert after["products"][0]["unitCost"] == {"amount": "9", "currency": "USD"}  # the subscription as the last answer has it


def params(**given):
    return dict({"auto_renew": None, "attributes": None, "purge_attributes": False, "prices": None, "special_pricing": False}, **given)


def test_nothing_differs_when_the_options_match_the_subscription():
    assert edits.in_place_changes(params(auto_renew=True, attributes={"cost_center": "A1"}, prices={"unit_price": "12.50"}),
                                  subscription(5), "MPN-1") == ({}, None)


def test_attributes_are_merged_unless_purged_and_prices_keep_the_currency():
    patch, special = edits.in_place_changes(params(attributes={"team": 7}, prices={"unit_price": "11"}), subscription(5), "MPN-1")
    assert special is None
    assert patch == {"attributes": {"cost_center": "A1", "team": "7"},
                     "products": [{"mpn": "MPN-1", "unitPrice": {"amount": "11", "currency": "USD"}}]}
    purged, _special = edits.in_place_changes(params(attributes={"team": 7}, purge_attributes=True), subscription(5), "MPN-1")
    assert purged == {"attributes": {"team": "7"}}


def test_special_pricing_goes_to_its_own_request():
    patch, special = edits.in_place_changes(params(prices={"unit_cost": "9.99", "currency": "EUR"}, special_pricing=True),
                                            subscription(5), "MPN-1")
    assert patch == {} and special == {"products": [{"mpn": "MPN-1", "unitCost": {"amount": "9.99", "currency": "EUR"}}]}


def test_a_price_without_a_currency_to_take_says_which_option_is_needed():
    with pytest.raises(IMConfigError, match=r"prices.currency is needed: subscription 3000001 has no unit_cost to take it from"):
        edits.in_place_changes(params(prices={"unit_cost": "9.99"}), subscription(5), "MPN-1")


@pytest.mark.parametrize("amount", ["-1", "ten", "NaN"])
def test_a_price_that_is_not_an_amount_is_refused_before_any_request(amount):
    with pytest.raises(IMConfigError, match=r'prices.unit_price must be a decimal amount such as "12.50", got %r' % amount):
        edits.check_prices({"unit_price": amount})


def test_check_mode_shows_the_subscription_as_the_changes_would_leave_it():
    before = subscription(5)
    after = edits.simulate(before, "MPN-1", 8, {"renewalStatus": False, "products": [{"mpn": "MPN-1", "unitPrice": {"amount": "11"}}]}, None)
    assert after["renewalStatus"] is False and after["products"][0]["quantity"] == 8
    assert after["products"][0]["unitPrice"] == {"amount": "11"} and before["products"][0]["quantity"] == 5


def test_a_plan_keeps_of_each_subscription_only_what_it_uses():
    """A run of 100,000 lines holds this per line, not the API's whole answer (prices, costs, parameters, totals)."""
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._seats import planning_record, product_line, seats, term_dates
    detail = subscription(12, status="active", creationDate="2026-01-10", renewalDate="2027-01-10", subscriptionPeriod={"type": "year", "duration": 1},
                          billingPeriod={"type": "month", "duration": 1}, fulfillmentParameters=[{"name": "tenant", "value": "x"}],
                          totalSubscriptionPrice={"amount": "150.00", "currency": "USD"})
    detail["products"][0].update(unitCost={"amount": "11.25"}, extendedPrice={"amount": "150.00"}, vendorSubscriptionId="uuid")
    record = planning_record(detail)
    assert set(record) == {"id", "customerId", "status", "creationDate", "renewalDate", "subscriptionPeriod", "billingPeriod", "products"}
    assert record["products"] == [{"mpn": "MPN-1", "quantity": 12, "unitPrice": {"amount": 12.5, "currency": "USD"}}]
    assert (seats(record, "MPN-1"), product_line(record)["unitPrice"], term_dates(record)) == (
        seats(detail, "MPN-1"), product_line(detail)["unitPrice"], term_dates(detail))
    assert planning_record(None) is None
