"""im_order's new sales order over the real client and the fake API (tests/unit/fake_api.py): the one catalog entry a line
names, the guards that keep a rerun from buying again (PO number, held of the same term, on an open order), and the order
body."""

import copy

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import Vocabulary
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _sales_orders as sales
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import OrderDesk


def said(message):
    """A message of this layer as a playbook's own task says it: the options it marks, by their names."""
    return Vocabulary().say(str(message))


YEAR, MONTH = {"type": "year", "duration": "1"}, {"type": "month", "duration": 1}
PRODUCTS = [
    {"mpn": "MS-365", "vendor": "Microsoft", "name": "Microsoft 365", "subscriptionPeriod": YEAR, "billingPeriod": MONTH,
     "minimumQuantity": 1, "maximumQuantity": 300},
    {"mpn": "MS-365", "vendor": "Microsoft", "name": "Microsoft 365", "subscriptionPeriod": MONTH, "billingPeriod": MONTH},
]


@pytest.fixture
def api(api):
    """The catalog sells MS-365 for a year and for a month; customer 1000001 (ACME-001) has nothing yet."""
    api.products.extend(copy.deepcopy(PRODUCTS))
    api.customer("1000001", "ACME-001", "Acme")
    return api


def sales_order(api, number, status, mpn, **fields):
    """A sales order of customer 1000001 for one seat of ``mpn``."""
    return api.order(number, None, status, type="sales", customerId="1000001", products=[{"mpn": mpn, "quantity": 1}], **fields)


def line(mpn="MS-365", quantity=5, **given):
    return dict({"mpn": mpn, "quantity": quantity, "vendor": None, "subscription_period": None, "billing_period": None,
                 "parameters": None}, **given)


def test_an_mpn_sold_for_two_terms_needs_the_term_and_names_both(api, make_client):
    client = make_client()
    with pytest.raises(IMConfigError) as error:
        sales.catalog_product(client, 1, line())
    assert said(error.value) == ("products line 2: MS-365 exists 2 times in the catalog (Microsoft 1 year/1 month, Microsoft "
                                 "1 month/1 month); set subscription_period, billing_period or vendor to pick one")
    assert sales.catalog_product(client, 0, line(subscription_period={"type": "year", "duration": 1})) == PRODUCTS[0]
    assert [request.query["mpn"] for request in api.sent("GET", "/products")] == ["MS-365", "MS-365"]


def test_a_line_outside_the_catalog_limits_or_catalog_is_refused_with_its_line_number(api, make_client):
    with pytest.raises(IMConfigError) as error:
        sales.catalog_product(make_client(), 0, line(quantity=400, subscription_period={"type": "year", "duration": 1}))
    assert said(error.value).startswith("products line 1: 400 seats of MS-365 is above the maximum of 300")
    with pytest.raises(IMConfigError) as error:
        sales.catalog_product(make_client(), 2, line("NOPE"))
    assert said(error.value) == "products line 3: no product NOPE in the catalog"


def test_products_on_an_order_with_the_same_po_number_are_skipped_and_others_are_not(api, make_client):
    sales_order(api, 1, "completed", "MS-365", poNumber="PO-9")
    client = make_client()
    pairs = [(line(), PRODUCTS[0]), (line("MS-TEAMS"), {"name": "Teams"})]
    skipped = sales.on_po_number_orders(client, OrderDesk(client, warn=None), "1000001", pairs, "PO-9")
    assert sales.public(skipped) == [{"order_id": "4000001", "order_number": "SO000001", "order_status": "completed",
                                      "mpn": "MS-365", "reason": "po_number"}]
    assert skipped["MS-365"]["_order"]["poNumber"] == "PO-9"  # read in full: list rows carry no PO number
    assert sales.on_po_number_orders(client, OrderDesk(client, warn=None), "1000001", pairs, "PO-10") == {}
    assert api.writes() == []


def test_a_product_held_for_the_same_term_or_on_an_open_order_is_not_bought_again(api, make_client):
    api.subscription("3000001", "1000001", "MS-365", 3, name="Microsoft 365")  # for a year
    sales_order(api, 2, "processing", "MS-TEAMS")
    client = make_client()
    desk = OrderDesk(client, warn=None)
    pairs = [(line(), PRODUCTS[0]), (line("MS-TEAMS"), {"name": "Teams"}), (line("MS-365"), PRODUCTS[1])]
    skipped = sales.held_or_ordered(client, desk, "1000001", pairs)
    assert skipped["MS-365"] == {"mpn": "MS-365", "reason": "held", "subscription_id": "3000001"}
    assert skipped["MS-TEAMS"]["reason"] == "ordered" and skipped["MS-TEAMS"]["order_number"] == "SO000002"
    monthly = sales.held_or_ordered(client, desk, "1000001", [(line(), PRODUCTS[1])])
    assert monthly == {}  # held for a year's term: the monthly one is another product
    assert api.writes() == []


def test_the_order_body_carries_the_terms_given_parameters_po_number_and_attributes_as_text():
    body = sales.sales_body("1000001", [(line(subscription_period={"type": "year", "duration": 1},
                                              parameters=[{"name": "domain", "value": "acme.example"}]), PRODUCTS[0])],
                            "PO-9", {"seats_from": 2026})
    assert body == {"type": "sales", "customerId": "1000001", "poNumber": "PO-9", "attributes": {"seats_from": "2026"},
                    "products": [{"mpn": "MS-365", "quantity": 5, "subscriptionPeriod": {"type": "year", "duration": 1},
                                  "parameters": [{"name": "domain", "value": "acme.example"}]}]}  # unset terms are left out
