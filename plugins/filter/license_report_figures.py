# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: license_report_figures
short_description: The figures of the license_report role - its rows, CSV and table rows, and the HTML report's summary
version_added: 1.1.0
description:
  - Used by the C(ingrammicro.marketplace.license_report) role, whose templates only lay out what this filter works
    out. Money is added up exactly (as decimals, from the API's amount strings) and shown rounded to the cent.
  - C(rows) - one row per product line of every subscription found, for the selected customers, sorted by customer
    and product (the C(license_report_rows) fact).
  - C(csv) - the CSV's header and rows, for P(ingrammicro.marketplace.csv_text#filter); the CSV is also a licence
    declaration for the C(license_adjustment) role, so its C(desired_quantity) and usage columns are empty.
  - C(table) - the header, rows and total line of the table the role shows, for
    P(ingrammicro.marketplace.text_table#filter).
  - C(summary) - the HTML report's figures (the C(license_report_summary) fact) - monthly spend at catalog prices per
    customer, per product and in total, per currency (a price per year counts one twelfth); seats of active
    subscriptions; renewals in the next 30, 60 and 90 days (UTC); subscriptions with auto-renew off; and the
    decreases still to be made - for each subscription, the newest decision over every licence-adjustment audit file,
    when it is a decrease (deferred to the renewal, or planned and not made yet) and the subscription still holds more
    seats than it desired.
  - C(page) - a summary as the HTML page prints it - money as text, bar widths, renewals in date order and the notes.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
options:
  _input:
    description:
      - C(rows) - the results of the role's M(ingrammicro.marketplace.im_subscription_info) loop (C(details=true)).
      - C(csv), C(table) and C(summary) - the report rows (C(kind=rows)).
      - C(page) - the summary (C(kind=summary)).
    type: raw
    required: true
  kind:
    description: Which figures to work out.
    type: str
    required: true
    choices: [rows, csv, table, summary, page]
  customers:
    description: C(rows) - the customers to report on (as M(ingrammicro.marketplace.im_customer_info) returns them).
    type: list
    elements: dict
  files:
    description: C(table) - the path of the report files without their extension, named in the total line.
    type: str
  html:
    description: C(table) - whether an HTML file was written too, named in the total line.
    type: bool
    default: false
  catalog:
    description: C(summary) - the catalog's products (as M(ingrammicro.marketplace.im_product_info) returns them), for prices.
    type: list
    elements: dict
  audit_files:
    description:
      - C(summary) - licence-adjustment audit files (the C(files) of C(ansible.builtin.find)); the decreases they leave
        pending are listed, whichever run came last.
    type: list
    elements: dict
  generated_at:
    description: C(summary) - when the report was made, shown on the page.
    type: str
"""

EXAMPLES = r"""
- name: Build the report rows
  ansible.builtin.set_fact:
    report_rows: "{{ subscription_info.results | ingrammicro.marketplace.license_report_figures('rows', customers=customer_info.customers) }}"

- name: Write them as CSV
  vars:
    report_csv: "{{ report_rows | ingrammicro.marketplace.license_report_figures('csv') }}"
  ansible.builtin.copy:
    dest: /tmp/licences.csv
    content: "{{ report_csv.rows | ingrammicro.marketplace.csv_text(report_csv.header) }}"
    mode: "0600"
"""

RETURN = r"""
_value:
  description:
    - C(rows) - a list of rows with C(customer_external_id), C(customer_id), C(customer_name), C(subscription_id),
      C(status), C(mpn), C(product_id), C(product), C(vendor), C(seats), C(unit_price), C(unit_cost),
      C(price_per_billing_period) (prices as C({amount, currency})), C(billing_period), C(subscription_period) (as
      C({type, duration})), C(creation_date), C(renewal_date), C(expiration_date) and C(auto_renew).
    - C(csv) - C(header) and C(rows); C(table) - C(header), C(rows) and C(total), the total line.
    - C(summary) - C(generated_at), C(today), C(customers) and C(products) (each with C(seats) and C(monthly), the
      spend per currency as decimal strings such as C(452.45)), C(monthly_total), C(unpriced) (subscription ids),
      C(renewals) (by window C(30), C(60), C(90)), C(auto_renew_off), C(deferred) (the pending decreases, each with
      C(current) seats now, C(desired), C(deferred_until) and C(source), the audit file of the decision) and
      C(audit_files) (how many were read).
    - C(page) - what the HTML page prints, every figure prepared.
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._dates import today_utc
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _report_figures


def license_report_figures(data, kind, customers=None, files=None, html=False, catalog=None, audit_files=None, generated_at=None):
    """Work out the ``kind`` of figures from ``data``; see DOCUMENTATION."""
    if kind == "rows":
        return _report_figures.report_rows(data or [], customers or [])
    if kind == "csv":
        return _report_figures.csv_rows(data or [])
    if kind == "table":
        return _report_figures.table(data or [], files, bool(html))
    if kind == "summary":
        try:
            audits = _report_figures.read_audits(audit_files or [])
        except IMConfigError as exc:
            raise AnsibleFilterError(str(exc)) from None
        return _report_figures.summary(data or [], catalog or [], audits, generated_at, today_utc())
    if kind == "page":
        return _report_figures.page(data)
    raise AnsibleFilterError("license_report_figures: unknown kind %r (rows, csv, table, summary or page)" % kind)


class FilterModule:
    def filters(self):
        return {"license_report_figures": license_report_figures}
