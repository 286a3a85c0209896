#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_licenses
short_description: Declare the seat counts of many Marketplace subscriptions at once, with a priced, guarded plan
version_added: 1.0.0
description:
  - Takes the number of seats each subscription should have (O(licenses)), reads every affected subscription, and
    works out a plan with one line per input line - current and desired seats, the action (V(increase),
    V(decrease), V(none), V(create), V(deferred) or V(blocked)), why, and the estimated price change from the API's
    order estimate.
  - All guardrails (O(allow_decrease), O(max_increase), O(max_decrease) per line, where a new subscription counts with
    all its seats, and O(max_cost_delta) for the whole plan) and the products' minimum and maximum are evaluated before
    anything is ordered. Any violation blocks the whole plan - nothing is ordered - and the failure lists the offending
    lines.
  - In check mode the full priced plan is returned and nothing is written. With O(plan_file) it is also saved, with a
    fingerprint of the live state, for an approval step; a later real run with the same O(plan_file) recomputes the
    plan and refuses, changing nothing, if it differs from the saved one.
  - A real run orders the changes (at most O(concurrency) at a time), waits for them and reads the seats back. Each
    change order is computed from the seats read under a lock on the subscription (shared by every process using the
    same cache directory), after every order still open on it has ended; a subscription that already has its seats
    is left alone (result V(none)), so two runs started together, or a rerun right after a run with O(wait=false),
    never buy the same seats twice.
  - Runs on other machines (AWX jobs have a container and a cache directory each) share no lock, so after each order
    the subscription's orders are read again. When another run ordered on it at the same moment, the later order is
    withdrawn by the run that placed it (the line ends V(none) once the other order has brought the seats), and the
    run whose order came first checks that it was. An order that cannot be withdrawn fails the line in every run
    involved, naming the subscription and both orders.
  - Seats change through C(change) orders carrying the new total (see the O(change_quantity) connection option).
    Before the first one, the API's price estimates must not contradict that setting (a contradiction refuses the whole
    plan, naming the evidence and the setting that matches). Unless the setting is confirmed (a canary of an earlier
    run on this machine, or O(change_quantity_confirmed)), the first change order is placed alone, waited for and read
    back (the canary) before any other. Runs sharing the cache directory - the hosts of one playbook run among them -
    wait for one canary instead of each placing their own. A canary that does not end with the seats asked for (it
    timed out, ended in error, could not be read back, or showed the other reading) stops every other change order;
    one still open is recorded, and later runs order nothing until its seats have settled the question. So at most one
    order can be wrong.
  - A line for a product the customer does not hold yet is ordered as a new subscription (action V(create)).
  - A line that should change ends V(completed) (ordered and its seats verified), V(deferred) or V(submitted) (left for
    later on purpose, with O(decrease_window_days) or O(wait=false)), or V(failed) - a refusal by the API, retries that
    ran out, a wait that timed out or seats that differ after the order. Any failed line fails the task.
  - The run places no order once the C(ansible-playbook) that started it has ended, whether it was killed while the
    module planned or while it ordered (the controller is identified when the module starts).
  - This is the engine of the C(license_adjustment) role.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.wait
  - ingrammicro.marketplace.guardrails
  - ingrammicro.marketplace.messages
  - ingrammicro.marketplace.attributes
attributes:
  check_mode:
    support: full
    details: Returns the full plan, priced with C(POST /orders/estimate), which orders nothing.
  diff_mode:
    support: full
    details: The seats of each line before and after.
options:
  licenses:
    description:
      - The seat counts to reach, one entry per subscription - each with a O(licenses[].quantity), or with the seats in
        O(licenses[].used) and a O(licenses[].buffer) from which the count is computed.
      - With O(licenses_csv), these lines are planned together with the file's rows; at least one of the two must
        declare a line.
    type: list
    elements: dict
    default: []
    suboptions:
      customer:
        description:
          - The customer, by external id or Marketplace id. Required unless O(licenses[].subscription_id) is given.
        type: str
      mpn:
        description:
          - The product. With O(licenses[].customer), selects the customer's subscription of it.
        type: str
      subscription_id:
        description:
          - The subscription, instead of O(licenses[].customer) and O(licenses[].mpn).
        type: str
      quantity:
        description:
          - The number of seats the subscription should have, 1 or more. Give this or O(licenses[].used).
        type: int
      used:
        description:
          - The seats in use (from an export, another collection's module, your PSA). The seats to have are computed
            from it - O(licenses[].used) plus O(licenses[].buffer), rounded up to a multiple of O(licenses[].round_to),
            then kept within O(licenses[].minimum) and O(licenses[].maximum) - and then go through the same guardrails
            as a declared quantity. The plan shows how, in C(derivation), for example C(used 47 + 10% = 51.7 -> 55
            (packs of 5)).
        type: int
      buffer:
        description:
          - Seats to have on top of O(licenses[].used) - a number of seats such as V(5), or a percentage of the seats
            in use such as V(10%). Only with O(licenses[].used).
        type: str
      round_to:
        description:
          - Round the computed seats up to a multiple of this (licences sold in packs). Only with O(licenses[].used).
        type: int
      minimum:
        description:
          - The fewest seats the computed count may be. Only with O(licenses[].used).
        type: int
      maximum:
        description:
          - The most seats the computed count may be. Only with O(licenses[].used).
        type: int
      decrease_window_days:
        description:
          - This line's decrease window, overriding O(decrease_window_days).
        type: int
      parameters:
        description:
          - Activation parameters (for example C(domain)), used only when the line creates the subscription.
        type: list
        elements: dict
        suboptions:
          name:
            description: Parameter name.
            type: str
            required: true
          value:
            description: Parameter value.
            type: raw
            required: true
      po_number:
        description:
          - This line's purchase order number, overriding O(po_number).
        type: str
  licenses_csv:
    description:
      - A licence CSV to plan from, as the C(license_report) role writes it and a spreadsheet program saves it after
        editing - its C(desired_quantity) column (empty means keep the seats), or its C(used) column with C(buffer),
        C(round_to), C(minimum) and C(maximum). A row names its subscription by C(subscription_id), or by
        C(customer_external_id) and C(mpn); the other columns are ignored.
      - Comma or semicolon separators, UTF-8 with or without a byte order mark, CRLF line ends and quoted fields are
        read. Every problem (a changed header, a quantity that is not a whole number, two rows for one subscription,
        and once the API is read, an unknown customer or product) fails before any write, naming the file, the row as
        the spreadsheet numbers it (the header is row 1) and the column.
      - A subscription declared twice, in the file and in O(licenses), blocks the plan.
    type: path
  max_cost_delta:
    description:
      - The most the whole plan may add to the price, as estimated by the API (an amount such as V(500) or
        V(1250.00), in the currency of the estimates), per billing period - each total per currency and billing period
        is compared with it.
    type: str
  decrease_window_days:
    description:
      - Many licence programmes (Microsoft NCE among them) accept seat decreases only within a few days of purchase or
        renewal. With this set, a decrease more than this many days after the start of the subscription's current term
        is planned as V(deferred), with the date from which it becomes possible (the next renewal), and not ordered.
      - Unset means no window. A platform that refuses a decrease anyway fails that line (result V(failed)) while the
        other lines go on, and the task fails.
    type: int
  concurrency:
    description:
      - How many requests (reads, estimates, orders) run at the same time.
    type: int
    default: 8
  plan_file:
    description:
      - In check mode, write the plan here (JSON, mode 0600) with a fingerprint of the live state.
      - In a real run, read the plan saved here, recompute it, and fail without changing anything if it differs
        (someone changed seats since the plan was approved, or the input changed).
    type: path
  po_number:
    description:
      - Purchase order number (free text, for example your PSA ticket number) put on every order this task places.
      - It is not part of the plan, so a rerun with nothing left to change places no order.
    type: str
  canary:
    description:
      - Whether this run may place the canary - the first change order, placed alone, waited for and read back while the
        O(change_quantity) setting is not confirmed (see the description).
      - Set V(false) where runs share no cache directory and start together, such as the slices of an AWX sliced job,
        which would each place a canary of their own. A run that would need one then refuses its plan (in check mode
        too), ordering nothing, until the setting is confirmed with O(change_quantity_confirmed).
    type: bool
    default: true
  audit_dir:
    description:
      - Write the plan (check mode) or the result of this run into this directory, created when missing, as two private
        files (mode 0600) - C(plan-<UTC time><audit_suffix>.json) or C(result-<UTC time><audit_suffix>.json) (when, the
        outcome and message, the guardrails, O(po_number), O(plan_file), O(audit_run_by), the summary, the
        change-quantity reading and every line), and a C(.csv) with one row per line. A file is never written over -
        C(-2), C(-3), ... is appended to a name already taken (runs ending in the same second into one directory).
      - Written in check mode too (local files, not a change to the Marketplace), and for a run that was refused or
        whose lines failed; not when the run stopped before it could plan (input, connection, credentials).
      - The C(license_adjustment) role's C(license_adjustment_output_dir).
    type: path
  audit_suffix:
    description:
      - Appended to the audit files' names, for example V(-ACME-001) when several hosts write into one O(audit_dir).
    type: str
    default: ""
  audit_run_by:
    description:
      - Who ran this, recorded in the audit JSON as C(run_by) (the role records the user and the AWX user and job).
      - "Defaults to the user running the module, as C({\"user\": \"<name>\"})."
    type: dict
notes:
  - Check mode reads everything a real run would and prices the changes; only the orders are not placed.
seealso:
  - module: ingrammicro.marketplace.im_subscription
  - module: ingrammicro.marketplace.im_order
"""

EXAMPLES = r"""
- name: See the priced plan without changing anything
  ingrammicro.marketplace.im_licenses:
    licenses:
      - {customer: ACME-001, mpn: CFQ7TTC0LDPB:0001:P1Y, quantity: 30}
      - {customer: GLOBEX-002, mpn: SH3AMCLOS, quantity: 45}
      - {customer: INITECH-003, mpn: CFQ7TTC0LH18:0001:P1M, quantity: 12}
    max_increase: 10
  check_mode: true
  register: plan

- name: Show the plan
  ansible.builtin.debug:
    msg: "{{ plan.plan | map(attribute='action') | list }} costing {{ plan.summary.price_change }}"

- name: Apply it, refusing anything above 1000 of extra cost
  ingrammicro.marketplace.im_licenses:
    licenses:
      - {customer: ACME-001, mpn: CFQ7TTC0LDPB:0001:P1Y, quantity: 30}
      - {customer: GLOBEX-002, mpn: SH3AMCLOS, quantity: 45}
      - {customer: INITECH-003, mpn: CFQ7TTC0LH18:0001:P1M, quantity: 12}
    max_increase: 10
    max_cost_delta: "1000"
    po_number: CHG-2026-11  # on every order placed

- name: Plan a reduction, save it for approval
  ingrammicro.marketplace.im_licenses:
    licenses:
      - {customer: ACME-001, mpn: CFQ7TTC0LDPB:0001:P1Y, quantity: 28}
    allow_decrease: true
    decrease_window_days: 7
    plan_file: /tmp/acme-reduction-plan.json
  check_mode: true

- name: After approval, apply exactly that plan (refused if seats changed meanwhile)
  ingrammicro.marketplace.im_licenses:
    licenses:
      - {customer: ACME-001, mpn: CFQ7TTC0LDPB:0001:P1Y, quantity: 28}
    allow_decrease: true
    decrease_window_days: 7
    plan_file: /tmp/acme-reduction-plan.json

- name: Tell a plan the guardrails refused from any other failure, by the failure's kind
  ingrammicro.marketplace.im_licenses:
    licenses:
      - {customer: GLOBEX-002, mpn: SH3AMCLOS, quantity: 90}
    max_increase: 10
  check_mode: true
  register: guarded
  failed_when: guarded.failed and guarded.failure != "blocked"

- name: Say what the guardrails refused
  ansible.builtin.debug:
    msg: "{{ guarded.msg if guarded.failed else 'within the guardrails' }}"
"""

RETURN = r"""
plan:
  description: One entry per line of O(licenses), in the same order.
  returned: always
  type: list
  elements: dict
  contains:
    index:
      description: Position of the line in the plan, from 1 - the lines of O(licenses) first, then the rows of O(licenses_csv).
      type: int
    source:
      description: Where the line was declared, V(line 3) (in O(licenses)) or V(licenses.csv row 5) (in O(licenses_csv)).
      type: str
    derivation:
      description:
        - For a line declared by its seats in use, how the desired count was computed, for example
          V(used 47 + 10% = 51.7 -> 55 (packs of 5)); V(null) for a declared quantity.
      type: str
    customer:
      description: The customer as given.
      type: str
    customer_id:
      description: Marketplace id of the customer.
      type: str
    customer_name:
      description: Name of the customer.
      type: str
    subscription_id:
      description: The subscription (for a V(create) line, the new one after a real run).
      type: str
    mpn:
      description: The product.
      type: str
    product:
      description: The product's name.
      type: str
    current:
      description: Seats now (V(null) when the subscription does not exist yet).
      type: int
    desired:
      description: Seats asked for.
      type: int
    delta:
      description: V(desired) minus V(current).
      type: int
    action:
      description: V(increase), V(decrease), V(create), V(none), V(deferred) or V(blocked).
      type: str
    reason:
      description: Why a line is blocked or deferred.
      type: str
    deferred_until:
      description: For a V(deferred) decrease, the date (YYYY-MM-DD) from which it becomes possible.
      type: str
    price_change:
      description:
        - Price change of the line (C(amount), C(currency), and C(per), the billing period it is charged for, such as
          V(month) or V(year)) - in check mode, and when O(max_cost_delta) is set, the API's order estimate; otherwise
          the total of the order placed.
      type: dict
    result:
      description:
        - After a real run, V(completed) (ordered, and the seats read back are the ones asked for), V(submitted)
          (ordered with O(wait=false), not verified), V(none) (nothing to order, also when another order reached the
          seats while this run worked), V(deferred) or V(failed). V(null) in check mode.
      type: str
    failure:
      description:
        - For a V(failed) line, what kind of failure it was, for a program to test - V(refused_by_api), V(throttled),
          V(api_error), V(api_unreachable), V(answer_lost), V(not_authorised), V(wait_timed_out),
          V(ended_in_failure), V(order_still_open), V(seats_moved), V(seats_differ), V(unverified),
          V(ordered_twice), V(canary_stop), V(controller_gone) or V(error). V(null) for a line that did not fail.
        - The task's own failure carries the same kind of word in its C(failure) key (V(lines_failed) when lines
          failed, V(blocked), V(cost_limit), V(plan_changed), V(change_quantity_contradicted), V(invalid_input), ...).
      type: str
    order:
      description: The order placed for the line (C(id), C(order_number), C(status)).
      type: dict
    message:
      description: Why a line failed (the API's refusal, the timeout, the seats found), or how it ended without an order.
      type: str
  sample:
    - {"index": 1, "customer": "ACME-001", "customer_id": "1000001", "customer_name": "Acme Manufacturing Inc.",
       "subscription_id": "3000001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "product": "Microsoft 365 Business Standard",
       "current": 25, "desired": 30, "delta": 5, "action": "increase", "reason": null, "deferred_until": null,
       "price_change": {"amount": "62.50", "currency": "USD", "per": "month"}, "result": "completed", "failure": null,
       "order": {"id": "4000014", "order_number": "SO000014", "status": "completed"}, "message": null}
summary:
  description:
    - Counts per action and result, the total estimated price change (per currency and billing period; a list when there
      are several), and the plan's fingerprint.
    - C(outcome) says how the run ended - V(planned) (check mode); V(applied) (every line reached its seats);
      V(pending) (no line failed, but some were left for later on purpose - submitted with O(wait=false), or deferred);
      V(partial) (some lines failed, others were ordered); V(failed) (lines failed and none was ordered); V(refused) (a
      guardrail, a changed O(plan_file), a contradicted O(change_quantity) or a canary that O(canary=false) does not allow
      stopped the whole plan before any order).
      The task fails for the last three, and the result still carries the plan and this summary.
  returned: always
  type: dict
  sample: {"outcome": "applied", "lines": 3, "increase": 2, "decrease": 0, "create": 0, "none": 1, "deferred": 0, "blocked": 0,
           "completed": 2, "submitted": 0, "failed": 0, "price_change": {"amount": "112.50", "currency": "USD", "per": "month"},
           "fingerprint": "5d0c9d1b..."}
quantity_reading:
  description:
    - How the O(change_quantity) setting was checked before ordering. Empty values when the plan has no change order.
  returned: always
  type: dict
  contains:
    change_quantity:
      description: The setting used, V(total) or V(delta).
      type: str
    verdict:
      description:
        - What the price estimates say about the setting - V(holds), V(inconclusive) (for example prorated prices without
          change details; the canary decides) or V(contradicts) (the plan was refused).
      type: str
    evidence:
      description: The estimate that decided the verdict, in words.
      type: str
    confirmed:
      description: What confirmed the setting before this run, or in it (a completed change order); V(null) if nothing did.
      type: str
    canary:
      description:
        - The line (from 1) whose order was placed, completed and read back before the others (a real run), or that
          will be (check mode); V(null) when no canary is needed.
      type: int
  sample: {"change_quantity": "total", "verdict": "holds", "canary": 1, "confirmed": null,
           "evidence": "the estimate of CFQ7TTC0LDPB:0001:P1Y 25 -> 30 (quantity 30 sent as change_quantity=total) shows a change of +5 seats, as intended"}
plan_file:
  description: The plan file written (check mode) or checked (real run).
  returned: when O(plan_file) is set
  type: str
audit:
  description: The audit files written into O(audit_dir), and the time they record.
  returned: when O(audit_dir) is set and the run planned (also when it was refused or lines failed)
  type: dict
  contains:
    generated_at:
      description: When the run ended, in UTC (C(generated_at) in the JSON file).
      type: str
    json:
      description: The JSON file's path.
      type: str
    csv:
      description: The CSV file's path.
      type: str
  sample: {"generated_at": "2026-12-07T09:30:12Z", "json": "/var/log/licence-adjustments/result-20261207T093012Z.json",
           "csv": "/var/log/licence-adjustments/result-20261207T093012Z.csv"}
"""

import os
from decimal import Decimal, InvalidOperation

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._dates import today_utc
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._audit import AuditFiles
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._declarations import check_line, read_csv
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._licence_run import LicenceRun
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._module import MESSAGES_ARGUMENT_SPEC, WAIT_ARGUMENT_SPEC, IMModule


class LicensesModule(IMModule):

    def validate(self):
        params = self.params
        self.specs, problems = [], []
        for index, line in enumerate(params["licenses"], start=1):  # counted from 1, as the plan's index
            spec, found = check_line(line, "%s line %d" % (option("licenses"), index), source="line %d" % index)
            problems.extend(found)
            self.specs.append(spec)
        if problems:
            raise IMConfigError("; ".join(found["message"] for found in problems), problems=problems)
        if params["licenses_csv"]:
            self.specs.extend(read_csv(params["licenses_csv"]))
        if not self.specs:
            raise IMConfigError("nothing to plan: %s is empty%s" % (option("licenses"), " and %s %s declares no desired_quantity or used"
                                                                    % (option("licenses_csv"), params["licenses_csv"]) if params["licenses_csv"] else ""))
        for key, least in (("decrease_window_days", 0), ("concurrency", 1)):
            if params[key] is not None and params[key] < least:
                raise IMConfigError("%s must be %d or more, got %d" % (option(key), least, params[key]))
        if params["max_cost_delta"] is not None:
            try:
                valid = Decimal(params["max_cost_delta"]).is_finite() and Decimal(params["max_cost_delta"]) >= 0
            except InvalidOperation:
                valid = False
            if not valid:
                raise IMConfigError("%s must be an amount of 0 or more such as \"500\" or \"1250.00\", got %r"
                                    % (option("max_cost_delta"), params["max_cost_delta"]))
        plan_file = params["plan_file"]
        if plan_file and not os.path.isdir(os.path.dirname(os.path.abspath(plan_file))):
            raise IMConfigError("%s: directory %s does not exist" % (option("plan_file"), os.path.dirname(os.path.abspath(plan_file))))
        if plan_file and not self.check_mode and not os.path.isfile(plan_file):
            raise IMConfigError("%s %s does not exist: run the task in check mode first to save the plan to approve"
                                % (option("plan_file"), plan_file))
        return _seats.Guardrails(params["allow_decrease"], params["max_increase"], params["max_decrease"])

    def execute(self):
        guardrails = self.validate()
        params = self.params
        run = LicenceRun(self.client, self.order_desk, self.waiter, self.warn, params, check_mode=self.check_mode, diff=self.diff_mode,
                         today=today_utc())
        try:
            result = run.run(self.specs, guardrails)
        except IMError as error:
            self.failure_context.update(run.context)
            if params["audit_dir"] and "summary" in run.context:  # refused or lines failed: the plan is recorded all the same
                try:
                    self.failure_context["audit"] = self.write_audit(run.context, self.words.say(str(error)))
                except IMError as unwritten:  # the run's own failure is what the user must read first
                    self.warn(str(unwritten))
            raise
        if params["audit_dir"]:
            result["audit"] = self.write_audit(result, None)
        return result

    def write_audit(self, result, message):
        params = self.params
        run_by = params["audit_run_by"] if params["audit_run_by"] is not None else {"user": os.environ.get("USER") or None}
        audit = AuditFiles(params["audit_dir"], params["audit_suffix"], check_mode=self.check_mode)
        return audit.write(self.words.say(result), message, params, run_by)


def main():
    argument_spec = dict(
        licenses=dict(type="list", elements="dict", default=[], options=dict(
            customer=dict(type="str"),
            mpn=dict(type="str"),
            subscription_id=dict(type="str"),
            quantity=dict(type="int"),
            used=dict(type="int"),
            buffer=dict(type="str"),
            round_to=dict(type="int"),
            minimum=dict(type="int"),
            maximum=dict(type="int"),
            decrease_window_days=dict(type="int"),
            parameters=dict(type="list", elements="dict", options=dict(
                name=dict(type="str", required=True),
                value=dict(type="raw", required=True),
            )),
            po_number=dict(type="str"),
        )),
        licenses_csv=dict(type="path"),
        max_cost_delta=dict(type="str"),
        decrease_window_days=dict(type="int"),
        concurrency=dict(type="int", default=8),
        plan_file=dict(type="path"),
        po_number=dict(type="str"),
        canary=dict(type="bool", default=True),
        audit_dir=dict(type="path"),
        audit_suffix=dict(type="str", default=""),
        audit_run_by=dict(type="dict"),
    )
    argument_spec.update(_seats.guardrail_argument_spec())
    argument_spec.update(WAIT_ARGUMENT_SPEC)
    argument_spec.update(MESSAGES_ARGUMENT_SPEC)
    LicensesModule(argument_spec).run()


if __name__ == "__main__":
    main()
