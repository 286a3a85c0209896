# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The canary's turn: one unproven change order at a time per API and marketplace on a machine. Private to this collection.

Until a change order has been seen to leave the seats asked for (``ReadingRecord``), the first change order of a run
is the canary: placed, waited for and read back before any other. The turn is a lock in the cache directory, so every
run using it - the hosts of one playbook run among them, each in its own process - waits for the one canary instead
of placing its own. A canary that ends without a verdict (its wait timed out, the run was killed) is recorded as
pending, and no change order is placed until a later run has settled it from the order and the seats it left.
"""

from __future__ import annotations

import contextlib

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._locks import flocked, private_directory
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _quantity_reading as quantity_reading
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._reading_record import ReadingRecord
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._seats import seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import path_id
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import FAILED_STATUSES, OPEN_STATUSES, describe

# Beyond the canary's own wait, how long a run waits for another run's canary to be settled.
TURN_MARGIN = 60


def setting_text(reading):
    return "change_quantity: %s (INGRAM_CHANGE_QUANTITY=%s)" % (reading, reading)


def refutation(record, store, change_quantity):
    """Why no change order may be placed under ``change_quantity`` when ``record`` confirmed the other reading."""
    return ("change_quantity is %s, but %s on subscription %s, completed on %s, showed that this platform reads change "
            "quantities as %s (recorded in %s); nothing was ordered. Set %s, or delete that file if the platform has "
            "changed" % (change_quantity, record.get("order"), record.get("subscription_id"), record.get("confirmed_at"),
                         record["change_quantity"], store.path, setting_text(record["change_quantity"])))


def record_confirmation(client, order, subscription_id, warn):
    """Record that ``order``, a change verified with the seats asked for, confirms the client's ``change_quantity``
    (unless a record exists). Only saves later runs a canary, so a record that cannot be written is a warning."""
    store = ReadingRecord(client.config)
    try:
        if store.load() is None:
            store.store(client.config.change_quantity, describe(order), subscription_id)
            return True
    except (OSError, IMConfigError) as exc:
        warn("could not record the confirmed change_quantity in %s (%s); the next run places a canary order again"
             % (store.directory, getattr(exc, "strerror", None) or exc))
    return False


class CanaryGate:
    """The canary's turn and record for the API and marketplace of ``client``."""

    def __init__(self, client, wait_timeout, warn):
        self.client = client
        self.warn = warn
        self.change_quantity = client.config.change_quantity
        self.store = ReadingRecord(client.config)
        self.timeout = wait_timeout + TURN_MARGIN
        self.confirmation = None  # how this run confirmed the reading, in words

    @contextlib.contextmanager
    def turn(self):
        """Hold the turn for the block; yields ``None``, or why no change order may be placed when it did not come."""
        private_directory(self.store.directory)
        with flocked(self.store.path + ".canary.lock", timeout=self.timeout) as acquired:
            yield None if acquired else ("another run on this machine held the canary's turn for more than %ds (%s plus "
                                         "%ds): run again once it has ended" % (self.timeout, option("wait_timeout"), TURN_MARGIN))

    def pending(self):
        """Whether a canary order of an earlier run waits to be settled."""
        return self.store.load_pending() is not None

    def stop_reason(self):
        """In the turn: why no change order may be placed now, or ``None``. Settles a pending canary first."""
        pending = self.store.load_pending()
        if pending is not None:
            stop = self._settle(pending)
            if stop is not None:
                return stop
        record = self.store.load()
        if record is not None and record["change_quantity"] != self.change_quantity:
            return refutation(record, self.store, self.change_quantity)
        return None

    def needs_canary(self):
        """In the turn: whether no run has confirmed the reading yet."""
        return self.store.load() is None

    def placed(self, order, body, current):
        """The canary order exists: record it as pending until it is settled."""
        self._recording(self.store.store_pending, {
            "order_id": order.get("id"), "order": describe(order), "subscription_id": body["subscriptionId"],
            "mpn": body["products"][0]["mpn"], "from": current, "sent": body["products"][0]["quantity"],
            "change_quantity": self.change_quantity,
        })

    def confirmed(self, order, subscription_id):
        self._recording(self.store.store, self.change_quantity, describe(order), subscription_id)
        self._recording(self.store.clear_pending)
        self.confirmation = "confirmed by %s on subscription %s, in this run" % (describe(order), subscription_id)

    def refuted(self, reading, order, subscription_id):
        """The canary left the seats the other reading makes: record the platform's reading, so no run orders under ours."""
        self._recording(self.store.store, reading, describe(order), subscription_id)
        self._recording(self.store.clear_pending)

    def cleared(self):
        """The canary changed nothing (withdrawn, or ended in error): nothing is left to settle."""
        self._recording(self.store.clear_pending)

    def _recording(self, write, *args):
        # The canary's order is placed by now: a record that cannot be written (a read-only disk) must not hide what
        # happened to it, so it is a warning; the run's own lines still say it.
        try:
            write(*args)
        except OSError as exc:
            self.warn("could not record the canary in %s (%s); check it in the reseller control panel before the next run"
                      % (self.store.directory, exc.strerror or exc))

    def _settle(self, pending):
        """Settle a canary left pending by an earlier run from its order and the seats; why nothing may be ordered, or None."""
        name = "the canary %s on subscription %s, placed on %s by an earlier run" % (
            pending.get("order"), pending.get("subscription_id"), pending.get("placed_at"))
        order = self.client.get_or_none("/orders/%s" % path_id(pending.get("order_id")))
        if order is None:
            return ("%s could not be found, so the change quantity it was to prove is still unproven. Check it in the reseller "
                    "control panel, then remove %s" % (name, self.store.pending_path))
        status = order.get("status")
        if status in OPEN_STATUSES:
            return ("%s is still %s; no change order is placed on this machine until it has ended and its seats have been "
                    "read back: run again once it has completed" % (name, status))
        if status in FAILED_STATUSES:
            self.store.clear_pending()  # it changed nothing: a new canary is needed
            return None
        subscription = self.client.get("/subscriptions/%s" % path_id(pending["subscription_id"]))
        actual, start, sent = seats(subscription, pending["mpn"]), int(pending["from"]), int(pending["sent"])
        reading = quantity_reading.explain_seats(start, sent, actual)
        if reading is None:
            return ("%s completed, but subscription %s has %d seats, which neither reading of its quantity %d (from %d seats) "
                    "explains; another order may have changed them since. Check the subscription in the reseller control panel, "
                    "then set change_quantity_confirmed: true (INGRAM_CHANGE_QUANTITY_CONFIRMED=true) with the change_quantity "
                    "that holds, or remove %s" % (name, pending["subscription_id"], actual, sent, start, self.store.pending_path))
        self.store.store(reading, pending.get("order"), pending["subscription_id"])
        self.store.clear_pending()
        if reading == self.change_quantity:
            self.confirmation = "confirmed by %s on subscription %s, settled in this run" % (pending.get("order"), pending["subscription_id"])
        return None
