#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_report_info
short_description: List and look up reports in the Ingram Micro Cloud Marketplace
version_added: 1.0.0
description:
  - Returns reports (rated-data exports) by O(id), or all reports matching the filters O(name), O(format),
    O(status), O(type) and the creation period O(from) / O(to), reading every page of the listing.
  - Without any filter, returns every report visible to the API user, newest first.
  - The reports' download links are signed (anyone holding them can read the file), so they are never returned; use
    M(ingrammicro.marketplace.im_report) with O(ingrammicro.marketplace.im_report#module:dest) to download a report.
  - Option names are the API's filter names; O(from) and O(to) are the API's C(from) and C(to).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes.info_module
options:
  id:
    description:
      - Id of one report (a UUID). Returns an empty list when there is no such report.
      - Cannot be combined with the other filters.
    type: str
  name:
    description:
      - Reports of the report generator with this name, for example V(Provisioned Orders).
    type: str
  format:
    description:
      - Reports in this file format.
    type: str
    choices: [csv, json, xml, xlsx]
  status:
    description:
      - Reports in this status.
    type: str
    choices: [submitted, processing, completed, error]
  type:
    description:
      - Reports generated this way; reports scheduled with M(ingrammicro.marketplace.im_report) are V(onetime).
    type: str
    choices: [periodic, daily, monthly, onetime, on_invoice]
  from:
    description:
      - Reports created on or after this day, a date such as V(2024-01-31).
    type: str
  to:
    description:
      - Reports created on or before this day, a date such as V(2024-01-31). Must not be before O(from).
    type: str
seealso:
  - module: ingrammicro.marketplace.im_report
"""

EXAMPLES = r"""
- name: Every completed report
  ingrammicro.marketplace.im_report_info:
    status: completed
  register: completed_reports

- name: Show their names and ids
  ansible.builtin.debug:
    msg: "{{ completed_reports.reports | map(attribute='name') | zip(completed_reports.reports | map(attribute='id')) | list }}"

- name: Payments reports in JSON created since the first of January 2024
  ingrammicro.marketplace.im_report_info:
    name: Payments
    format: json
    from: "2024-01-01"
  register: payments

- name: One report by id
  ingrammicro.marketplace.im_report_info:
    id: "{{ completed_reports.reports[0].id }}"
  register: one_report
"""

RETURN = r"""
reports:
  description:
    - The reports found, newest first, with keys in snake_case and without their download links; an empty list when
      none match.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Report id (a UUID).
      type: str
      sample: 6f1c3a52-8a0e-4f7e-9d55-0c1a2b3c4d5e
    name:
      description: Name of the report generator.
      type: str
      sample: Provisioned Orders
    customization_name:
      description: Name of the generator's customization, when it has one.
      type: str
      returned: when set
      sample: Finance view
    status:
      description: Status, one of V(submitted), V(processing), V(completed), V(error).
      type: str
      sample: completed
    type:
      description: How the report was generated, one of V(periodic), V(daily), V(monthly), V(onetime), V(on_invoice).
      type: str
      sample: monthly
    format:
      description: File format.
      type: str
      sample: csv
    creation_date:
      description: When the report was created (ISO 8601, UTC).
      type: str
      sample: "2024-02-01T02:00:00Z"
    start_date:
      description: Start of the reported period (ISO 8601, UTC).
      type: str
      sample: "2024-01-01T00:00:00Z"
    end_date:
      description: End of the reported period (ISO 8601, UTC), when it has one.
      type: str
      returned: when set
      sample: "2024-01-31T23:59:59Z"
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._dates import parse_date
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._reports import (
    REPORT_FORMATS, REPORT_HIDDEN_FIELDS, REPORT_STATUSES, REPORT_TYPES, check_report_id, report_path,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMInfo


class ReportInfoModule(IMInfo):
    result_key = "reports"
    hidden_fields = REPORT_HIDDEN_FIELDS

    def items(self):
        params = self.params
        if params["id"]:
            check_report_id(params["id"])
            report = self.client.get_or_none(report_path(params["id"]))
            return [report] if report else []
        start = parse_date(params["from"], "from").isoformat() if params["from"] else None
        end = parse_date(params["to"], "to").isoformat() if params["to"] else None
        if start and end and end < start:
            raise IMConfigError("to %s is before from %s" % (end, start))
        query = {"name": params["name"], "format": params["format"], "status": params["status"], "type": params["type"],
                 "from": start, "to": end}
        return self.client.paginate("/reports", query)


def main():
    ReportInfoModule(
        {
            "id": dict(type="str"),
            "name": dict(type="str"),
            "format": dict(type="str", choices=list(REPORT_FORMATS)),
            "status": dict(type="str", choices=list(REPORT_STATUSES)),
            "type": dict(type="str", choices=list(REPORT_TYPES)),
            "from": dict(type="str"),
            "to": dict(type="str"),
        },
        mutually_exclusive=[("id", "name"), ("id", "format"), ("id", "status"), ("id", "type"), ("id", "from"), ("id", "to")],
    ).run()


if __name__ == "__main__":
    main()
