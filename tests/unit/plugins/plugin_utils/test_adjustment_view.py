"""The license_adjustment role's table and audit CSV, laid out from an im_licenses result."""

import csv
import io

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._layout import text_table
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._audit import CSV_HEADER
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils._adjustment_view import money, view

PLAN = [
    {"index": 1, "customer": "ACME-001", "product": "Microsoft 365 E3", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "current": 25, "desired": 30,
     "delta": 5, "action": "increase", "price_change": {"amount": "180.00", "currency": "USD", "per": "year"}, "source": "line 1"},
    {"index": 2, "customer": "ACME-001", "product": "Exchange", "mpn": "CFQ7TTC0LH16:0001:P1Y", "current": 10, "desired": 8, "delta": -2,
     "action": "deferred", "deferred_until": "2027-03-01", "reason": "decrease window closed", "source": "licenses.csv row 3",
     "price_change": {"amount": "-24.00", "currency": "USD", "per": "year"}},
    {"index": 3, "customer": None, "customer_name": "Globex", "product": None, "mpn": "SH3AMCLOS", "current": None, "desired": 4,
     "action": "create", "derivation": "used 3 + 1 buffer", "price_change": None},
]
SUMMARY = {"lines": 3, "increase": 1, "deferred": 1, "create": 1, "outcome": "planned",
           "price_change": [{"amount": "156.00", "currency": "USD", "per": "year"}, {"amount": "9.50", "currency": "EUR"}]}


def test_money_signs_increases_only():
    assert money({"amount": "12.50", "currency": "USD", "per": "month"}) == "+12.50 USD/month"
    assert money({"amount": "-3", "currency": "EUR"}) == "-3 EUR"
    assert money({"amount": "+1", "currency": "EUR"}) == "+1 EUR"
    assert money({"amount": "0.00", "currency": "EUR"}) == "0.00 EUR"
    assert money(None) == "" and money({"currency": "EUR"}) == ""


def test_check_mode_table_shows_prices_notes_and_the_total():
    lines = view({"plan": PLAN, "summary": SUMMARY, "msg": "planned"}, check_mode=True)["table"]
    assert lines[0].split() == ["line", "customer", "product", "mpn", "seats", "action", "price", "change", "note"]
    assert "25 -> 30" in lines[1] and "+180.00 USD/year" in lines[1] and lines[1].endswith("increase  +180.00 USD/year")
    assert lines[2].endswith("deferred until 2027-03-01; from licenses.csv row 3; decrease window closed")
    assert "Globex" in lines[3] and "new -> 4" in lines[3] and lines[3].endswith("used 3 + 1 buffer")
    assert lines[4] == ("Total 3 line(s) - 1 increase, 1 create, 1 deferred; estimated price change +156.00 USD/year and +9.50 EUR; "
                        "check mode, nothing was ordered")
    assert len({len(line) for line in lines[:1]}) == 1 and all(line == line.rstrip() for line in lines)


def test_real_run_table_shows_results_orders_and_outcome():
    plan = [dict(PLAN[0], result="completed", order={"id": "O1", "order_number": "SO-1", "status": "completed"}),
            dict(PLAN[2], result="failed", message="refused by the vendor", order={"id": "O2", "order_number": "SO-2", "status": "error"})]
    lines = view({"plan": plan, "summary": dict(SUMMARY, lines=2, outcome="partial", price_change=None)}, check_mode=False)["table"]
    assert "result" in lines[0] and "order" in lines[0] and "price change" not in lines[0]
    assert "completed  SO-1" in lines[1] and "SO-2 error" in lines[2]
    assert lines[3].endswith("; results 1 completed, 1 failed; orders SO-1, SO-2; outcome PARTIAL")


def test_refused_plan_says_nothing_was_ordered_and_why_follows():
    lines = view({"plan": PLAN[:1], "summary": {"lines": 1, "increase": 1, "outcome": "refused"}}, check_mode=False)["table"]
    assert "price change" in lines[0]
    assert lines[-1] == "Total 1 line(s) - 1 increase; REFUSED, nothing was ordered (reason below)"


def test_reading_line_names_the_canary():
    reading = {"verdict": "agrees", "change_quantity": "delta", "evidence": "estimate of line 1", "canary": 2}
    checked = view({"plan": PLAN, "summary": SUMMARY, "quantity_reading": reading}, check_mode=True)["table"]
    assert checked[-2].startswith("Total")
    assert checked[-1] == ("Change quantities sent as delta: the price estimate check agrees (estimate of line 1); a real run orders "
                           "line 2 first as a canary, and places the others only once its seats are right")
    ran = view({"plan": PLAN, "summary": dict(SUMMARY, outcome="applied"), "quantity_reading": dict(reading, confirmed=True)}, False)["table"]
    assert ran[-1].endswith("; line 2 was ordered first as a canary, which confirmed it")
    assert view({"plan": PLAN, "summary": SUMMARY, "quantity_reading": {"verdict": None}}, True)["table"][-1].startswith("Total")


def test_a_run_that_never_planned_has_no_table_and_says_so():
    seen = view({"msg": "could not log in", "failed": True}, check_mode=False)
    assert seen == {"msg": "could not log in", "plan": [], "planned": False, "table": [], "csv": '"' + '","'.join(CSV_HEADER) + '"\n'}


def test_audit_csv_has_one_row_per_line_with_every_field():
    rows = list(csv.reader(io.StringIO(view({"plan": PLAN, "summary": SUMMARY}, True)["csv"])))
    assert rows[0] == list(CSV_HEADER) and len(rows) == 4
    first = dict(zip(rows[0], rows[1]))
    assert (first["current"], first["desired"], first["price_change_amount"], first["price_change_per"], first["order_id"]) == (
        "25", "30", "180.00", "year", "")
    assert dict(zip(rows[0], rows[3]))["customer_name"] == "Globex"


def test_text_table_columns_are_as_wide_as_their_longest_cell():
    assert text_table(["a", "bb"], [["long", None], [True, 3]]) == ["a     bb", "long", "true  3"]
