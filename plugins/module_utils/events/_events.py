# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What changed in a Marketplace account, as events (the marketplace_events event source). Private to this collection.

Two parts:

- ``changes(before, after, ...)`` is the change detection itself and pure: two snapshots in, events out.
- ``Watcher`` builds the next snapshot from the last one at a cost proportional to what changed: the orders created
  since the newest one seen (one listing), the open orders until they end (one read each), the subscriptions an
  ended order touched (one read each), the newest page of customers; and, at a slower interval, a sweep of every
  subscription's status and renewal date (changes that come without an order).

A snapshot holds the customers' external ids, each subscription's status, seats and renewal, the orders still open,
the orders of the newest creation time seen, and which renewals were announced: its size follows the account, not how
long the source has run. The ``Checkpoint`` keeps the last snapshot and the events taken from it that the rule engine
has not taken yet (written before they are emitted), so a restarted source emits those again, unchanged, and nothing
else twice.

Every event has an ``event_id`` made of the change itself (the order and its status, the subscription and its seats
and the order that changed them, the renewal date...): the same change always has the same id, so rules and
playbooks can tell an event emitted again from a new one.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import os
import re
import stat
import time

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api import _locks
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError

FORMAT = 2  # of the checkpoint file; format 1 (a bare snapshot) is read too
FINAL_ORDER_STATUSES = ("completed", "error", "cancelled")
ERROR_MESSAGE = "the order ended in error; the platform shows its details in the reseller control panel"


def empty():
    return {"customers": {}, "subscriptions": {}, "orders": {}, "renewals": {}, "orders_since": None, "orders_at_since": [],
            "last_sweep": None}


def _event(kind, customers, observed_at, customer_id, *key, **fields):
    """An event with the keys every event has; ``key`` (what identifies the change besides its type) makes its id."""
    customer = customers.get(str(customer_id)) or {} if customer_id is not None else {}
    event = {"type": kind, "event_id": event_id(kind, *key), "customer_id": customer_id,
             "customer_external_id": customer.get("external_id"), "subscription_id": None, "order_id": None, "before": None,
             "after": None, "observed_at": observed_at}
    event.update(fields)
    return event


def event_id(kind, *key):
    """``order_status_changed:5000123:error``: the type and what identifies the change, the same each time it is emitted."""
    return ":".join([kind] + ["-" if part is None else str(part) for part in key])


def source_error(state, began_at, observed_at, **fields):
    """A ``source_error`` event, with the keys every event has (no customer, subscription or order)."""
    return _event("source_error", {}, observed_at, None, state, began_at, state=state, **fields)


def _order_view(order):
    view = {"status": order["status"], "status_code": order.get("status_code")}
    if order["status"] == "error":
        view["message"] = order.get("message") or ERROR_MESSAGE
    return view


def changes(before, after, observed_at, today=None, renewal_days=None):
    """The events between two snapshots: ``before`` (the last one) and ``after`` (the one just read). ``today`` and
    ``renewal_days`` announce subscriptions renewing within that many days with auto-renew off, once per renewal date
    (``before["renewals"]`` holds those announced).

    ``observed_at`` is when the change happened where the API says so (an order's creation, its provisioning), else
    ``observed_at`` as given: when the poll that saw it started."""
    customers = after["customers"]
    events = []
    for customer_id in after["customers"]:
        if customer_id not in before["customers"]:
            events.append(_event("customer_created", customers, observed_at, customer_id, customer_id,
                                 after={"name": after["customers"][customer_id].get("name")}))
    for order_id, order in after["orders"].items():
        old = before["orders"].get(order_id)
        common = dict(order_id=order_id, order_number=order.get("order_number"), order_type=order.get("type"),
                      subscription_id=(order.get("subscription_ids") or [None])[0], products=order.get("products") or [])
        if old is None:
            events.append(_event("order_created", customers, order.get("created") or observed_at, order["customer_id"], order_id,
                                 after=_order_view(order), **common))
        if (old or {}).get("status") != order["status"] and (old is not None or order["status"] in FINAL_ORDER_STATUSES):
            ended_at = order.get("provisioned") if order["status"] == "completed" else None
            events.append(_event("order_status_changed", customers, ended_at or observed_at, order["customer_id"], order_id,
                                 order["status"], before=_order_view(old) if old else None, after=_order_view(order), **common))
    for subscription_id, subscription in after["subscriptions"].items():
        old = before["subscriptions"].get(subscription_id)
        if old is None:
            continue
        common = dict(subscription_id=subscription_id, product=subscription.get("name"), order_id=subscription.get("changed_by"))
        if old.get("seats") is not None and subscription.get("seats") is not None and old["seats"] != subscription["seats"]:
            events.append(_event("seats_changed", customers, observed_at, subscription["customer_id"], subscription_id, old["seats"],
                                 subscription["seats"], subscription.get("changed_by"), before={"seats": old["seats"]},
                                 after={"seats": subscription["seats"]}, **common))
        if old.get("status") != subscription.get("status"):
            # A subscription can go to hold and back more than once: the day tells one round from the next.
            events.append(_event("subscription_status_changed", customers, observed_at, subscription["customer_id"], subscription_id,
                                 old.get("status"), subscription.get("status"), subscription.get("changed_by") or observed_at[:10],
                                 before={"status": old.get("status")}, after={"status": subscription.get("status")}, **common))
    if today is not None and renewal_days is not None:
        events.extend(_renewals(before, after, observed_at, today, renewal_days))
    return events


def _renewals(before, after, observed_at, today, renewal_days):
    events = []
    for subscription_id, subscription in after["subscriptions"].items():
        renewal = subscription.get("renewal_date")
        if subscription.get("auto_renew") is not False or subscription.get("status") != "active" or not renewal:
            continue
        try:
            days_left = (datetime.date.fromisoformat(str(renewal)[:10]) - today).days
        except ValueError:
            continue
        if 0 <= days_left <= renewal_days and before["renewals"].get(subscription_id) != renewal:
            events.append(_event("renewal_approaching", after["customers"], observed_at, subscription["customer_id"], subscription_id,
                                 renewal, subscription_id=subscription_id, product=subscription.get("name"),
                                 after={"renewal_date": renewal, "days_left": days_left, "auto_renew": False}))
    return events


def settle(snapshot, events):
    """The snapshot to keep once ``events`` are out: ended orders dropped, announced renewals recorded, and renewals of
    subscriptions that are gone forgotten (so that neither grows with time)."""
    kept = copy.deepcopy(snapshot)
    kept["orders"] = {key: order for key, order in kept["orders"].items() if order["status"] not in FINAL_ORDER_STATUSES}
    for event in events:
        if event["type"] == "renewal_approaching":
            kept["renewals"][event["subscription_id"]] = event["after"]["renewal_date"]
    kept["renewals"] = {key: date for key, date in kept["renewals"].items()
                        if key in kept["subscriptions"] and kept["subscriptions"][key].get("renewal_date") == date}
    for subscription in kept["subscriptions"].values():
        subscription.pop("changed_by", None)
    return kept


# ---------------------------------------------------------------------------------------------------- reading the API

def _order_record(detail):
    subscription_ids = [detail.get("subscriptionId")] + [line.get("subscriptionId") for line in detail.get("products") or []]
    record = {"customer_id": str(detail.get("customerId")), "order_number": detail.get("orderNumber"), "type": detail.get("type"),
              "status": detail.get("status"), "status_code": detail.get("statusCode"), "created": detail.get("creationDate"),
              "provisioned": detail.get("provisioningDate"),
              "subscription_ids": sorted({str(key) for key in subscription_ids if key}),
              # What was ordered, as the order's detail (already read) says: for the event's words.
              "products": [{"name": line.get("name"), "mpn": line.get("mpn"), "quantity": line.get("quantity")}
                           for line in detail.get("products") or []]}
    for key in ("message", "errorMessage", "statusMessage"):  # whatever the platform says about an order in error
        if detail.get(key):
            record["message"] = str(detail[key])
            break
    return record


def _subscription_record(row, detail=None):
    record = {"customer_id": str(row.get("customerId")), "name": row.get("name"), "status": row.get("status"),
              "renewal_date": row.get("renewalDate"), "auto_renew": row.get("renewalStatus")}
    products = (detail or {}).get("products")
    if products:
        record["seats"] = sum(int(float(line.get("quantity") or 0)) for line in products)
    return record


class Watcher:
    """Reads what changed since ``snapshot`` (``None``: nothing known yet, so the first poll only takes a baseline)."""

    def __init__(self, client, snapshot=None, sweep_interval=3600.0, renewal_days=10, clock=time.time, concurrency=4,
                 customer_page=50):
        self.client = client
        self.snapshot = snapshot
        self.sweep_interval = sweep_interval
        self.renewal_days = renewal_days
        self.clock = clock
        self.concurrency = concurrency
        self.customer_page = customer_page

    def poll(self):
        """Read the account and return the events since the last poll; ``self.snapshot`` moves on only once all reads
        succeeded (a failed poll leaves it as it was, so the next one sees the same changes)."""
        now = self.clock()
        observed_at = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        today = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date()
        if self.snapshot is None:
            after = self._baseline(now)
            before = dict(after, renewals={})
        else:
            before = self.snapshot
            after = self._next(before, now)
        events = changes(before, after, observed_at, today, self.renewal_days)
        self.snapshot = settle(after, events)
        return events

    def _baseline(self, now):
        snapshot = empty()
        snapshot["customers"] = self._customers(self.client.paginate("/customers"))
        # Every order created at the newest creation time is known, not only the newest one: orders placed in the same
        # second would otherwise be announced as new by the next poll, which lists them all again.
        newest = self.client.paginate("/orders", page_size=1, max_items=1)
        if newest and newest[0].get("creationDate"):
            newest = self.client.paginate("/orders", {"creationTimeFrom": newest[0]["creationDate"]})
        latest = max((str(row.get("creationDate")) for row in newest if row.get("creationDate")), default=None)
        snapshot["orders_since"] = latest
        snapshot["orders_at_since"] = sorted(str(row["id"]) for row in newest if str(row.get("creationDate")) == latest)
        for status in ("submitted", "processing"):
            for row in self.client.paginate("/orders", {"status": status}):
                snapshot["orders"][str(row["id"])] = _order_record(self.client.get("/orders/%s" % row["id"]))
        self._sweep(snapshot, now)
        return snapshot

    def _next(self, before, now):
        after = copy.deepcopy(before)
        touched = set()
        # Orders created since the newest one seen (the listing is newest first; the same second may hold more).
        query = {"creationTimeFrom": before["orders_since"]} if before["orders_since"] else {}
        known = set(before["orders_at_since"]) | set(before["orders"])
        new_rows = [row for row in self.client.paginate("/orders", query) if str(row["id"]) not in known]
        details = self.client.map_concurrent(lambda row: self.client.get("/orders/%s" % row["id"]), new_rows, self.concurrency)
        for detail in details:
            after["orders"][str(detail["id"])] = _order_record(detail)
        if new_rows:
            newest = max(new_rows, key=lambda row: str(row.get("creationDate")))["creationDate"]
            at_since = before["orders_at_since"] if newest == before["orders_since"] else []
            after["orders_since"] = newest
            after["orders_at_since"] = sorted(set(at_since) | {str(row["id"]) for row in new_rows if row.get("creationDate") == newest})
        # Open orders, followed until they end.
        still_open = list(before["orders"])  # only open orders are kept, and new ones are never among them
        for detail in self.client.map_concurrent(lambda key: self.client.get("/orders/%s" % key), still_open, self.concurrency):
            after["orders"][str(detail["id"])] = _order_record(detail)
        for key, order in after["orders"].items():
            if order["status"] in FINAL_ORDER_STATUSES and (before["orders"].get(key) or {}).get("status") != order["status"]:
                touched.update((subscription_id, key) for subscription_id in order["subscription_ids"])
        # The subscriptions an ended order touched.
        pairs = sorted(touched)
        for (subscription_id, order_id), detail in zip(pairs, self.client.map_concurrent(
                lambda pair: self.client.get_or_none("/subscriptions/%s" % pair[0]), pairs, self.concurrency)):
            if detail is not None:
                record = _subscription_record(detail, detail)
                record["changed_by"] = order_id
                after["subscriptions"][subscription_id] = record
        # Customers: the newest page, and more only while every one on it is new.
        page = self.customer_page
        while True:
            rows = self.client.paginate("/customers", page_size=page, max_items=page)
            if len(rows) < page or any(str(row["id"]) in before["customers"] for row in rows):
                break
            page *= 4
        for key, customer in self._customers(rows).items():
            after["customers"].setdefault(key, customer)
        if before["last_sweep"] is None or now - before["last_sweep"] >= self.sweep_interval:
            self._sweep(after, now)
        return after

    def _sweep(self, snapshot, now):
        """Every subscription's status and renewal from the listing; the seats of those not known yet from their detail."""
        rows = self.client.paginate("/subscriptions")
        unknown = [row for row in rows if (snapshot["subscriptions"].get(str(row["id"])) or {}).get("seats") is None]
        details = dict(zip([str(row["id"]) for row in unknown], self.client.map_concurrent(
            lambda row: self.client.get_or_none("/subscriptions/%s" % row["id"]), unknown, self.concurrency)))
        listed = {}
        for row in rows:
            key = str(row["id"])
            known = snapshot["subscriptions"].get(key) or {}
            record = _subscription_record(row, details.get(key))
            record.setdefault("seats", known.get("seats"))
            if known.get("changed_by"):  # read in this poll after an order ended: the order stays named
                record["changed_by"] = known["changed_by"]
            listed[key] = record
        snapshot["subscriptions"] = listed
        snapshot["last_sweep"] = now

    @staticmethod
    def _customers(rows):
        return {str(row["id"]): {"external_id": row.get("externalId"), "name": row.get("name")} for row in rows}


# ---------------------------------------------------------------------------------------------------- the checkpoint

def checkpoint_path(config, path=None, name="events"):
    """``path``, or a file named after the API, the user and ``name`` (one per source that runs at the same time) under
    ``<cache>/ingrammicro.marketplace/events``."""
    if path:
        return os.path.abspath(os.path.expanduser(path))
    digest = hashlib.sha256("\0".join((config.api_url, config.marketplace, config.username)).encode("utf-8")).hexdigest()[:32]
    return os.path.join(_locks.cache_root(), "events", "%s-%s.json" % (digest, re.sub(r"[^A-Za-z0-9_.-]", "_", str(name))))


CHECKPOINT_FIX = "Remove it (the source then starts from the account as it is now) or give a checkpoint of your own"


def checkpoint_directory(directory, create=True):
    """Check (and create, 0700) the directory a checkpoint is kept in, before anything is read from the API.

    Under the cache directory, the cache's rules apply (``_locks.private_directory``). Elsewhere - a volume the user
    chose - a directory of the user's is accepted even when its group may write to it (volumes are often 2775, with the
    set-group-id bit), and so is a directory where no one can remove or replace another's files (the sticky bit, as on
    /tmp); the checkpoint file itself must be the user's and writable by no one else. Returns ``directory``."""
    if _locks.in_cache(directory):
        return _locks.private_directory(directory, create=create)
    if create:
        os.makedirs(directory, 0o700, exist_ok=True)
    status = os.stat(directory)
    problem = None
    if not stat.S_ISDIR(status.st_mode):
        problem = "is not a directory"
    elif not status.st_mode & stat.S_ISVTX and status.st_uid != os.geteuid():
        problem = "belongs to uid %d, not to you (uid %d), so its owner could replace the checkpoint in it" % (status.st_uid, os.geteuid())
    elif not status.st_mode & stat.S_ISVTX and status.st_mode & 0o002:
        problem = "has mode %04o: every user can write to it, so anyone could replace the checkpoint in it" % stat.S_IMODE(status.st_mode)
    elif not os.access(directory, os.W_OK | os.X_OK):
        problem = "is not writable for you (mode %04o, uid %d)" % (stat.S_IMODE(status.st_mode), status.st_uid)
    if problem:
        raise IMConfigError("checkpoint directory %s %s. Give a checkpoint in a directory of your own" % (directory, problem))
    return directory


class Checkpoint:
    """What a source keeps between runs, in one file: the last snapshot, and the events taken from it that the rule
    engine has not taken yet (``pending``), in the order they are emitted.

    ``record`` writes the next snapshot together with its events *before* they are emitted, and ``acknowledge`` drops
    an event once the engine has it: a source killed at any point emits the pending events again after its restart,
    with the same content and ``event_id``, and none of the others twice. The file is written in one step (a new file
    renamed over the old one), mode 0600, and read only when it is the user's.
    """

    def __init__(self, path):
        self.path = path
        self.snapshot = None
        self.pending = []

    def open(self):
        """Check the directory and read the file (if any): done before the API is read, so a checkpoint that cannot be
        kept fails the source at once."""
        checkpoint_directory(os.path.dirname(self.path))
        try:
            fd = _locks.open_private(self.path, os.O_RDONLY, noun="checkpoint", fix=CHECKPOINT_FIX)
        except FileNotFoundError:
            return self
        with os.fdopen(fd, encoding="utf-8") as handle:
            try:
                content = json.load(handle)
            except ValueError:
                raise IMConfigError("checkpoint %s is not the JSON this source writes; remove it to start from the account as it "
                                    "is now" % self.path) from None
        if isinstance(content, dict) and content.get("format") == 1:  # a bare snapshot, from before events were journalled
            content = {"format": FORMAT, "snapshot": content, "pending": []}
        if not isinstance(content, dict) or content.get("format") != FORMAT or not isinstance(content.get("pending"), list):
            raise IMConfigError("checkpoint %s was written by another version of this source; remove it to start from the account "
                                "as it is now" % self.path)
        self.snapshot, self.pending = content["snapshot"], content["pending"]
        return self

    def record(self, snapshot, events):
        """Keep ``snapshot`` and add ``events`` (about to be emitted) to the pending ones."""
        self.snapshot = snapshot
        self.pending.extend(events)
        self.save()

    def acknowledge(self, event):
        """The engine has taken ``event``: it is not emitted again."""
        for index, pending in enumerate(self.pending):
            if pending.get("event_id") == event.get("event_id"):
                del self.pending[index]
                break
        self.save()

    def save(self):
        directory = checkpoint_directory(os.path.dirname(self.path))
        temporary = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(self.path), os.getpid()))
        fd = _locks.open_private(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, noun="checkpoint", fix=CHECKPOINT_FIX)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"format": FORMAT, "snapshot": self.snapshot, "pending": self.pending}, handle, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)


# ---------------------------------------------------------------------------------------------------- in words

def _state(value):
    if not value:
        return "none"
    return ", ".join("%s %s" % (key.replace("_", " "), value[key]) for key in value if key != "status_code")


def describe(event):
    """One line that says what an event means, for a person: what, for whom, before and after, when."""
    kind = event.get("type")
    who = event.get("customer_external_id") or event.get("customer_id") or "-"
    if kind == "source_error":
        if event.get("state") == "began":
            return "Marketplace events: the API cannot be read (%s) since %s" % (event.get("message"), event.get("observed_at"))
        return "Marketplace events: the API can be read again at %s, after %ss" % (event.get("observed_at"), event.get("seconds"))
    parts = ["customer %s" % who]
    if event.get("subscription_id"):
        parts.append("subscription %s%s" % (event["subscription_id"], " (%s)" % event["product"] if event.get("product") else ""))
    if event.get("order_id"):
        parts.append("order %s" % (event.get("order_number") or event["order_id"]))
    change = _state(event.get("after")) if event.get("before") is None else "%s -> %s" % (_state(event["before"]), _state(event["after"]))
    return "%s: %s: %s (observed %s)" % (kind, ", ".join(parts), change, event.get("observed_at"))
