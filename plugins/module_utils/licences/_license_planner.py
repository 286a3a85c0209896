# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The licence plan: from subscriptions, desired seats and guardrails to a plan, its totals and its outcome.

Private to this collection. Pure functions, no I/O: ``_license_reconciler`` reads the state they plan from and applies
what they decide, and the unit and property tests exercise them on their own.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import tempfile
from decimal import Decimal

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base import _layout
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats

# How a real run ended (summary.outcome); check mode always ends PLANNED.
PLANNED, APPLIED, PENDING, PARTIAL, FAILED, REFUSED = "planned", "applied", "pending", "partial", "failed", "refused"
# Line results after a real run.
COMPLETED, SUBMITTED, LINE_FAILED = "completed", "submitted", "failed"


def line_label(line):
    """How a line is named in messages: ``line 3 (ACME-001 CFQ7TTC0LDPB:0001:P1Y 30 -> 20)``, or for a row of a licence
    CSV, ``licenses.csv row 5 (...)``."""
    who = line.get("customer") or line.get("customer_id") or "subscription %s" % line.get("subscription_id")
    seats = _layout.seat_change(line)
    return "%s (%s)" % (line.get("source") or "line %d" % line["index"], " ".join(part for part in (who, line.get("mpn"), seats) if part))


def plan_lines(states, guardrails, window_days=None, today=None):
    """The plan: one line per state, in order. Pure.

    Each state is a dict with ``index``, ``customer`` (as given), ``customer_id``, ``customer_name``, ``mpn``,
    ``desired``, ``window_days`` (per-line override or ``None``), ``subscription`` (full record or ``None`` when the
    customer holds none of the product), ``product`` (the catalog entry, for limits) and ``problem`` (why the line
    cannot be planned, or ``None``).
    """
    lines = []
    seen = {}
    for state in states:
        subscription = state.get("subscription")
        line = {
            "index": state["index"], "customer": state.get("customer"), "customer_id": state.get("customer_id"),
            "customer_name": state.get("customer_name"), "subscription_id": (subscription or {}).get("id") or state.get("subscription_id"),
            "mpn": state.get("mpn"), "product": (state.get("product") or {}).get("name"), "current": None,
            "desired": state["desired"], "delta": None, "action": _seats.BLOCKED, "reason": state.get("problem"),
            "deferred_until": None, "price_change": None, "result": None, "failure": None, "order": None, "message": None,
            "source": state.get("source") or "line %d" % state["index"], "derivation": state.get("derivation"),
        }
        lines.append(line)
        if subscription is not None:
            line["product"] = _seats.product_line(subscription, state["mpn"]).get("name") or line["product"]
            line["current"] = _seats.seats(subscription, state["mpn"])
        line["delta"] = line["desired"] - (line["current"] or 0)
        key = (line["subscription_id"] or line["customer_id"], line["mpn"])
        if key in seen and line["reason"] is None:
            line["reason"] = "declares the same subscription as %s; declare each subscription once" % seen[key]
        seen.setdefault(key, line["source"])
        if line["reason"] is not None:
            continue
        if subscription is not None and subscription.get("status") != "active":
            line["reason"] = "subscription %s is %s; only active subscriptions can be changed" % (subscription["id"], subscription.get("status"))
            continue
        window = state.get("window_days") if state.get("window_days") is not None else window_days
        start, renewal = _seats.term_dates(subscription) if subscription else (None, None)
        action, reason, until = _seats.decide(line["current"], line["desired"], guardrails, window, start, renewal, today)
        line.update(action=action, reason=reason, deferred_until=until)
        if action in _seats.ORDERING and state.get("product"):
            try:
                _seats.check_limits(state["product"], line["desired"], "quantity")
            except IMConfigError as exc:
                line.update(action=_seats.BLOCKED, reason=str(exc))
    return lines


def add_amounts(amounts):
    """``{"amount", "currency", "per"}`` totals per currency and billing period of ``amounts`` (dicts with string
    amounts): a monthly and a yearly amount are never added up."""
    totals = collections.OrderedDict()
    for price in amounts:
        if price and price.get("amount") is not None:
            key = (price.get("currency"), price.get("per"))
            totals[key] = totals.get(key, Decimal(0)) + Decimal(str(price["amount"]))
    return [{"amount": str(amount), "currency": currency, "per": per} for (currency, per), amount in totals.items()]


def money_text(price):
    """``62.50 USD per month``: an amount with its currency and, when known, the period it is charged for."""
    return "%s %s%s" % (price["amount"], price.get("currency") or "", " per %s" % price["per"] if price.get("per") else "")


def cost_violation(lines, max_cost_delta):
    """A message when the plan's estimated price change exceeds ``max_cost_delta`` in any currency, else ``None``."""
    if max_cost_delta is None:
        return None
    for total in add_amounts(line["price_change"] for line in lines if line["action"] in _seats.ORDERING):
        if Decimal(total["amount"]) > Decimal(str(max_cost_delta)):
            costly = [line for line in lines if line["price_change"] and Decimal(line["price_change"]["amount"]) > 0]
            return "the plan's estimated price change of %s exceeds %s %s; lines adding cost: %s" % (
                money_text(total), option("max_cost_delta"), max_cost_delta,
                "; ".join("%s: %s" % (line_label(line), money_text(line["price_change"])) for line in costly))
    return None


def run_outcome(lines):
    """How a real run ended, from its lines' results: APPLIED only when every line reached its seats (ordered and
    verified, or nothing to do); PENDING when the rest was deliberately left for later (``wait: false``, a deferred
    decrease); PARTIAL or FAILED when a line failed, depending on whether any other line was ordered."""
    results = collections.Counter(line["result"] for line in lines)
    if results[LINE_FAILED]:
        return PARTIAL if results[COMPLETED] or results[SUBMITTED] else FAILED
    if results[SUBMITTED] or results[_seats.DEFERRED]:
        return PENDING
    return APPLIED


def failure_headline(lines):
    """``3 of 4 lines failed (1 other line was ordered); orders of failed lines still open: SO000021, SO000022 (...)``:
    how many lines failed, and which orders exist for them, so that nobody reads a failure as "nothing was bought"."""
    failed = [line for line in lines if line["result"] == LINE_FAILED]
    ordered = len([line for line in lines if line["result"] in (COMPLETED, SUBMITTED)])
    headline = "%d of %d lines failed" % (len(failed), len(lines))
    if ordered:
        headline += " (%d other line%s ordered)" % (ordered, " was" if ordered == 1 else "s were")
    standing = [line["order"] for line in failed if line.get("order") and line["order"].get("status") in ("submitted", "processing", "completed")]
    if standing:
        headline += "; orders of failed lines that exist: %s (a rerun is safe: it waits for open orders and plans from the seats " \
                    "it finds)" % ", ".join("%s (%s)" % (order.get("order_number") or order.get("id"), order.get("status")) for order in standing)
    return headline


def summarize(lines, outcome):
    """Counts per action and result, total price change and fingerprint of ``lines``, with the run's ``outcome``."""
    counts = collections.Counter(line["action"] for line in lines)
    results = collections.Counter(line["result"] for line in lines if line["result"])
    totals = add_amounts(line["price_change"] for line in lines if line["action"] in _seats.ORDERING)
    return {
        "outcome": outcome,
        "lines": len(lines),
        "increase": counts[_seats.INCREASE], "decrease": counts[_seats.DECREASE], "create": counts[_seats.CREATE],
        "none": counts[_seats.NONE], "deferred": counts[_seats.DEFERRED], "blocked": counts[_seats.BLOCKED],
        "completed": results[COMPLETED], "submitted": results[SUBMITTED], "failed": results[LINE_FAILED],
        "price_change": totals[0] if len(totals) == 1 else (totals or None),
        "fingerprint": fingerprint(lines),
    }


def fingerprint(lines):
    """A digest of what the plan was computed from and decided: seats, subscriptions and actions (prices excluded,
    since estimates move with proration while the state stays the same)."""
    keys = ("index", "customer_id", "subscription_id", "mpn", "current", "desired", "action", "deferred_until")
    material = json.dumps([[line.get(key) for key in keys] for line in lines], sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def plan_differences(saved_lines, lines):
    """Human-readable differences between a saved plan and the recomputed one."""
    keys = ("customer_id", "subscription_id", "mpn", "current", "desired", "action")
    differences = []
    if len(saved_lines) != len(lines):
        differences.append("the saved plan has %d lines, the current input %d" % (len(saved_lines), len(lines)))
    for saved, line in zip(saved_lines, lines):
        changed = ["%s %s -> %s" % (key, saved.get(key), line.get(key)) for key in keys if saved.get(key) != line.get(key)]
        if changed:
            differences.append("%s: %s" % (line_label(line), ", ".join(changed)))
    return differences


# The format of a plan file written by save_plan.
PLAN_FORMAT = 1


def save_plan(path, lines):
    """Write the plan of a check-mode run to ``path`` (atomically), for a later real run to check against."""
    document = {"format": PLAN_FORMAT, "fingerprint": fingerprint(lines), "plan": lines, "summary": summarize(lines, PLANNED)}
    descriptor, temp_path = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".plan-", suffix=".json")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
    os.replace(temp_path, path)


def saved_plan_differs(path, lines):
    """Why ``lines`` may not be applied under the plan saved in ``path`` (what differs), or ``None`` when they are that plan."""
    try:
        with open(path, encoding="utf-8") as handle:
            saved = json.load(handle)
        saved_print, saved_lines = saved["fingerprint"], saved["plan"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IMError("%s %s is not a plan saved by this module in check mode (%s)" % (option("plan_file"), path, exc)) from None
    if saved_print == fingerprint(lines):
        return None
    differences = plan_differences(saved_lines, lines) or ["the plan was computed from a different state"]
    return ("the plan differs from the one saved in %s, so nothing was changed: %s. Review the new plan (run in check mode "
            "again) before applying" % (path, "; ".join(differences)))


def diff(lines):
    """The ``--diff`` of a plan: each line's seats before and after."""
    def seats(line, after):
        return line["desired"] if after and line["action"] in _seats.ORDERING else line["current"]

    label = "{index} {customer} {mpn}"
    return {"before": {label.format(**line): seats(line, False) for line in lines},
            "after": {label.format(**line): seats(line, True) for line in lines}}
