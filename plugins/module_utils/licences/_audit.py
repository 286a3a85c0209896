# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit files of a licence run: the plan (check mode) or the result as JSON, and one CSV row per line. Written by
``im_licenses`` itself (option ``audit_dir``), in one step beside the run instead of three more tasks; the CSV's
columns are also what the license_adjustment role's view attaches to a mail. Private to this collection.
"""

from __future__ import annotations

import datetime
import json
import os

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._locks import replace_private
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base import _layout
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option

CSV_HEADER = ("index", "customer", "customer_id", "customer_name", "subscription_id", "mpn", "product", "current", "desired", "delta",
              "action", "reason", "deferred_until", "price_change_amount", "price_change_currency", "price_change_per", "result",
              "order_id", "order_number", "order_status", "message", "source", "derivation")
GUARDRAILS = ("allow_decrease", "max_increase", "max_decrease", "max_cost_delta", "decrease_window_days")


def csv_rows(plan):
    """The audit CSV's rows, one per licence line."""
    rows = []
    for line in plan:
        price, order = line.get("price_change") or {}, line.get("order") or {}
        rows.append([line.get("index"), line.get("customer"), line.get("customer_id"), line.get("customer_name"), line.get("subscription_id"),
                     line.get("mpn"), line.get("product"), line.get("current"), line.get("desired"), line.get("delta"), line.get("action"),
                     line.get("reason"), line.get("deferred_until"), price.get("amount"), price.get("currency"), price.get("per"),
                     line.get("result"), order.get("id"), order.get("order_number"), order.get("status"), line.get("message"),
                     line.get("source"), line.get("derivation")])
    return rows


def csv_text(plan):
    return _layout.csv_text(CSV_HEADER, csv_rows(plan))


class AuditFiles:
    """``<plan|result>-<UTC time><suffix>.json`` and ``.csv`` in ``directory``, private to the user (mode 0600). Never
    written over: runs that end in the same second with the same suffix (the slices of an AWX sliced job writing into
    one volume, a customer host in two of them) get ``-2``, ``-3``, ... appended."""

    def __init__(self, directory, suffix="", check_mode=False, now=None):
        self.directory = directory
        self.check_mode = check_mode
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        self.name = "%s-%s%s" % ("plan" if check_mode else "result", self.now.strftime("%Y%m%dT%H%M%SZ"), suffix or "")

    def record(self, result, message, options, run_by):
        """What the JSON file holds: when, what was asked under which guardrails, by whom, and the plan or result."""
        summary = result.get("summary")
        return {
            "generated_at": self.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "mode": "check" if self.check_mode else "run",
            "status": (summary or {}).get("outcome"),
            "message": message,
            "changed": bool(result.get("changed", False)),
            "guardrails": {name: options.get(name) for name in GUARDRAILS},
            "po_number": options.get("po_number"),
            "plan_file": result.get("plan_file"),
            "run_by": run_by,
            "summary": summary,
            "quantity_reading": result.get("quantity_reading"),
            "plan": result.get("plan") or [],
        }

    def write(self, result, message, options, run_by):
        """Write both files; return ``{"generated_at", "json", "csv"}`` (their paths)."""
        record = self.record(result, message, options, run_by)
        base = os.path.join(self.directory, self.name)
        try:
            os.makedirs(self.directory, exist_ok=True)
            base = self._claim()
            replace_private(base + ".json", json.dumps(record, indent=2) + "\n")
            replace_private(base + ".csv", csv_text(record["plan"]))
        except OSError as exc:
            raise IMConfigError("%s: cannot write the audit files %s.json and .csv: %s" % (option("audit_dir"), base, exc.strerror or exc))
        return {"generated_at": record["generated_at"], "json": base + ".json", "csv": base + ".csv"}

    def _claim(self):
        """The first free name, taken by creating its JSON file (O_EXCL: another process cannot take it too)."""
        for number in range(1, 1000):
            base = os.path.join(self.directory, self.name + ("-%d" % number if number > 1 else ""))
            if os.path.lexists(base + ".csv"):
                continue
            try:
                os.close(os.open(base + ".json", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
            except FileExistsError:
                continue
            return base
        raise OSError("no free name for %s in %s" % (self.name, self.directory))
