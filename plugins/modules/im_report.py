#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_report
short_description: Schedule one-time reports in the Ingram Micro Cloud Marketplace and download them
version_added: 1.0.0
description:
  - Ensures a one-time report of the report generator O(name) exists for the period from O(start_date) to O(end_date),
    in the O(format) and with the O(customization_name) given, scheduling it (C(POST /reports)) when there is none.
  - An existing one-time report with the same name, format, period and customization name that did not fail (any
    status but V(error)) is reused instead of scheduling the same report again, so running the task twice schedules
    one report.
  - Waits until the report is V(completed) (O(wait)), and downloads its file to O(dest) when given. The file is
    written only when its content differs from the file already there (compared by SHA-256).
  - The report's download link is signed (anyone holding it can read the file), so it is never returned. It is
    fetched without the API's token or subscription key, honouring O(validate_certs) and O(timeout).
  - Option names are the API's field names in snake_case (C(startDate) is O(start_date), C(customizationName) is
    O(customization_name)).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.wait
  - ingrammicro.marketplace.attributes
attributes:
  check_mode:
    support: full
    details:
      - Schedules nothing. A report that would be scheduled is returned with RV(report.id=null) and
        RV(report.simulated=true).
      - With O(dest), a completed report that would be reused is downloaded and hashed without writing anything, so
        C(changed) tells whether the file would be replaced.
  diff_mode:
    support: full
    details: Shows the report before and after, with the checksum of the file at O(dest) when given.
options:
  name:
    description:
      - Name of the report generator, as configured in the reseller panel, for example V(Provisioned Orders),
        V(Payments) or V(Marketplace API).
    type: str
    required: true
  start_date:
    description:
      - Start of the reported period, an ISO 8601 date-time such as V(2024-01-01T00:00:00Z) or a date such as
        V(2024-01-01) (midnight UTC). Date-times without a time zone are UTC.
      - Sent and compared in the API's form, in UTC to the second (fractions of a second are dropped).
    type: str
    required: true
  end_date:
    description:
      - End of the reported period, in the same forms as O(start_date). Must not be before O(start_date).
      - When left out, the report has no end date, and only reports without an end date are reused.
    type: str
  format:
    description:
      - File format of the report.
    type: str
    choices: [csv, json, xml]
    default: csv
  customization_name:
    description:
      - Name of a customization of the report generator, as configured in the reseller panel.
      - When left out, only reports without a customization name are reused.
    type: str
  dest:
    description:
      - Download the report's file to this path (a file, in a directory that exists). Implies waiting until the
        report is completed, so it cannot be combined with O(wait=false).
      - The file is replaced only when its SHA-256 differs from the downloaded file's; a replaced or new file gets mode
        C(0600) (readable by its owner only), because reports hold customer and billing data. A file already holding
        the same content is left as it is.
    type: path
notes:
  - The API cannot delete reports, so there is no O(ignore:state=absent).
  - The platform keeps report files for 90 days; a reused report whose file has expired fails to download, naming the
    report id.
seealso:
  - module: ingrammicro.marketplace.im_report_info
"""

EXAMPLES = r"""
- name: Schedule a Provisioned Orders report for January 2024 and wait until it is completed
  ingrammicro.marketplace.im_report:
    name: Provisioned Orders
    start_date: "2024-01-01"
    end_date: "2024-01-31T23:59:59Z"
    format: csv
  register: january

- name: Show its status
  ansible.builtin.debug:
    msg: "report {{ january.report.id }} is {{ january.report.status }}"

- name: Make a private directory for report files
  ansible.builtin.file:
    path: /tmp/marketplace-reports
    state: directory
    mode: "0700"

- name: Download January's Marketplace API report as JSON (scheduled once; later runs download only a changed file)
  ingrammicro.marketplace.im_report:
    name: Marketplace API
    start_date: "2024-01-01"
    end_date: "2024-01-31T23:59:59Z"
    format: json
    dest: /tmp/marketplace-reports/marketplace-api-2024-01.json
    wait_timeout: 600
  register: downloaded

- name: Schedule a Payments report without waiting for it
  ingrammicro.marketplace.im_report:
    name: Payments
    start_date: "2024-02-01"
    end_date: "2024-02-29"
    format: xml
    wait: false
"""

RETURN = r"""
report:
  description:
    - The report after the task, as the API returns it, with keys in snake_case, without its download link.
    - In check mode, a report that would be scheduled has RV(report.id=null) and RV(report.simulated=true).
  returned: always
  type: dict
  contains:
    id:
      description: Report id (a UUID); V(null) for a report that would be scheduled in check mode.
      type: str
      sample: 6f1c3a52-8a0e-4f7e-9d55-0c1a2b3c4d5e
    name:
      description: Name of the report generator.
      type: str
      sample: Provisioned Orders
    customization_name:
      description: Name of the generator's customization, when one was given.
      type: str
      returned: when set
      sample: Finance view
    status:
      description: Status, one of V(submitted), V(processing), V(completed), V(error).
      type: str
      sample: completed
    type:
      description: How the report was generated; reports this module schedules are V(onetime).
      type: str
      sample: onetime
    format:
      description: File format.
      type: str
      sample: csv
    creation_date:
      description: When the report was created (ISO 8601, UTC).
      type: str
      sample: "2024-02-01T08:30:00Z"
    start_date:
      description: Start of the reported period (ISO 8601, UTC).
      type: str
      sample: "2024-01-01T00:00:00Z"
    end_date:
      description: End of the reported period (ISO 8601, UTC), when it has one.
      type: str
      returned: when set
      sample: "2024-01-31T23:59:59Z"
    downloaded:
      description:
        - V(true) when this task wrote the file at O(dest) (in check mode, when it would write it); V(false) when the
          file already held the report's content or O(dest) is not set.
      type: bool
      sample: true
    dest:
      description: The path of the report file (O(dest)).
      type: str
      returned: when O(dest) is set
      sample: /tmp/marketplace-reports/provisioned-orders-2024-01.csv
    checksum:
      description:
        - SHA-256 (hex) of the report's file, now at O(dest).
        - V(null) in check mode when the report is not completed yet, so its file cannot be known.
      type: str
      returned: when O(dest) is set
      sample: 3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855a
    simulated:
      description: V(true) when no matching report exists and check mode only shows what would be scheduled.
      type: bool
      returned: in check mode, when the report would be scheduled
      sample: true
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._dates import api_datetime, parse_datetime
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMWaitError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._transform import to_camel
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._module import WAIT_ARGUMENT_SPEC
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._reports import (
    REPORT_HIDDEN_FIELDS, SCHEDULE_FORMATS, check_dest, download_report, file_sha256, report_path, same_datetime,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMResource


class ReportModule(IMResource):
    resource_key = "report"
    hidden_fields = REPORT_HIDDEN_FIELDS

    def validate(self):
        params = self.params
        if not params["name"].strip():
            raise IMConfigError("name must be the name of a report generator, for example Provisioned Orders")
        if params["customization_name"] is not None and not params["customization_name"].strip():
            raise IMConfigError("customization_name must not be empty; leave it out for the generator's default")
        start_date, end_date = self.period()
        if end_date is not None and end_date < start_date:
            raise IMConfigError("end_date %s is before start_date %s" % (end_date, start_date))
        if params["wait_timeout"] < 0:
            raise IMConfigError("wait_timeout must be 0 or more seconds, got %d" % params["wait_timeout"])
        if params["dest"]:
            if not params["wait"]:
                raise IMConfigError("dest needs the completed report, so it waits for it: remove wait: false, or remove dest")
            check_dest(params["dest"], self.check_mode)

    def period(self):
        """``start_date`` and ``end_date`` (or ``None``) in the API's form: UTC, to the second."""
        params = self.params
        start_date = api_datetime(parse_datetime(params["start_date"], "start_date", allow_date=True))
        end_date = api_datetime(parse_datetime(params["end_date"], "end_date", allow_date=True)) if params["end_date"] else None
        return start_date, end_date

    def desired(self):
        params = self.params
        start_date, end_date = self.period()
        return to_camel(dict(name=params["name"], start_date=start_date, end_date=end_date, format=params["format"],
                             customization_name=params["customization_name"]))

    def is_same(self, report, desired):
        """A one-time report of the same generator, format, period and customization that did not fail."""
        return all((report.get("type") == "onetime", report.get("status") != "error",
                    report.get("name") == desired["name"], report.get("format") == desired["format"],
                    same_datetime(report.get("startDate"), desired["startDate"]),
                    same_datetime(report.get("endDate"), desired.get("endDate")),
                    (report.get("customizationName") or None) == desired.get("customizationName")))

    def find(self):
        desired = self.desired()
        rows = self.client.paginate("/reports", {"name": desired["name"], "format": desired["format"], "type": "onetime"})
        same = [row for row in rows if self.is_same(row, desired)]
        # Newest first, as the API lists them; a completed one needs no waiting.
        completed = [row for row in same if row.get("status") == "completed"]
        return (completed or same or [None])[0]

    def create(self, desired):
        return self.client.post("/reports", desired)

    def simulate_create(self, desired):
        simulated = super().simulate_create(desired)
        simulated.update(status="submitted", type="onetime")
        return simulated

    def wait_for(self, report):
        """With ``wait``, the report once completed; a failure returns the report (never its link) with the error."""
        what = "report %s (%s)" % (report.get("id"), report.get("name"))
        self.failure_context["report"] = self.present(report)
        try:
            return self.waiter().wait(report, lambda: self.client.get(report_path(report["id"])), success=("completed",),
                                      failure=("error",), what=what)
        except IMWaitError as exc:
            if isinstance(exc.last, dict):
                self.failure_context["report"] = self.present(exc.last)
            if isinstance(exc.last, dict) and exc.last.get("status") == "error":
                raise IMWaitError("%s ended in status error: the platform could not generate it. Check the report generator "
                                  "%r in the reseller panel; a failed report is never reused, so running the task again "
                                  "schedules a new one" % (what, report.get("name")), last=exc.last) from None
            raise

    def download(self, report):
        """``(changed, checksum, previous checksum)`` of the report's file at ``dest``."""
        dest = self.params["dest"]
        if report.get("id") is None or report.get("status") != "completed":
            # Only in check mode: the report does not exist yet or is not finished, so its file cannot be known.
            return True, None, file_sha256(dest)
        if not report.get("downloadUrl"):
            report = self.client.get(report_path(report["id"]))
        outcome = download_report(self.client.config, report, dest, check_mode=self.check_mode)
        return outcome["changed"], outcome["checksum"], outcome["previous_checksum"]

    def execute(self):
        self.validate()
        current = self.find()
        if current is None:
            desired = self.desired()
            report = self.simulate_create(desired) if self.check_mode else self.create(desired)
        else:
            report = current
        report = self.wait_for(report)
        downloaded, previous_checksum, checksum = False, None, None
        if self.params["dest"]:
            downloaded, checksum, previous_checksum = self.download(report)
        result = self.result(current is None or downloaded, current, report, simulated=self.check_mode and current is None)
        self.add_file(result["report"], downloaded, checksum)
        if self.diff_mode and current is not None:
            self.add_file(result["diff"]["before"], False, previous_checksum)
        return result

    def add_file(self, shown, downloaded, checksum):
        shown["downloaded"] = downloaded
        if self.params["dest"]:
            shown["dest"] = self.params["dest"]
            shown["checksum"] = checksum


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        start_date=dict(type="str", required=True),
        end_date=dict(type="str"),
        format=dict(type="str", choices=list(SCHEDULE_FORMATS), default="csv"),
        customization_name=dict(type="str"),
        dest=dict(type="path"),
    )
    argument_spec.update(WAIT_ARGUMENT_SPEC)
    ReportModule(argument_spec).run()


if __name__ == "__main__":
    main()
