# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the platform reads the quantity of a change order: proven before money is spent. Private to this collection.

The vendor contract does not say whether a change order's line quantity is the subscription's new total or the number
of seats to add (the ``change_quantity`` setting). Two things make a wrong guess cheap to catch:

- ``judge_estimate`` (pure): the order estimate, which buys nothing, shows what the platform would do with the body we
  would send: its ``details`` carry the signed change, and the sign and size of its price bound the change. A clear
  contradiction stops a run before its first order; anything less is reported as inconclusive.
- ``_reading_record.ReadingRecord``: once a change order has completed with the seats asked for (the canary), the
  reading is recorded in the cache directory for this ``api_url`` and marketplace, so later runs need no canary.

This file is pure (no file, no request): the record is in ``_reading_record``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMError

TOTAL, DELTA = "total", "delta"
HOLDS, CONTRADICTS, INCONCLUSIVE = "holds", "contradicts", "inconclusive"
# Relative tolerance when comparing amounts (rounding of unit prices to cents).
TOLERANCE = Decimal("0.005")
MONTHS = {"year": 12, "month": 1}


def seats_text(change):
    """``+1 seat``, ``-5 seats``."""
    return "%+d seat%s" % (change, "" if abs(change) == 1 else "s")


def other(reading):
    return DELTA if reading == TOTAL else TOTAL


def sent_quantity(current, desired, reading):
    """The line quantity a change order carries to move ``current`` seats to ``desired`` under ``reading``."""
    return desired if reading == TOTAL else desired - current


def change_if_read_as(current, sent, reading):
    """The signed seat change the platform makes when it reads the line quantity ``sent`` as ``reading``."""
    return sent - current if reading == TOTAL else sent


def explain_seats(current, sent, actual):
    """Which reading turns ``current`` seats into ``actual`` with a line quantity of ``sent``; ``None`` when neither."""
    readings = [reading for reading in (TOTAL, DELTA) if current + change_if_read_as(current, sent, reading) == actual]
    return readings[0] if len(readings) == 1 else None


def _amount(value):
    try:
        amount = Decimal(str((value or {}).get("amount") if isinstance(value, dict) else value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def _term_multiplier(product):
    """How many billing periods one subscription term holds (an annual term billed monthly: 12); at least 1."""
    def months(period):
        period = period or {}
        try:
            return MONTHS.get(period.get("type"), 0) * int(float(period.get("duration") or 0))
        except (TypeError, ValueError):
            return 0
    term, billing = months((product or {}).get("subscriptionPeriod")), months((product or {}).get("billingPeriod"))
    return max(1, term // billing) if term and billing else 1


def _close(left, right):
    return abs(left - right) <= TOLERANCE * max(abs(left), abs(right), Decimal(1))


def judge_estimate(estimate, mpn, current, desired, reading, unit_price=None, product=None):
    """``(verdict, evidence)`` for one change line: does the estimate of the body sent under ``reading`` show the
    change we intend (``HOLDS``), the change the other reading would make (``CONTRADICTS``), or neither for sure
    (``INCONCLUSIVE``)? Pure.

    Evidence, strongest first: the signed ``quantity`` of the estimate's ``details`` for ``mpn``; else the estimated
    total against ``unit_price`` x seats. Prices can be prorated (smaller) or charged for a whole term (up to the
    term's number of billing periods, from ``product``), so only a price no proration can explain, or a sign opposite to
    the intended change, counts as a contradiction.
    """
    sent = sent_quantity(current, desired, reading)
    intended = desired - current
    misread = change_if_read_as(current, sent, other(reading))
    if intended == misread:
        return INCONCLUSIVE, "with %d seats now, both readings of the quantity %d give the same change" % (current, sent)
    where = "the estimate of %s %d -> %d (quantity %d sent as change_quantity=%s)" % (mpn, current, desired, sent, reading)
    changes = set()
    for detail in (estimate or {}).get("details") or []:
        if isinstance(detail, dict) and detail.get("mpn") in (mpn, None) and detail.get("quantity") is not None:
            try:
                changes.add(int(float(detail["quantity"])))
            except (TypeError, ValueError):
                continue
    if changes == {intended}:
        return HOLDS, "%s shows a change of %s, as intended" % (where, seats_text(intended))
    if changes == {misread}:
        return CONTRADICTS, ("%s shows a change of %s instead of %s: the platform reads change quantities as %s"
                             % (where, seats_text(misread), seats_text(intended), "new totals" if other(reading) == TOTAL else "seats to add"))
    if changes:
        return INCONCLUSIVE, "%s shows changes of %s seats, which neither reading explains" % (where, sorted(changes))
    total, unit = _amount((estimate or {}).get("total")), _amount(unit_price)
    if total is None or not unit or total == 0:
        return INCONCLUSIVE, "%s has no change details and no price to compare" % where
    if (total > 0) != (intended > 0) and (total > 0) == (misread > 0):
        return CONTRADICTS, ("%s prices the change at %s, which %s seats, while the change intended %s them: the platform "
                             "reads change quantities as %s" % (where, total, "adds" if total > 0 else "removes",
                                                                "adds" if intended > 0 else "removes",
                                                                "new totals" if other(reading) == TOTAL else "seats to add"))
    periods = _term_multiplier(product)
    most_for_intended = abs(unit * intended) * periods
    if abs(total) > most_for_intended * (1 + TOLERANCE) and abs(total) <= abs(unit * misread) * periods * (1 + TOLERANCE):
        return CONTRADICTS, ("%s prices the change at %s, more than %s at %s can cost even for a whole term (%s); "
                             "%s explain it: the platform reads change quantities as %s"
                             % (where, total, seats_text(intended), unit, most_for_intended, seats_text(misread),
                                "new totals" if other(reading) == TOTAL else "seats to add"))
    if _close(total, unit * intended) and not any(_close(total, unit * misread * k) for k in range(1, periods + 1)):
        return HOLDS, "%s prices the change at %s, exactly %s at %s" % (where, total, seats_text(intended), unit)
    return INCONCLUSIVE, ("%s prices the change at %s and shows no change details; the price (prorated, or for a term) "
                          "fits either reading" % (where, total))


def contradiction(change_quantity, evidence):
    """The refusal of a run whose price estimate contradicts ``change_quantity``, with the setting that fits."""
    right = other(change_quantity)
    return ("the API's price estimate contradicts change_quantity=%s, so nothing was ordered: %s. Set change_quantity: %s "
            "(INGRAM_CHANGE_QUANTITY=%s)" % (change_quantity, evidence, right, right))


def prove_estimate(estimate, mpn, current, desired, change_quantity, unit_price=None):
    """``{"change_quantity", "verdict", "evidence"}`` of one change's estimate; IMError when it contradicts the setting."""
    verdict, evidence = judge_estimate(estimate, mpn, current, desired, change_quantity, unit_price)
    if verdict == CONTRADICTS:
        raise IMError(contradiction(change_quantity, evidence), code="change_quantity_contradicted")
    return {"change_quantity": change_quantity, "verdict": verdict, "evidence": evidence}


def summarize_verdicts(verdicts):
    """One ``(verdict, evidence)`` for a run from the lines' verdicts: a contradiction wins, then a confirmation."""
    for wanted in (CONTRADICTS, HOLDS):
        found = [evidence for verdict, evidence in verdicts if verdict == wanted]
        if found:
            return wanted, found[0]
    return INCONCLUSIVE, (verdicts[0][1] if verdicts else "no change order to estimate")
