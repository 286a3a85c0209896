# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: mail_html
short_description: The HTML body of a mail of the collection, built for mail clients
version_added: 1.1.0
description:
  - Builds the HTML version of a mail the collection's roles and playbooks send with
    M(ingrammicro.marketplace.im_mail), made for mail clients (Outlook for Windows included) rather than browsers -
    tables for layout, at most 600 px wide and narrower on a phone, every style inline on its element, C(px) units,
    bars drawn as coloured table cells, no C(<style>) block, no SVG, no CSS variables, flexbox or media queries.
  - C(license_report) - the licence report's key figures and sections (spend per customer and per product with bars,
    renewals in the next 90 days, auto-renew off, decreases still to be made), from the summary of
    P(ingrammicro.marketplace.license_report_figures#filter). The full report page goes with the mail as an attachment.
  - C(license_adjustment) - a licence plan (check mode) or a licence adjustment's result, from the registered result
    of M(ingrammicro.marketplace.im_licenses) - the outcome, the reason when the plan was refused or lines failed, the
    price change, one row per line and what the change quantities were sent as.
  - C(drift) - the drift between declared seats and the seats now, from a check-mode result of
    M(ingrammicro.marketplace.im_licenses).
  - C(event) - an event of the C(ingrammicro.marketplace.marketplace_events) event source - what happened in one
    sentence (see P(ingrammicro.marketplace.event_text#filter)), then its facts.
  - Amounts are shown with thousands separators and times in words (C(7 December 2026, 18:55 UTC)).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
options:
  _input:
    description:
      - C(license_report) - the licence report's summary (C(license_report_figures('summary'))).
      - C(license_adjustment) and C(drift) - the registered result of M(ingrammicro.marketplace.im_licenses).
      - C(event) - the event, as a rulebook hands it to a playbook (C(ansible_eda.event)).
    type: raw
    required: true
  kind:
    description: Which mail to build.
    type: str
    required: true
    choices: [license_report, license_adjustment, drift, event]
  files:
    description: C(license_report) - the name of the report's files without their extension, named as the attachments.
    type: str
  check_mode:
    description: C(license_adjustment) - whether the run was in check mode (a plan, not a result).
    type: bool
    default: false
  generated_at:
    description: C(license_adjustment) - when the run ended, as an ISO date-time in UTC (C(2026-12-07T18:55:00Z)).
    type: str
  host:
    description: C(license_adjustment) - the inventory host the run was for, named unless it is C(localhost).
    type: str
  attachments:
    description: C(license_adjustment) - the names of the files attached to the mail.
    type: list
    elements: str
  headline:
    description: C(drift) - the sentence that says how many declared lines differ.
    type: str
  earlier:
    description: C(event) - earlier events whose report could not be made; the mail lists them after the event.
    type: list
    elements: dict
"""

EXAMPLES = r"""
- name: Mail the licence report (the summary of the license_report_figures filter) with an HTML body for mail clients
  ingrammicro.marketplace.im_mail:
    to: [finance@msp.example]
    subject: Licence report
    body: "{{ report_lines | join('\n') }}"
    html: "{{ report_summary | ingrammicro.marketplace.mail_html('license_report', files='license-report-20261207T185500Z') }}"

- name: Mail what an event of the marketplace_events source means
  ingrammicro.marketplace.im_mail:
    to: [ops@msp.example]
    subject: "Marketplace: {{ ansible_eda.event | ingrammicro.marketplace.event_text }}"
    body: "{{ ansible_eda.event | ingrammicro.marketplace.event_text }}"
    html: "{{ ansible_eda.event | ingrammicro.marketplace.mail_html('event') }}"
"""

RETURN = r"""
_value:
  description: The whole HTML document, for the O(ingrammicro.marketplace.im_mail#module:html) option.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _mail_html

KINDS = ("license_report", "license_adjustment", "drift", "event")


def mail_html(data, kind, files=None, check_mode=False, generated_at=None, host=None, attachments=None, headline=None, earlier=None):
    """Build the ``kind`` of mail from ``data``; see DOCUMENTATION."""
    if kind not in KINDS:
        raise AnsibleFilterError("mail_html: unknown kind %r (%s)" % (kind, ", ".join(KINDS)))
    if not isinstance(data, dict):
        raise AnsibleFilterError("mail_html(%r): the input must be a dictionary, not %s" % (kind, type(data).__name__))
    if kind == "license_report":
        return _mail_html.license_report(data, files)
    if kind == "license_adjustment":
        return _mail_html.license_adjustment(data, bool(check_mode), generated_at, host, attachments)
    if kind == "drift":
        return _mail_html.drift(data, headline or "")
    return _mail_html.event(data, earlier or ())


class FilterModule:
    def filters(self):
        return {"mail_html": mail_html}
