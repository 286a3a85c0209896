# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One licence run, start to end: settle a canary left by an earlier run, plan (read, price, guard), wait for orders
still open and plan again, check an approved plan, prove the change-quantity reading, order (the canary first) and
verify. Private to this collection.

``im_licenses`` checks its input and runs this; the benchmark runs it too. Its public face is ``LicenceRun.run`` and
``context``; everything else is its own.
"""

from __future__ import annotations

import time

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _license_planner as planner
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._canary import CanaryGate, record_confirmation
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._license_reconciler import Reconciler
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import describe

# Rounds of waiting for orders still open before planning: overlapping runs may place new ones meanwhile.
SETTLE_ROUNDS = 4


class LicenceRun:
    """A licence run over declared lines (``specs``, as ``_declarations.check_line`` makes them).

    ``desk(concurrency)`` gives an OrderDesk, ``waiter()`` a Waiter for the run's wait settings (a no-op in check mode);
    ``options`` holds ``concurrency``, ``po_number``, ``decrease_window_days``, ``max_cost_delta``, ``plan_file`` and
    ``wait_timeout``.
    ``mark(name)``, when given, is told as each phase ends (the benchmark times them).
    """

    def __init__(self, client, desk, waiter, warn, options, check_mode=False, diff=False, today=None, mark=None):
        self.client = client
        self.desk = desk
        self.waiter = waiter
        self.warn = warn
        self.options = options
        self.check_mode = check_mode
        self.diff = diff
        self.mark = mark or (lambda name: None)
        self.reconciler = Reconciler(client, desk(options["concurrency"]), warn, options["concurrency"], today)
        self.gate = None if client.config.change_quantity_confirmed else CanaryGate(client, options["wait_timeout"], warn)
        self.context = {}  # what a failure returns beside its message: the plan, its summary, the reading

    def run(self, specs, guardrails):
        """The run's result (``changed``, ``plan``, ``summary``, ``quantity_reading``, ``plan_file``, ``diff``); an IMError
        (with ``context`` filled) when it is refused before ordering or a line failed."""
        self._settle_earlier_canary()
        states, lines = self._settled_plan(specs, guardrails)
        result = {"changed": any(line["action"] in _seats.ORDERING for line in lines), "plan": lines}
        self._check_approved_plan(result, lines)
        reading, refusal = self.reconciler.prove_reading(states, lines, self.client.config)
        self.mark("prove the change-quantity reading")
        result["quantity_reading"] = reading
        if refusal:
            self._refuse(lines, refusal, "change_quantity_contradicted", quantity_reading=reading)
        if reading["canary"] is not None and not self.options.get("canary", True):
            self._refuse(lines, canary_not_allowed(reading), "canary_not_allowed", quantity_reading=reading)
        outcome = planner.PLANNED
        if not self.check_mode:
            self._order(states, lines, reading)
            result["changed"] = any(line["order"] for line in lines)
            outcome = planner.run_outcome(lines)
        result["summary"] = planner.summarize(lines, outcome)
        if self.diff:
            result["diff"] = planner.diff(lines)
        failed = [line for line in lines if line["result"] == planner.LINE_FAILED]
        if failed:
            self.context.update(result)
            raise IMError("%s: %s" % (planner.failure_headline(lines), "; ".join(
                "%s: %s" % (planner.line_label(line), line["message"]) for line in failed)), code="lines_failed")
        return result

    # ------------------------------------------------------------------ phases

    def _settle_earlier_canary(self):
        """A canary left by an earlier run is settled first: what it shows decides whether anything may be ordered."""
        if self.gate is not None and self.gate.pending():
            with self.gate.turn() as blocked:
                stop = blocked or self.gate.stop_reason()
            if stop:
                raise IMError("%s; nothing was ordered" % stop, code="canary_stop")

    def _settled_plan(self, specs, guardrails):
        """The plan once no order is open on its subscriptions. Never order on top of an order still open: wait for it,
        then plan again from scratch; overlapping runs can place new orders meanwhile, hence a few rounds."""
        states, lines = self._plan(specs, guardrails)
        open_orders = self.reconciler.open_orders(states, lines)
        self.mark("look for open orders")
        for _round in range(SETTLE_ROUNDS if not self.check_mode else 0):
            if not open_orders:
                break
            self._wait_for(open_orders)
            states, lines = self._plan(specs, guardrails)
            open_orders = self.reconciler.open_orders(states, lines)
        if open_orders and not self.check_mode:
            raise IMError("orders are still open on the subscriptions of %s; run again when they have completed"
                          % ", ".join(planner.line_label(lines[index - 1]) for index in sorted(open_orders)), code="order_still_open")
        for index, orders in open_orders.items():
            lines[index - 1]["message"] = "%s is still open; a real run waits for it and plans again" % ", ".join(describe(order) for order in orders)
        return states, lines

    def _plan(self, specs, guardrails):
        """Read, plan and price; refuse before any write when a line is blocked or the cost guardrail is exceeded."""
        options = self.options
        states = self.reconciler.read([dict(spec, po_number=spec["po_number"] or options["po_number"]) for spec in specs])
        lines = planner.plan_lines(states, guardrails, options["decrease_window_days"], self.reconciler.today)
        self.mark("read and plan")
        if self.check_mode or options["max_cost_delta"] is not None:
            # A real run without a cost guardrail takes each line's price from its order instead of estimating first.
            self.reconciler.price(states, lines, self.client.config.change_quantity)
            self.mark("price")
        blocked = [line for line in lines if line["action"] == _seats.BLOCKED]
        problem, code = None, "blocked"
        if blocked:
            problem = "%d of %d lines are blocked, so nothing was ordered: %s" % (len(blocked), len(lines), "; ".join(
                "%s: %s" % (planner.line_label(line), line["reason"]) for line in blocked))
        else:
            problem, code = planner.cost_violation(lines, options["max_cost_delta"]), "cost_limit"
            if problem:
                problem += "; nothing was ordered"
        if problem:
            self._refuse(lines, problem, code)
        return states, lines

    def _wait_for(self, open_orders):
        orders = {order["id"]: order for found in open_orders.values() for order in found}
        where = "the subscriptions of lines %s" % ", ".join(str(index) for index in sorted(open_orders))
        self.desk().settle(list(orders.values()), self.waiter(), where)

    def _check_approved_plan(self, result, lines):
        """Check mode saves the plan to approve; a real run refuses a plan that is no longer the one approved."""
        plan_file = self.options["plan_file"]
        if not plan_file:
            return
        result["plan_file"] = plan_file
        if self.check_mode:
            planner.save_plan(plan_file, lines)
            return
        stale = planner.saved_plan_differs(plan_file, lines)
        if stale:
            self._refuse(lines, stale, "plan_changed", plan_file=plan_file)

    def _order(self, states, lines, reading):
        """Order the changes (the canary first, while the reading is unconfirmed) and record how the reading stands."""
        gate = self.gate if reading["canary"] is not None else None
        confirmation = self.reconciler.apply(states, lines, self.client.config.change_quantity, self.waiter(), gate=gate, mark=self.mark)
        reading["canary"] = self.reconciler.canary_line
        if gate is not None:
            reading["confirmed"] = reading["confirmed"] or gate.confirmation
        elif confirmation is not None:
            line, order = confirmation
            # A change verified with the seats asked for confirms the reading for this API and marketplace.
            if record_confirmation(self.client, order, line["subscription_id"], self.warn):
                reading["confirmed"] = reading["confirmed"] or "confirmed by %s on subscription %s, in this run" % (
                    describe(order), line["subscription_id"])

    def _refuse(self, lines, message, code, **context):
        summary = planner.summarize(lines, planner.REFUSED)
        self.context.update(plan=lines, summary=summary, **context)
        raise IMError(message, code=code)


class PhaseClock:
    """``mark(name)`` for a LicenceRun: the seconds each phase took, in order (the benchmark's profile)."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.last = clock()
        self.phases = []

    def __call__(self, name):
        now = self.clock()
        self.phases.append((name, now - self.last))
        self.last = now


def canary_not_allowed(reading):
    """Why a run that may not place a canary (option ``canary`` false: the slices of an AWX sliced job) refuses its plan."""
    return ("line %s would be ordered first as a canary, to confirm that this platform reads change quantities as %s, but %s is "
            "false: runs that share no cache directory, such as the slices of an AWX sliced job, would each place one. Nothing was "
            "ordered. Confirm the reading first - one run with %s true, or an order of yours you have checked - then set %s "
            "(INGRAM_CHANGE_QUANTITY_CONFIRMED, the AWX credential's checkbox) to true and run again"
            % (reading["canary"], reading["change_quantity"], option("canary"), option("canary"), option("change_quantity_confirmed")))
