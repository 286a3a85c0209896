"""The onboarding role's summary (records, lines) and order problems, from task results as the role registers them:
check mode and real runs, new, updated and unchanged customers, no order, failed orders, several products, missing
prices and names, several currencies and billing periods, and exact money."""

from decimal import Decimal

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ingrammicro.marketplace.plugins.filter.onboarding_order_problems import onboarding_order_problems
from ansible_collections.ingrammicro.marketplace.plugins.filter.onboarding_summary import onboarding_summary
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _onboarding_summary as summary

MONTH = {"type": "month", "duration": 1}
YEAR = {"type": "year", "duration": 1}
BASIC, TEAMS, BACKUP = "CFQ7TTC0LH18:0001:P1M", "CFQ7TTC0RM8K:0001:P1Y", "SH3AMCLOS"
NOT_PRICED = "(the API prices an order once its customer exists)"


def account(customer_id=None, name=None, changed=False):
    """An im_customer loop result."""
    customer = {"id": customer_id}
    if name:
        customer["name"] = name
    return {"changed": changed, "customer": customer}


def order_line(mpn, quantity, name=None):
    line = {"mpn": mpn, "quantity": quantity}
    if name:
        line["name"] = name
    return line


def order_result(index, lines=(), changed=True, order_id=None, estimate=None, **extra):
    """An im_order loop result with an order (simulated when it has no id)."""
    order = {"id": order_id, "products": list(lines)}
    if order_id:
        order.update(order_number="SO" + order_id, status="completed", po_number="PSA-1")
    else:
        order["simulated"] = True
    return dict({"onboarding_index": index, "changed": changed, "failed": False, "order": order, "estimate": estimate}, **extra)


def estimate(amount, currency="USD", periods=()):
    """An im_order estimate: the total and, per MPN, its billing period."""
    return {"total": {"amount": amount, "currency": currency},
            "products": [{"mpn": mpn, "billing_period": period} for mpn, period in periods]}


def catalog_result(mpn, *entries):
    """An im_product_info loop result over onboarding_mpn."""
    return {"onboarding_mpn": mpn, "changed": False, "products": list(entries)}


def entry(mpn, amount, currency="USD", name=None, billing=None, term=None, vendor="Microsoft"):
    product = {"mpn": mpn, "vendor": vendor, "billing_period": billing or MONTH, "subscription_period": term or MONTH,
               "prices": [{"amount": amount, "currency": currency}] if amount is not None else []}
    if name:
        product["name"] = name
    return product


def run(customers, existing, accounts, orders, catalog=(), check_mode=True):
    """The filter as the role calls it: in check mode ``orders`` are the plan, otherwise the real orders."""
    skipped = [{"onboarding_index": index, "skipped": True, "changed": False} for index in range(len(customers))]
    return onboarding_summary(customers, existing, accounts, planned=orders if check_mode else skipped,
                              ordered=skipped if check_mode else orders, catalog=list(catalog), check_mode=check_mode)


# ---------------------------------------------------------------------------------------------------- check mode

def test_check_mode_prices_a_new_customer_from_the_catalog_with_exact_amounts():
    customers = [{"external_id": "HOOLI-005", "name": "Hooli", "subscriptions": [{"mpn": BASIC, "quantity": 10},
                                                                                 {"mpn": BACKUP, "quantity": 3}]}]
    orders = [order_result(0, [order_line(BASIC, 10), order_line(BACKUP, 3)], not_validated=[BASIC, BACKUP])]
    catalog = [catalog_result(BASIC, entry(BASIC, "7.20", name="Microsoft 365 Business Basic")),
               catalog_result(BACKUP, entry(BACKUP, "0.1", name="Acronis"))]
    result = run(customers, [], [account(name="Hooli", changed=True)], orders, catalog)
    record = result["customers"][0]
    assert (record["account"], record["action"], record["customer_id"], record["order"]) == ("would create", "would order", None, None)
    # 3 x 0.1 is 0.30 exactly (as float it is 0.30000000000000004), and added to 72.00 without float error.
    assert [product["catalog_price"] for product in record["products"]] == [
        {"amount": "72.00", "currency": "USD", "per": "month"}, {"amount": "0.30", "currency": "USD", "per": "month"}]
    assert record["prices"] == [{"amount": "72.30", "currency": "USD", "per": "month", "source": "catalog"}]
    line, total = result["lines"]
    assert line == ("HOOLI-005 Hooli (would be created); would buy 10 x Microsoft 365 Business Basic [%s], 3 x Acronis [%s]; "
                    "72.30 USD per month at catalog prices %s; NOT VALIDATED YET: %s, %s (activation parameters and order; the "
                    "API checks them only for an existing customer: a real run does so right after creating it, before ordering)"
                    % (BASIC, BACKUP, NOT_PRICED, BASIC, BACKUP))
    assert total == ("Total 1 customer(s), 1 would be created; 2 product(s) would be ordered for 72.30 USD per month, 0 skipped, "
                     "2 not validated yet (check mode: nothing was created or ordered)")


def test_catalog_totals_are_kept_apart_per_currency_and_billing_period_and_sub_cent_prices_stay_exact():
    customers = [{"external_id": "X-1", "name": "X", "subscriptions": [{"mpn": BASIC, "quantity": 3}, {"mpn": TEAMS, "quantity": 2},
                                                                       {"mpn": BACKUP, "quantity": 4}]}]
    orders = [order_result(0, [order_line(BASIC, 3), order_line(TEAMS, 2), order_line(BACKUP, 4)])]
    catalog = [catalog_result(BASIC, entry(BASIC, "0.125")), catalog_result(TEAMS, entry(TEAMS, "40", currency="EUR", billing=YEAR)),
               catalog_result(BACKUP, entry(BACKUP, "1.10"))]
    record = run(customers, [], [account()], orders, catalog)["customers"][0]
    assert record["prices"] == [{"amount": "4.775", "currency": "USD", "per": "month", "source": "catalog"},
                                {"amount": "80.00", "currency": "EUR", "per": "year", "source": "catalog"}]
    assert "4.775 USD per month + 80.00 EUR per year at catalog prices" in summary.customer_line(record)


def test_a_line_without_one_catalog_price_leaves_the_order_unpriced_and_unnamed():
    customers = [{"external_id": "X-1", "name": "X", "subscriptions": [{"mpn": BASIC, "quantity": 1}, {"mpn": TEAMS, "quantity": 1},
                                                                       {"mpn": BACKUP, "quantity": 1}]}]
    orders = [order_result(0, [order_line(BASIC, 1), order_line(TEAMS, 1), order_line(BACKUP, 1)])]
    # BASIC has a price; TEAMS is sold on two terms (which one the API picks is unknown); BACKUP has no price at all.
    catalog = [catalog_result(BASIC, entry(BASIC, "7.20", name="Basic")),
               catalog_result(TEAMS, entry(TEAMS, "4.00", term=MONTH), entry(TEAMS, "3.50", term=YEAR)),
               catalog_result(BACKUP, entry(BACKUP, None, name="Acronis"))]
    record = run(customers, [], [account()], orders, catalog)["customers"][0]
    assert [(product["name"], product["catalog_price"] is not None) for product in record["products"]] == [
        ("Basic", True), (None, False), (None, False)]
    assert record["prices"] == []
    line = summary.customer_line(record)
    assert "would buy 1 x Basic [%s], 1 x %s, 1 x %s; no price %s" % (BASIC, TEAMS, BACKUP, NOT_PRICED) in line


def test_the_subscription_line_picks_the_catalog_entry_by_term_billing_period_and_vendor():
    entries = [entry(TEAMS, "4.00", term=MONTH, vendor="Microsoft"), entry(TEAMS, "3.50", term=YEAR, vendor="Microsoft"),
               entry(TEAMS, "3.00", term=YEAR, billing=YEAR, vendor="Microsoft"), entry(TEAMS, "2.00", term=YEAR, vendor="Other")]
    assert summary.catalog_entry(entries, {}) is None
    assert summary.catalog_entry(entries, {"subscription_period": MONTH})["prices"][0]["amount"] == "4.00"
    assert summary.catalog_entry(entries, {"subscription_period": {"type": "year", "duration": "1"}, "billing_period": YEAR,
                                           "vendor": "Microsoft"})["prices"][0]["amount"] == "3.00"
    assert summary.catalog_entry(entries, {"subscription_period": YEAR, "billing_period": MONTH, "vendor": "Other"})["prices"][0]["amount"] == "2.00"
    assert summary.catalog_entry(entries, {"vendor": "Nobody"}) is None


def test_check_mode_prices_an_existing_customer_with_the_estimate_and_names_from_the_order():
    customers = [{"external_id": "ACME-001", "subscriptions": [{"mpn": BACKUP, "quantity": 4}, {"mpn": BASIC, "quantity": 5}]}]
    orders = [order_result(0, [order_line(BACKUP, 4, "Acronis")], estimate=estimate("26.00", periods=[(BACKUP, MONTH)]),
                           skipped_products=[{"mpn": BASIC, "reason": "held", "subscription_id": "3000001"}])]
    result = run(customers, ["ACME-001"], [account("1000001", "Acme")], orders)
    record = result["customers"][0]
    assert (record["name"], record["account"]) == ("Acme", "unchanged")
    assert record["prices"] == [{"amount": "26.00", "currency": "USD", "source": "estimate", "per": "month"}]
    assert record["products"] == [{"mpn": BACKUP, "quantity": 4, "name": "Acronis", "catalog_price": None}]
    line, total = result["lines"]
    assert line == ("ACME-001 Acme (exists, unchanged, id 1000001); would buy 4 x Acronis [%s]; skipped %s (held as subscription "
                    "3000001); estimated 26.00 USD per month" % (BACKUP, BASIC))
    assert total == ("Total 1 customer(s), 0 would be created; 1 product(s) would be ordered for 26.00 USD per month, 1 skipped "
                     "(check mode: nothing was created or ordered)")


def test_an_estimate_over_several_billing_periods_says_so():
    customers = [{"external_id": "ACME-001", "subscriptions": [{"mpn": BASIC, "quantity": 1}, {"mpn": TEAMS, "quantity": 1}]}]
    orders = [order_result(0, [order_line(BASIC, 1), order_line(TEAMS, 1)],
                           estimate=estimate(60, periods=[(BASIC, MONTH), (TEAMS, {"type": "month", "duration": 3})]))]
    record = run(customers, ["ACME-001"], [account("1000001", "Acme", changed=True)], orders)["customers"][0]
    assert record["account"] == "would update"
    assert record["prices"] == [{"amount": "60.00", "currency": "USD", "source": "estimate", "per": None}]
    assert "(exists, would be updated, id 1000001)" in summary.customer_line(record)
    assert "estimated 60.00 USD (first billing periods of several lengths)" in summary.customer_line(record)


# ---------------------------------------------------------------------------------------------------- real runs

def test_a_real_run_reports_created_updated_unchanged_and_what_happened_to_each_order():
    customers = [{"external_id": "NEW-1", "name": "New", "subscriptions": [{"mpn": BASIC, "quantity": 2}]},
                 {"external_id": "OLD-2", "name": "Old", "subscriptions": [{"mpn": BASIC, "quantity": 2}]},
                 {"external_id": "OLD-3", "name": "Same", "po_number": "PSA-1", "subscriptions": [{"mpn": BASIC, "quantity": 2}]},
                 {"external_id": "OLD-4", "name": "Held", "subscriptions": [{"mpn": BASIC, "quantity": 2}]},
                 {"external_id": "OLD-5", "name": "Bare"},
                 {"external_id": "OLD-6", "name": "Broken", "subscriptions": [{"mpn": BASIC, "quantity": 2}]}]
    existing = ["OLD-2", "OLD-3", "OLD-4", "OLD-5", "OLD-6"]
    accounts = [account("1", "New", True), account("2", "Old", True), account("3", "Same"), account("4", "Held"), account("5", "Bare"),
                account("6", "Broken")]
    orders = [
        order_result(0, [order_line(BASIC, 2, "Basic")], order_id="4000001", estimate=estimate("14.40", periods=[(BASIC, MONTH)])),
        order_result(1, [order_line(BASIC, 2, "Basic")], order_id="4000002", estimate=estimate("14.40", "EUR", [(BASIC, MONTH)])),
        order_result(2, [order_line(BASIC, 2, "Basic")], changed=False, order_id="4000003"),
        {"onboarding_index": 3, "changed": False, "skipped_products": [
            {"mpn": BASIC, "reason": "ordered", "order_number": "SO000009", "order_status": "processing"}]},
        {"onboarding_index": 4, "skipped": True, "changed": False},
        {"onboarding_index": 5, "failed": True, "changed": False, "msg": "subscriptions line 1: refused"},
    ]
    result = run(customers, existing, accounts, orders, check_mode=False)
    records = result["customers"]
    assert [(record["account"], record["action"]) for record in records] == [
        ("created", "ordered"), ("updated", "ordered"), ("unchanged", "order exists"), ("unchanged", "nothing to order"),
        ("unchanged", "no subscriptions"), ("unchanged", "order failed")]
    assert records[0]["order"] == {"id": "4000001", "order_number": "SO4000001", "status": "completed", "po_number": "PSA-1"}
    assert [record["order"] for record in records[3:]] == [None, None, None]
    lines = result["lines"]
    assert lines[0] == "NEW-1 New (created, id 1); bought 2 x Basic [%s]; estimated 14.40 USD per month; order SO4000001 completed" % BASIC
    assert lines[1].startswith("OLD-2 Old (exists, updated, id 2); bought ")
    assert lines[2] == "OLD-3 Same (exists, unchanged, id 3); already ordered with po_number PSA-1 on order SO4000003 completed"
    assert lines[3] == "OLD-4 Held (exists, unchanged, id 4); nothing to order; skipped %s (on order SO000009, processing)" % BASIC
    assert lines[4] == "OLD-5 Bare (exists, unchanged, id 5); no subscriptions requested"
    assert lines[5] == "OLD-6 Broken (exists, unchanged, id 6); ordering failed (see the message below)"
    # Prices are added up per currency; only what was bought counts.
    assert lines[6] == "Total 6 customer(s), 1 were created; 2 product(s) were ordered for 14.40 USD per month + 14.40 EUR per month, 1 skipped"


def test_a_rerun_names_every_order_of_the_customers_po_number():
    customers = [{"external_id": "OLD-3", "name": "Same", "po_number": "PSA-1",
                  "subscriptions": [{"mpn": BASIC, "quantity": 2}, {"mpn": "SH3AMCLOS", "quantity": 3}]}]
    skipped = [{"mpn": BASIC, "reason": "po_number", "order_number": "SO4000003", "order_status": "completed"},
               {"mpn": "SH3AMCLOS", "reason": "po_number", "order_number": "SO4000007", "order_status": "processing"}]
    orders = [dict(order_result(0, [order_line(BASIC, 2, "Basic")], changed=False, order_id="4000003"), skipped_products=skipped)]
    line = run(customers, ["OLD-3"], [account("3", "Same")], orders, check_mode=False)["lines"][0]
    assert line == ("OLD-3 Same (exists, unchanged, id 3); already ordered with po_number PSA-1 on order SO4000003 completed, "
                    "order SO4000007 processing")


def test_skip_reasons_are_worded_each_their_own_way():
    assert summary._skipped_text({"mpn": "A", "reason": "po_number", "order_number": "SO1", "order_status": "completed"}) == \
        "A (on order SO1 with the same po_number, completed)"
    assert summary._skipped_text({"mpn": "A", "reason": "discontinued"}) == "A (discontinued)"


def test_a_customer_without_a_name_is_named_by_its_external_id_only():
    record = run([{"external_id": "X-1"}], [], [{"changed": True}], [{"onboarding_index": 0, "skipped": True}])["customers"][0]
    assert (record["name"], record["customer_id"]) == (None, None)
    assert summary.customer_line(record) == "X-1 (would be created); no subscriptions requested"


def test_no_customer_gives_only_the_total():
    assert run([], [], [], [], check_mode=False)["lines"] == ["Total 0 customer(s), 0 were created; 0 product(s) were ordered, 0 skipped"]


@pytest.mark.parametrize("existed, changed, check_mode, state", [
    (False, True, True, "would create"), (False, True, False, "created"), (True, True, True, "would update"),
    (True, True, False, "updated"), (True, False, True, "unchanged"), (True, False, False, "unchanged"),
])
def test_account_state(existed, changed, check_mode, state):
    assert summary.account_state(existed, changed, check_mode) == state


@pytest.mark.parametrize("amount, text", [("72", "72.00"), ("62.5", "62.50"), ("0.125", "0.125"), ("-3.10", "-3.10"), ("1E+1", "10.00")])
def test_money_amounts_show_cents_unless_finer(amount, text):
    assert summary.money_amount(Decimal(amount)) == text


def test_an_unreadable_catalog_or_estimate_amount_is_no_price():
    customers = [{"external_id": "X-1", "subscriptions": [{"mpn": BASIC, "quantity": 1}]}]
    orders = [order_result(0, [order_line(BASIC, 1)], estimate=estimate("n/a"))]
    record = run(customers, [], [account()], orders, [catalog_result(BASIC, entry(BASIC, "NaN"))])["customers"][0]
    assert record["prices"] == [] and record["products"][0]["catalog_price"] is None


# ---------------------------------------------------------------------------------------------------- order problems

CUSTOMERS = [{"external_id": "NEW-1"}, {"external_id": "OLD-2"}, {"external_id": "OLD-3"}]


def failed(index, msg=None, order_id=None):
    result = {"onboarding_index": index, "failed": True, "changed": False}
    if msg is not None:
        result["msg"] = msg
    if order_id:
        result["order"] = {"id": order_id, "status": "error"}
    return result


def test_before_any_write_each_failed_plan_names_the_customer_line_and_nothing_was_changed():
    results = [failed(0, "subscriptions line 2: no product NOT-A-PRODUCT in the catalog"), {"onboarding_index": 1, "changed": False},
               {"onboarding_index": 2, "skipped": True}]
    problems = onboarding_order_problems(results, CUSTOMERS)
    assert problems == {
        "problems": ["onboarding_customers line 1 (NEW-1): subscriptions line 2: no product NOT-A-PRODUCT in the catalog"],
        "message": "onboarding_customers line 1 (NEW-1): subscriptions line 2: no product NOT-A-PRODUCT in the catalog; "
                   "no customer was created or changed"}


def test_after_the_writes_each_failed_order_says_what_exists_now():
    results = [failed(0, "domain is required"), failed(1), failed(2, "order SO000007 ended in error", order_id="4000007")]
    accounts = [account("1000009"), account("1000002"), account("1000003")]
    problems = onboarding_order_problems(results, CUSTOMERS, existing=["OLD-2", "OLD-3"], accounts=accounts)["problems"]
    assert problems == [
        "onboarding_customers line 1 (NEW-1): the customer was created by this run (id 1000009), but nothing was ordered for it: "
        "domain is required. Fix its subscriptions and run the playbook again: the customer exists now, and the run continues from there",
        "onboarding_customers line 2 (OLD-2): nothing was ordered: the order failed",
        "onboarding_customers line 3 (OLD-3): order SO000007 ended in error",
    ]


def test_a_created_customer_without_a_known_id_is_said_to_have_an_unknown_one():
    problems = summary.order_problems([failed(0, "refused")], CUSTOMERS, set(), [{"changed": True}])
    assert "(id unknown)" in problems[0]


def test_no_failed_order_means_no_message_and_accounts_need_the_existing_customers():
    assert onboarding_order_problems([], CUSTOMERS, existing=[], accounts=[]) == {"problems": [], "message": ""}
    with pytest.raises(AnsibleFilterError, match="needs existing"):
        onboarding_order_problems([failed(0)], CUSTOMERS, accounts=[account("1")])
