"""The filters the roles and playbooks call for their mails: event_text (an event in words) and mail_html (the HTML
body of each mail), as Ansible loads them."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ingrammicro.marketplace.plugins.filter.event_text import FilterModule as EventTextFilters
from ansible_collections.ingrammicro.marketplace.plugins.filter.mail_html import FilterModule as MailHtmlFilters
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.events import _events

event_text = EventTextFilters().filters()["event_text"]
mail_html = MailHtmlFilters().filters()["mail_html"]
FAILED = {"type": "order_status_changed", "customer_id": "1000005", "customer_external_id": "HOOLI-005", "subscription_id": "3000012",
          "order_id": "4000123", "order_number": "SO000123", "order_type": "sales",
          "products": [{"name": "Microsoft 365 Business Basic", "mpn": "CFQ7TTC0LH18:0001:P1M", "quantity": 7}],
          "before": {"status": "processing"}, "after": {"status": "error", "status_code": "ER", "message": "Insufficient funds"},
          "observed_at": "2026-12-07T18:55:04Z"}


def test_event_text_says_what_happened_or_gives_the_line():
    assert event_text(FAILED) == ('Sales order SO000123 of customer HOOLI-005 ended in error: Microsoft 365 Business Basic, 7 seats - '
                                  '"Insufficient funds"')
    assert event_text(FAILED, form="line") == _events.describe(FAILED)
    assert event_text(FAILED, form="line").startswith("order_status_changed: customer HOOLI-005, subscription 3000012, order SO000123: ")
    with pytest.raises(AnsibleFilterError, match="unknown form 'words' \\(sentence or line\\)"):
        event_text(FAILED, form="words")
    with pytest.raises(AnsibleFilterError, match="the input must be an event \\(a dictionary\\), not str"):
        event_text("order failed")


def test_mail_html_builds_each_mail_and_names_what_it_needs():
    assert "ended in error" in mail_html(FAILED, "event")
    drift = mail_html({"plan": [], "summary": {"lines": 0}}, "drift", headline="No drift: every declared line has its seats.")
    assert "No drift: every declared line has its seats." in drift and "No declared line." in drift
    plan = mail_html({"plan": [], "summary": {"lines": 0, "outcome": "planned"}}, "license_adjustment", check_mode=True,
                     generated_at="2026-12-07T18:55:04Z", host="ACME-001", attachments=["plan-1.csv"])
    assert "Licence plan (check mode)" in plan and "for ACME-001" in plan and "plan-1.csv" in plan
    summary = {"generated_at": "2026-12-07T18:55:04Z", "today": "2026-12-07", "customers": [], "products": [], "monthly_total": {},
               "unpriced": [], "renewals": {"30": [], "60": [], "90": []}, "auto_renew_off": [], "deferred": [], "audit_files": 0}
    assert "7 December 2026, 18:55 UTC" in mail_html(summary, "license_report", files="license-report-1")
    with pytest.raises(AnsibleFilterError, match="unknown kind 'report' \\(license_report, license_adjustment, drift, event\\)"):
        mail_html(summary, "report")
    with pytest.raises(AnsibleFilterError, match="mail_html\\('event'\\): the input must be a dictionary, not list"):
        mail_html([FAILED], "event")
