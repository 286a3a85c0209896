"""The HTML bodies of the mails: made for mail clients (tables, inline styles from one table, px units, at most
600 px wide, bars as table cells), every text escaped, amounts with thousands separators and times in words."""

import html
import re

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _report_figures as figures
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _mail_html as mail

NOT_FOR_MAIL = re.compile(r"<style|<svg|var\(--|flex|\drem\b|@media|border-radius|<(section|main|article|header|footer|nav)\b", re.I)
MONTH = {"type": "month", "duration": 1}
YEAR = {"type": "year", "duration": 1}


def seen(body):
    """The text a reader sees, on one line: tags and comments removed, entities read, runs of spaces as one (no-break
    spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<!--.*?-->|<[^>]+>", " ", body, flags=re.S))).strip()


def is_mail_html(body):
    assert body.startswith("<!DOCTYPE html>") and NOT_FOR_MAIL.search(body) is None, NOT_FOR_MAIL.search(body)
    assert "max-width:600px" in body and '<!--[if mso]><table role="presentation" width="600"' in body
    outside_outlook = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    unstyled = re.findall(r"<(?:body|table|td|th|p|h1|h2|span)\b(?![^>]*\sstyle=)[^>]*>", outside_outlook)
    assert unstyled == [], "elements without an inline style: %s" % unstyled
    assert all(int(width) <= 600 for width in re.findall(r'width="(\d+)"', body))
    return body


def test_every_style_is_plain_px_css_that_mail_clients_read():
    for name, style in mail.STYLES.items():
        assert NOT_FOR_MAIL.search(style) is None, name
        assert style.endswith(";") and "{" not in style, name
        assert not re.search(r"\d(r?em|vw|vh)\b", style), name
        assert all(unit in ("px", "%", "pt") for unit in re.findall(r"\d(px|%|[a-z]+)", re.sub(r"#[0-9a-f]{3,6}", "", style))), name


def test_elements_escape_their_text_and_attributes():
    assert mail.esc('<b>"Tom & Jerry\'s"</b>') == "&lt;b&gt;&quot;Tom &amp; Jerry&#x27;s&quot;&lt;/b&gt;" and mail.esc(None) == ""
    cell = mail.element("td", "td", "x", title='a"b', colspan=None)
    assert cell == '<td style="%s" title="a&quot;b">x</td>' % mail.STYLES["td"]


@pytest.mark.parametrize("percent, cells", [("0.0", ["off"]), ("31.3", ["31.3%", "off"]), ("100.0", ["100%"]), ("250", ["100%"]),
                                            (None, ["off"]), ("12.0", ["12%", "off"])])
def test_a_bar_is_two_table_cells(percent, cells):
    drawn = mail.bar_table(percent)
    found = ["off" if 'bgcolor="%s"' % mail.SOFT in cell else re.search(r'width="([\d.]+%)"', cell).group(1)
             for cell in re.findall(r"<td [^>]*>", drawn)]
    assert found == cells and "&nbsp;" in drawn and "<svg" not in drawn


@pytest.mark.parametrize("price, shown", [
    ({"amount": "1262.50", "currency": "USD", "per": "month"}, "+1,262.50 USD/month"),
    ({"amount": "-62.5", "currency": "EUR"}, "-62.5 EUR"),
    ({"amount": "+12.00", "currency": "USD", "per": "year"}, "+12.00 USD/year"),
    ({"amount": "0.00", "currency": "USD"}, "0.00 USD"),
    ({"amount": None}, ""), (None, ""), ("12", ""),
])
def test_a_price_change_has_its_sign_and_thousands_separators(price, shown):
    assert mail.change_text(price) == shown


def row(subscription_id, customer, mpn, seats, product_id, renewal_date=None, auto_renew=True, status="active", name=None):
    return {"customer_external_id": customer, "customer_id": "id-" + customer, "customer_name": name, "subscription_id": subscription_id,
            "status": status, "mpn": mpn, "product_id": product_id, "product": "Product " + mpn, "seats": seats, "billing_period": MONTH,
            "renewal_date": renewal_date, "auto_renew": auto_renew}


def report_summary():
    rows = [row("1", "ACME-001", "MPN-A", 300, "PRD-A", "2026-12-12", name="Acme <Tools> & Co"),
            row("2", "GLOBEX-002", "MPN-B", 4, "PRD-B", "2026-12-30", auto_renew=False),
            row("3", "GLOBEX-002", "MPN-C", 2, "PRD-X")]
    catalog = [{"id": "PRD-A", "prices": [{"type": "recurring", "amount": "12.50", "currency": "USD"}]},
               {"id": "PRD-B", "prices": [{"type": "recurring", "amount": "1200.00", "currency": "USD"}]}]
    audits = [("result-20261201T100000Z.json", {"generated_at": "2026-12-01T10:00:00Z", "plan": [
        {"subscription_id": "1", "action": "deferred", "desired": 250, "deferred_until": "2027-01-05"}]})]
    return figures.summary(rows, catalog, audits, "2026-12-07T18:55:09Z", figures.datetime.date(2026, 12, 7))


def test_the_licence_report_mail_holds_every_section_in_words_and_figures():
    body = is_mail_html(mail.license_report(report_summary(), files="license-report-20261207T185509Z"))
    shown = seen(body)
    assert "<title>Licence report, 7 December 2026, 18:55 UTC</title>" in body
    assert "Made 7 December 2026, 18:55 UTC." in shown
    assert "8,550.00 USD per month monthly spend at catalog prices" in shown  # 300 x 12.50 + 4 x 1200.00
    assert "306 seats in active subscriptions" in shown and "2 customers" in shown and "2 renewals in the next 90 days" in shown
    assert "1 active subscription(s) have no catalog price and are not in the spend: 3." in shown
    assert "ACME-001 Acme <Tools> & Co 300 3,750.00 USD per month" in shown and "Acme &lt;Tools&gt; &amp; Co" in body
    assert "12 December 2026 in 5 days Product MPN-A ACME-001 300" in shown
    assert "30 December 2026 in 23 days Product MPN-B GLOBEX-002, auto-renew off 4" in shown
    assert "Subscriptions with auto-renew off subscription seats ends Product MPN-B GLOBEX-002 4 30 December 2026 active" in shown
    assert "From the records of 1 licence adjustment run(s)" in shown and "Product MPN-A ACME-001 300 250 5 January 2027" in shown
    assert "license-report-20261207T185509Z.html - the whole report, to open in a browser" in shown
    assert "license-report-20261207T185509Z.csv - its data, for a spreadsheet program" in shown
    # Bars with a filled part: both customers' spend, the three products' seats, and the spend of the two priced products.
    assert body.count('bgcolor="%s"' % mail.ACCENT) == 7


def test_an_empty_licence_report_says_so():
    empty = figures.summary([], [], [], "2026-12-07T18:55:09Z", figures.datetime.date(2026, 12, 7))
    shown = seen(is_mail_html(mail.license_report(empty)))
    for said in ("no catalog price monthly spend", "No customer.", "No product.", "No renewal in the next 90 days.",
                 "Every subscription renews automatically.", "No pending decrease.", figures.NO_AUDIT_NOTE):
        assert said in shown
    assert "Attached" not in shown


PLAN = [
    {"index": 1, "customer": "ACME-001", "product": "Microsoft 365 Business Standard", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "current": 25,
     "desired": 126, "action": "increase", "price_change": {"amount": "1262.50", "currency": "USD", "per": "month"},
     "source": "licenses.csv row 2", "derivation": "used 114 + 10% = 125.4 -> 126"},
    {"index": 2, "customer": "GLOBEX-002", "product": None, "mpn": "SH3AMCLOS", "current": 40, "desired": 30, "action": "deferred",
     "deferred_until": "2027-01-05", "reason": "decreases are accepted only within 7 days"},
    {"index": 3, "customer": "HOOLI-005", "product": "Basic", "mpn": "B-1", "current": None, "desired": 5, "action": "create"},
]


def test_a_plan_in_check_mode():
    result = {"plan": PLAN, "summary": {"lines": 3, "increase": 1, "deferred": 1, "create": 1, "outcome": "planned",
                                        "price_change": [{"amount": "1262.50", "currency": "USD", "per": "month"}]}}
    body = is_mail_html(mail.license_adjustment(result, check_mode=True, generated_at="2026-12-07T18:55:09Z", host="localhost",
                                                attachments=["plan-20261207T185509Z.csv"]))
    shown = seen(body)
    assert shown.startswith("Licence plan (check mode) Licence plan (check mode) Made 7 December 2026, 18:55 UTC. "
                            "Planned in check mode: nothing was ordered.")
    assert "+1,262.50 USD/month estimated price change 3 licence lines: 1 increase, 1 create, 1 deferred" in shown
    assert ("Microsoft 365 Business Standard ACME-001, CFQ7TTC0LDPB:0001:P1Y 25\xa0\u2192\xa0126 increase +1,262.50 USD/month "
            "from licenses.csv row 2; used 114 + 10% = 125.4 -> 126") in shown
    assert ("SH3AMCLOS GLOBEX-002, SH3AMCLOS 40\xa0\u2192\xa030 deferred deferred until 5 January 2027; decreases are accepted only "
            "within 7 days") in shown
    assert "Basic HOOLI-005, B-1 new\xa0\u2192\xa05 create" in shown
    assert "Attached: plan-20261207T185509Z.csv" in shown and "orders placed" not in shown


def test_a_result_names_its_orders_and_a_refused_plan_its_reason():
    applied = [dict(PLAN[0], result="completed", order={"order_number": "SO000016", "status": "completed"}),
               dict(PLAN[2], result="failed", order={"id": "4000017", "status": "error"}, message="the order ended in error")]
    result = {"plan": applied, "summary": {"lines": 2, "increase": 1, "create": 1, "outcome": "partial"},
              "msg": "line 2 failed: the order ended in error", "quantity_reading": {"verdict": "holds", "change_quantity": "total",
                                                                                     "evidence": "the estimate agrees"}}
    body = is_mail_html(mail.license_adjustment(result, generated_at="2026-12-07T18:55:09Z", host="ACME-001"))
    shown = seen(body)
    assert "Made 7 December 2026, 18:55 UTC for ACME-001. Partial: some lines failed and others were ordered." in shown
    assert "line 2 failed: the order ended in error" in shown and 'bgcolor="%s"' % mail.ALERT_SOFT in body
    assert "results: 1 completed, 1 failed" in shown and "1 orders placed: SO000016" in shown
    assert "increase completed order SO000016" not in shown and "completed order SO000016" in shown
    assert "failed order 4000017 error the order ended in error" in shown
    assert "Change quantities sent as total: the price estimate check holds (the estimate agrees)" in shown
    refused = {"plan": [dict(PLAN[0], action="blocked", price_change=None, reason="an increase of 101 seats exceeds max 10")],
               "summary": {"lines": 1, "blocked": 1, "outcome": "refused"}, "msg": "1 of 1 lines are blocked, so nothing was ordered"}
    shown = seen(is_mail_html(mail.license_adjustment(refused, generated_at="x")))
    assert "Refused: nothing was ordered. 1 of 1 lines are blocked, so nothing was ordered none estimated price change" in shown
    assert "blocked from licenses.csv row 2" in shown and "orders placed" not in shown  # a refused plan placed none


def test_a_drift_and_an_event():
    body = is_mail_html(mail.drift({"plan": PLAN[:1], "summary": {"lines": 1, "increase": 1}}, "Drift: 1 of 1 declared lines differ."))
    shown = seen(body)
    assert "Licence drift Licence drift Drift: 1 of 1 declared lines differ. Nothing was ordered" in shown and "25\xa0\u2192\xa0126" in shown
    event = {"type": "order_status_changed", "customer_id": "1", "customer_external_id": "HOOLI-005", "order_id": "4000123",
             "order_number": "SO000123", "order_type": "sales", "subscription_id": None, "products": [{"name": "Basic <M365>", "quantity": 7}],
             "before": None, "after": {"status": "error", "message": "Insufficient funds"}, "observed_at": "2026-12-07T18:55:04Z"}
    body = is_mail_html(mail.event(event))
    shown = seen(body)
    assert shown.startswith('Marketplace: order_status_changed Sales order SO000123 of customer HOOLI-005 ended in error: Basic <M365>, '
                            '7 seats - "Insufficient funds" Event order_status_changed Customer HOOLI-005 (id 1)')
    assert "Basic &lt;M365&gt;" in body and "Observed 7 December 2026, 18:55 UTC" in shown
