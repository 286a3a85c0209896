"""The license_report role's figures: rows, CSV and table rows, the HTML report's summary and page."""

import csv
import datetime
import io
import json
import os

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ingrammicro.marketplace.plugins.filter.license_report_figures import license_report_figures
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._layout import csv_text, text_table
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _report_figures as figures

TODAY = datetime.date(2026, 12, 6)
MONTH = {"type": "month", "duration": 1}
YEAR = {"type": "year", "duration": 1}
CUSTOMERS = [{"id": "1000001", "external_id": "ACME-001", "name": "Acme"},
             {"id": "1000002", "external_id": "globex-002", "name": "Globex"},
             {"id": "1000009", "name": "No external id"}]


def usd(amount):
    return {"amount": amount, "currency": "USD"}


def row(subscription_id, customer="ACME-001", mpn="MPN-A", product_id="PRD-A", seats=1, status="active", billing="month",
        renewal_date=None, auto_renew=True, customer_id=None, **extra):
    values = {"customer_external_id": customer, "customer_id": customer_id or "id-" + str(customer), "customer_name": None,
              "subscription_id": subscription_id, "status": status, "mpn": mpn, "product_id": product_id, "product": "Product " + mpn,
              "vendor": "Vendor", "seats": seats, "unit_price": None, "unit_cost": None, "price_per_billing_period": None,
              "billing_period": MONTH if billing == "month" else billing, "subscription_period": YEAR, "creation_date": "2025-01-01",
              "renewal_date": renewal_date, "expiration_date": renewal_date, "auto_renew": auto_renew}
    values.update(extra)
    return values


def catalog(*prices):
    """Catalog products PRD-A, PRD-B, ... with one recurring price each (after a setup price, which never counts)."""
    setup = {"type": "setup", "amount": "99.00", "currency": "USD"}
    return [{"id": "PRD-%s" % chr(ord("A") + index), "prices": [setup, dict(price, type="recurring")]} for index, price in enumerate(prices)]


def summary_of(rows, products=(), audits=()):
    return figures.summary(rows, list(products), list(audits), "2026-12-06T10:00:00Z", TODAY)


# ---------------------------------------------------------------------------------------------------- rows

def listing(*subscriptions):
    return {"subscriptions": list(subscriptions)}


def subscription(subscription_id, customer_id, *lines, **fields):
    return dict({"id": subscription_id, "customer_id": customer_id, "status": "active", "name": "Subscription " + subscription_id,
                 "billing_period": MONTH, "subscription_period": YEAR, "renewal_date": "2027-01-05", "renewal_status": True,
                 "products": list(lines)}, **fields)


def test_rows_keep_the_selected_customers_and_sort_by_customer_product_and_subscription_ignoring_case():
    listings = [
        listing(subscription("3000002", "1000002", {"mpn": "B", "name": "beta", "quantity": 4}),
                subscription("3000001", "1000001", {"mpn": "Z", "name": "Zeta", "quantity": "7.0"},
                             {"mpn": "A", "name": "alpha", "quantity": 2, "unit_price": usd("1.00"), "extended_price": usd("2.00")}),
                subscription("3000003", "1000404", {"mpn": "X", "name": "Not selected", "quantity": 1})),
        listing(subscription("3000005", "1000001", {"mpn": "A", "name": "Alpha", "quantity": None}),
                subscription("3000004", "1000009", {"mpn": "C", "quantity": 3}, {"mpn": "D", "name": None, "quantity": 1}),
                subscription("3000006", "1000002")),
    ]
    rows = figures.report_rows(listings, CUSTOMERS)
    assert [(r["customer_id"], r["mpn"], r["subscription_id"]) for r in rows] == [
        ("1000009", "C", "3000004"), ("1000009", "D", "3000004"),  # no external id sorts first
        ("1000001", "A", "3000001"), ("1000001", "A", "3000005"), ("1000001", "Z", "3000001"),
        ("1000002", "B", "3000002")]
    assert [r["seats"] for r in rows] == [3, 1, 2, None, 7, 4]
    # A line without a name takes the subscription's; a line whose name is null keeps it null.
    assert [rows[0]["product"], rows[1]["product"]] == ["Subscription 3000004", None]
    first = rows[2]
    assert first == {"customer_external_id": "ACME-001", "customer_id": "1000001", "customer_name": "Acme",
                     "subscription_id": "3000001", "status": "active", "mpn": "A", "product_id": None, "product": "alpha",
                     "vendor": None, "seats": 2, "unit_price": usd("1.00"), "unit_cost": None, "price_per_billing_period": usd("2.00"),
                     "billing_period": MONTH, "subscription_period": YEAR, "creation_date": None, "renewal_date": "2027-01-05",
                     "expiration_date": None, "auto_renew": True}
    assert list(first) == ["customer_external_id", "customer_id", "customer_name", "subscription_id", "status", "mpn", "product_id",
                           "product", "vendor", "seats", "unit_price", "unit_cost", "price_per_billing_period", "billing_period",
                           "subscription_period", "creation_date", "renewal_date", "expiration_date", "auto_renew"]


def test_no_subscription_no_row():
    assert figures.report_rows([], CUSTOMERS) == []
    assert figures.report_rows([listing(), {"subscriptions": None}], CUSTOMERS) == []


# ---------------------------------------------------------------------------------------------------- CSV and table

def test_csv_rows_are_a_licence_declaration_with_amounts_currency_and_periods():
    rows = [row("3000001", seats=25, unit_price=usd("12.50"), unit_cost=usd("11.25"), price_per_billing_period=usd("312.50"),
                renewal_date="2027-01-05"),
            row("3000002", seats=None, billing={"type": "month", "duration": "3"}, subscription_period={"type": "year", "duration": 3},
                price_per_billing_period={"amount": "9.00", "currency": "EUR"}, auto_renew=False),
            row("3000003", billing=None, subscription_period=None)]
    table = figures.csv_rows(rows)
    assert table["header"][8:10] == ["seats", "desired_quantity"] and table["header"][-5:] == ["used", "buffer", "round_to", "minimum", "maximum"]
    assert all(len(cells) == len(table["header"]) for cells in table["rows"])
    parsed = list(csv.DictReader(io.StringIO(csv_text(table["header"], table["rows"]))))
    assert [(p["seats"], p["unit_price"], p["unit_cost"], p["price_per_billing_period"], p["currency"]) for p in parsed] == [
        ("25", "12.50", "11.25", "312.50", "USD"), ("", "", "", "9.00", "EUR"), ("1", "", "", "", "")]
    assert [(p["billing_period"], p["subscription_period"], p["auto_renew"]) for p in parsed] == [
        ("1 month", "1 year", "true"), ("3 month", "3 year", "false"), ("", "", "true")]
    assert {p["desired_quantity"] + p["used"] + p["maximum"] for p in parsed} == {""}


def test_table_rows_and_total_line():
    rows = [row("3000001", seats=25, price_per_billing_period=usd("312.50"), renewal_date="2027-01-05"),
            row("3000001", mpn="MPN-B", seats=5, price_per_billing_period=usd("1199.40"), billing=YEAR, auto_renew=False),
            row("3000002", customer=None, customer_id="1000009", seats=None, price_per_billing_period=usd("9.00"),
                billing={"type": "month", "duration": 3}, status=None),
            row("3000003", customer="GLOBEX-002", seats=0, price_per_billing_period=usd("1.00"), billing={"type": "statement_day", "duration": 1})]
    shown = figures.table(rows, "/srv/reports/license-report-X", html=True)
    assert [cells[4] for cells in shown["rows"]] == [
        "312.50 USD / month", "1,199.40 USD / year", "9.00 USD / 3 months", "1.00 USD / statement_day"]
    assert shown["rows"][2][:4] == ["1000009", "Product MPN-A", "MPN-A", None] and shown["rows"][2][5:] == ["", "yes", ""]
    assert shown["rows"][1][6] == "no"
    lines = text_table(shown["header"], shown["rows"])
    assert lines[0].split() == ["customer", "product", "mpn", "seats", "price", "per", "period", "renews", "auto", "status"]
    assert shown["total"] == ("Total 3 subscription(s) of 3 customer(s), 30 seats; "
                              "files /srv/reports/license-report-X.json and .csv and .html")
    assert figures.table(rows, "base", html=False)["total"].endswith("files base.json and .csv")


def test_a_price_or_period_missing_leaves_the_price_cell_empty():
    assert figures.price_per_period(None, MONTH) == ""
    assert figures.price_per_period(usd("1.00"), None) == ""


def test_no_rows_is_an_empty_table_with_a_total():
    shown = figures.table([], "base", html=False)
    assert shown["rows"] == [] and shown["total"] == "Total 0 subscription(s) of 0 customer(s), 0 seats; files base.json and .csv"
    assert figures.csv_rows([])["rows"] == []


# ---------------------------------------------------------------------------------------------------- money and periods

@pytest.mark.parametrize("period, months", [
    (MONTH, 1), (YEAR, 12), ({"type": "year", "duration": 3}, 36), ({"type": "month", "duration": "6"}, 6),
    ({"type": "year"}, 12), ({"type": "month", "duration": None}, 0), ({"type": "day", "duration": 30}, 0), (None, 0), ({}, 0),
])
def test_period_months(period, months):
    assert figures.period_months(period) == months


def test_monthly_spend_is_exact_and_needs_a_price_and_a_period():
    assert figures.monthly_spend(usd("239.88"), 5, YEAR) == ("USD", figures.Decimal("99.95"))
    assert figures.monthly_spend(usd("30.00"), 4, {"type": "month", "duration": 3}) == ("USD", figures.Decimal("40"))
    assert figures.monthly_spend(usd("36.00"), 1, {"type": "year", "duration": 3}) == ("USD", figures.Decimal("1"))
    assert figures.monthly_spend(None, 5, MONTH) is None
    assert figures.monthly_spend({"currency": "USD"}, 5, MONTH) is None
    assert figures.monthly_spend({"amount": "n/a", "currency": "USD"}, 5, MONTH) is None
    assert figures.monthly_spend({"amount": "1.00"}, 5, MONTH) is None
    assert figures.monthly_spend(usd("1.00"), 5, {"type": "statement_day", "duration": 1}) is None


def test_recurring_price_skips_other_prices():
    assert figures.recurring_price({"prices": [{"type": "setup", "amount": "5"}, {"type": "recurring", "amount": "7"}]})["amount"] == "7"
    assert figures.recurring_price({"prices": None}) is None and figures.recurring_price(None) is None


# ---------------------------------------------------------------------------------------------------- summary

def test_spend_is_summed_exactly_per_currency_and_rounded_once():
    rows = [row("1", product_id="PRD-A"), row("2", product_id="PRD-A"), row("3", product_id="PRD-A"),  # 10.00 a year each
            row("4", customer="GLOBEX-002", product_id="PRD-B", mpn="MPN-B", seats=1),  # 0.10 a month
            row("5", customer="GLOBEX-002", product_id="PRD-C", mpn="MPN-C", seats=1),  # 0.20 a month
            row("6", customer="GLOBEX-002", product_id="PRD-D", mpn="MPN-D", seats=3, billing=YEAR)]  # 120.00 EUR a year
    products = catalog(usd("10.00"), usd("0.10"), usd("0.20"), {"amount": "120.00", "currency": "EUR"})
    rows[:3] = [dict(item, billing_period=YEAR) for item in rows[:3]]
    result = summary_of(rows, products)
    by_customer = {entry["customer"]: entry for entry in result["customers"]}
    # Three twelfths of 10.00 are 2.50 exactly (each 0.8333... rounded first would make 2.49); 0.10 + 0.20 is 0.30.
    assert by_customer["ACME-001"]["monthly"] == {"USD": "2.50"}
    assert by_customer["GLOBEX-002"]["monthly"] == {"USD": "0.30", "EUR": "30.00"}
    assert result["monthly_total"] == {"USD": "2.80", "EUR": "30.00"}
    assert [(entry["mpn"], entry["monthly"], entry["seats"], entry["subscriptions"]) for entry in result["products"]] == [
        ("MPN-A", {"USD": "2.50"}, 3, 3), ("MPN-B", {"USD": "0.10"}, 1, 1), ("MPN-C", {"USD": "0.20"}, 1, 1),
        ("MPN-D", {"EUR": "30.00"}, 3, 1)]
    assert result["unpriced"] == []


def test_only_active_subscriptions_count_and_one_without_a_catalog_price_is_unpriced():
    rows = [row("1", seats=10, product_id="PRD-A"), row("2", seats=5, product_id="PRD-GONE"),
            row("3", seats=7, product_id="PRD-A", status="hold"), row("4", customer="beta", seats=None, product_id="PRD-A")]
    result = summary_of(rows, catalog(usd("2.00")))
    assert [(entry["customer"], entry["seats"], entry["monthly"]) for entry in result["customers"]] == [
        ("ACME-001", 15, {"USD": "20.00"}), ("beta", 0, {"USD": "0.00"})]
    assert result["products"][0]["subscriptions"] == 3 and result["products"][0]["seats"] == 15
    assert result["unpriced"] == ["2"]
    assert result["monthly_total"] == {"USD": "20.00"}


def test_renewals_fall_in_windows_from_today():
    dates = {"past": -1, "today": 0, "d30": 30, "d31": 31, "d60": 60, "d61": 61, "d90": 90, "d91": 91}
    rows = [row(name, renewal_date=(TODAY + datetime.timedelta(days=days)).isoformat()) for name, days in dates.items()]
    rows.append(row("undated"))
    rows.append(row("odd", renewal_date="5 January"))
    renewals = summary_of(rows)["renewals"]
    assert {window: [(item["subscription_id"], item["days"]) for item in items] for window, items in renewals.items()} == {
        "30": [("today", 0), ("d30", 30)], "60": [("d31", 31), ("d60", 60)], "90": [("d61", 61), ("d90", 90)]}
    assert set(renewals["30"][0]) == {"customer", "product", "mpn", "subscription_id", "seats", "renewal_date", "days", "auto_renew"}


def test_auto_renew_off_lists_only_false_sorted_by_customer():
    rows = [row("1", customer="zeta", auto_renew=False), row("2", customer="Alpha", auto_renew=None),
            row("3", customer="beta", auto_renew=False, renewal_date="2027-02-01")]
    off = summary_of(rows)["auto_renew_off"]
    assert [(item["customer"], item["subscription_id"]) for item in off] == [("beta", "3"), ("zeta", "1")]
    assert off[0] == {"customer": "beta", "product": "Product MPN-A", "mpn": "MPN-A", "subscription_id": "3", "seats": 1,
                      "renewal_date": "2027-02-01", "status": "active"}


def decision(subscription_id, action, desired, deferred_until=None, current=25):
    return {"subscription_id": subscription_id, "action": action, "current": current, "desired": desired,
            "deferred_until": deferred_until, "customer": "ACME-001", "mpn": "MPN-A"}


def audit(name, *lines, at=None):
    """An audit file as the license_adjustment role writes it: ``(file name, content)``."""
    return name, {"generated_at": at or name[-21:-5], "plan": list(lines)}


DEFERRED = audit("result-20261201T100000Z.json", decision("3000001", "deferred", 20, "2027-01-05"),
                 decision("3000002", "increase", 8, current=5))
LIVE = [row("3000001", seats=25, product="M365"), row("3000002", seats=8)]


def test_a_deferred_decrease_is_pending_until_its_seats_come_down():
    pending = summary_of(LIVE, audits=[DEFERRED])["deferred"]
    assert pending == [{"customer": "ACME-001", "product": "M365", "mpn": "MPN-A", "subscription_id": "3000001", "current": 25,
                        "desired": 20, "deferred_until": "2027-01-05", "source": "result-20261201T100000Z.json"}]
    assert summary_of([row("3000001", seats=20), row("3000002", seats=8)], audits=[DEFERRED])["deferred"] == []  # made


@pytest.mark.parametrize("later", [
    audit("plan-20261202T100000Z.json", decision("3000002", "none", 8, current=8)),           # a check-mode plan of another line
    audit("plan-20261203T100000Z.json", decision("3000001", "deferred", 20, "2027-01-05")),   # a check-mode plan of it again
    audit("result-20261204T100000Z.json", decision("3000001", "blocked", 10)),                # refused: blocked, no decision
    audit("result-20261205T100000Z.json"),                                                    # stopped before it could plan
])
def test_a_later_run_that_decides_nothing_else_about_it_leaves_it_pending(later):
    pending = summary_of(LIVE, audits=[DEFERRED, later])["deferred"]
    assert [(item["subscription_id"], item["desired"]) for item in pending] == [("3000001", 20)]


def test_a_later_decision_replaces_it_whatever_the_order_of_the_files():
    undone = audit("result-20261206T100000Z.json", decision("3000001", "none", 25))            # the declaration now keeps 25
    assert summary_of(LIVE, audits=[undone, DEFERRED])["deferred"] == summary_of(LIVE, audits=[DEFERRED, undone])["deferred"] == []
    planned = audit("plan-20261206T100000Z.json", decision("3000001", "decrease", 18))        # due now, planned, not made
    shown = figures.page(summary_of(LIVE, audits=[DEFERRED, planned]))
    assert [(item["desired"], item["deferred_until"]) for item in shown["deferred"]] == [("18", "now")]
    assert shown["deferred_note"] == ("From the records of 2 licence adjustment run(s): each subscription's newest decision, against its "
                                      "seats now.")


def test_audit_files_are_read_and_a_broken_one_names_the_variable(tmp_path):
    newer, older = tmp_path / "plan-20261203T100000Z.json", tmp_path / "result-20261201T100000Z.json"
    newer.write_text(json.dumps({"generated_at": "2026-12-03T10:00:00Z", "plan": []}), encoding="utf-8")
    older.write_text(json.dumps({"generated_at": "2026-12-01T10:00:00Z", "plan": []}), encoding="utf-8")
    found = [{"path": str(newer)}, {"path": str(older)}]
    assert sorted(name for name, _content in figures.read_audits(found)) == [newer.name, older.name]
    assert figures.read_audits([]) == []
    newer.write_text("{not json", encoding="utf-8")
    with pytest.raises(IMConfigError, match="license_report_adjustment_dir: the audit file .*plan-20261203T100000Z.json cannot be read"):
        figures.read_audits(found)


def test_no_rows_make_an_empty_summary():
    result = summary_of([])
    assert result == {"generated_at": "2026-12-06T10:00:00Z", "today": "2026-12-06", "customers": [], "products": [],
                      "monthly_total": {}, "unpriced": [], "renewals": {"30": [], "60": [], "90": []}, "auto_renew_off": [],
                      "deferred": [], "audit_files": 0}
    shown = figures.page(result)
    assert (shown["total_spend"], shown["total_seats"], shown["customer_count"], shown["renewal_count"]) == ("no catalog price", 0, 0, 0)
    assert shown["unpriced_note"] == "" and shown["deferred_note"] == figures.NO_AUDIT_NOTE
    assert [window["renewals"] for window in shown["renewal_windows"]] == [[], [], []]


# ---------------------------------------------------------------------------------------------------- the HTML page

def test_page_prints_money_per_currency_bars_and_renewals_in_date_order():
    rows = [row("1", seats=10, product_id="PRD-A", renewal_date="2026-12-20"),
            row("2", customer="GLOBEX-002", mpn="MPN-B", product_id="PRD-B", seats=4, renewal_date="2026-12-10", auto_renew=False,
                product=None),
            row("3", customer="GLOBEX-002", product_id="PRD-C", mpn="MPN-C", seats=None),
            row("4", customer="GLOBEX-002", product_id="PRD-D", mpn="MPN-D", seats=2)]
    result = summary_of(rows, catalog(usd("12.50"), {"amount": "100.00", "currency": "EUR"}, usd("1.00")))
    shown = figures.page(result)
    assert [(entry["customer"], entry["spend"], entry["spend_bar"]) for entry in shown["customers"]] == [
        ("ACME-001", "125.00 USD per month", "31.3"), ("GLOBEX-002", "400.00 EUR + 0.00 USD per month", "100.0")]
    assert json.loads(shown["customers"][1]["monthly_json"]) == {"EUR": 400.0, "USD": 0.0}
    assert shown["customers"][1]["monthly_json"] == '{"EUR": 400.00, "USD": 0.00}'
    assert shown["total_spend"] == "400.00 EUR + 125.00 USD per month"
    assert [(entry["mpn"], entry["product"], entry["seats_bar"], entry["spend"]) for entry in shown["products"]] == [
        ("MPN-A", "Product MPN-A", "100.0", "125.00 USD per month"), ("MPN-B", "", "40.0", "400.00 EUR per month"),
        ("MPN-C", "Product MPN-C", "0.0", "0.00 USD per month"), ("MPN-D", "Product MPN-D", "20.0", "no catalog price")]
    assert shown["unpriced_note"] == "1 active subscription(s) have no catalog price and are not in the spend: 4."
    window = shown["renewal_windows"][0]
    assert (window["window"], window["first"]) == ("30", 0)
    assert [(item["subscription_id"], item["product"], item["auto_renew"], item["seats"]) for item in window["renewals"]] == [
        ("2", "MPN-B", "no", "4"), ("1", "Product MPN-A", "yes", "10")]
    assert [item["product"] for item in shown["auto_renew_off"]] == ["MPN-B"]
    assert (shown["total_seats"], shown["customer_count"], shown["renewal_count"]) == (16, 2, 2)


@pytest.mark.parametrize("amount, shown", [("2653.32", "2,653.32"), ("1199.40", "1,199.40"), ("999.99", "999.99"), ("0.00", "0.00"),
                                           ("1234567.5", "1,234,567.5"), ("-12500.00", "-12,500.00"), ("+1262.50", "+1,262.50"),
                                           ("12", "12"), ("n/a", "n/a"), ("NaN", "NaN"), (None, "None")])
def test_amounts_have_thousands_separators_and_keep_their_decimals(amount, shown):
    assert figures.amount_text(amount) == shown


def test_times_and_days_in_words():
    assert figures.moment_text("2026-12-07T18:55:09Z") == "7 December 2026, 18:55 UTC"
    assert figures.moment_text("2027-01-01T00:05:00Z") == "1 January 2027, 00:05 UTC"
    assert figures.moment_text("now") == "now" and figures.moment_text(None) == ""
    assert figures.day_text("2026-12-12") == "12 December 2026" and figures.day_text(figures.datetime.date(2027, 2, 3)) == "3 February 2027"
    assert figures.day_text("now") == "now" and figures.day_text(None) == ""


def test_the_page_says_when_in_words_and_shows_big_amounts_with_separators():
    rows = [row("1", seats=300, product_id="PRD-A")]
    shown = figures.page(summary_of(rows, catalog(usd("12.50"))))
    assert shown["generated"] == "6 December 2026, 10:00 UTC" and shown["today_text"] == "6 December 2026"
    assert shown["total_spend"] == "3,750.00 USD per month" and shown["customers"][0]["spend"] == "3,750.00 USD per month"
    assert shown["customers"][0]["monthly_json"] == '{"USD": 3750.00}'  # the data stays a number


@pytest.mark.parametrize("value, top, width", [(0, 0, "0.0"), (5, 0, "0.0"), (389.97, 1260, "31.0"), (1, 3, "33.3"), (7, 7, "100.0")])
def test_bar_width(value, top, width):
    assert figures.bar_width(figures.Decimal(str(value)), top) == width


# ---------------------------------------------------------------------------------------------------- the filter

def test_filter_works_out_each_kind_and_refuses_an_unknown_one(tmp_path):
    listings = [listing(subscription("3000001", "1000001", {"mpn": "A", "name": "alpha", "quantity": 2, "id": "PRD-A"}))]
    rows = license_report_figures(listings, "rows", customers=CUSTOMERS)
    assert [item["seats"] for item in rows] == [2]
    assert license_report_figures(rows, "csv")["rows"][0][:2] == ["ACME-001", "1000001"]
    assert license_report_figures(rows, "table", files="base")["total"].endswith("files base.json and .csv")
    audit = tmp_path / "result-1.json"
    audit.write_text(json.dumps({"plan": []}), encoding="utf-8")
    found = [{"path": str(audit), "mtime": os.path.getmtime(str(audit))}]
    result = license_report_figures(rows, "summary", catalog=catalog(usd("3.00")), audit_files=found, generated_at="now")
    assert result["monthly_total"] == {"USD": "6.00"} and result["audit_files"] == 1
    assert license_report_figures(result, "page")["total_spend"] == "6.00 USD per month"
    audit.write_text("[", encoding="utf-8")
    with pytest.raises(AnsibleFilterError, match="cannot be read as JSON"):
        license_report_figures(rows, "summary", audit_files=found)
    with pytest.raises(AnsibleFilterError, match="unknown kind 'html'"):
        license_report_figures(rows, "html")
