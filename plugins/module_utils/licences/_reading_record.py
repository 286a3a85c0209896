# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The record of a confirmed change-quantity reading, in the cache directory. Private to this collection.

Once a change order has completed with the seats asked for (the canary), the reading is recorded for this ``api_url``
and marketplace, so later runs need no canary; a canary in flight is recorded too, so a run that dies before reading it
back leaves it to be settled. The judgement itself is pure and lives in ``_quantity_reading``.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._locks import cache_root, open_private, private_directory, replace_private
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._quantity_reading import DELTA, TOTAL


class ReadingRecord:
    """The reading confirmed by a completed change order, per ``api_url`` and marketplace, in the cache directory.

    A file per API and marketplace, mode 0600 in a 0700 directory, written atomically: processes and hosts sharing the
    cache directory share the confirmation. Nothing secret is stored.
    """

    def __init__(self, config, directory=None):
        self.directory = directory or os.path.join(cache_root(), "readings")
        digest = hashlib.sha256(("%s\0%s" % (config.api_url, config.marketplace)).encode("utf-8")).hexdigest()
        self.path = os.path.join(self.directory, digest + ".json")
        self.api_url = config.api_url
        self.marketplace = config.marketplace

    def load(self):
        """The recorded ``{"change_quantity", "order", "subscription_id", "confirmed_at"}``, or ``None``.

        A record lets a run skip its canary order, so one another user could have planted (see ``_locks``) raises
        ``IMConfigError`` instead of being trusted.
        """
        try:
            private_directory(self.directory, create=False)
            with os.fdopen(open_private(self.path, os.O_RDONLY), encoding="utf-8") as handle:
                record = json.load(handle)
        except (OSError, ValueError):
            return None  # no record (or an unreadable one): the run places a canary order
        return record if isinstance(record, dict) and record.get("change_quantity") in (TOTAL, DELTA) else None

    @property
    def pending_path(self):
        """Where a canary order that has not been settled yet is recorded (see _canary)."""
        return self.path[:-len(".json")] + ".canary.json"

    def load_pending(self):
        """The canary order recorded by ``store_pending`` and not settled since, or ``None``."""
        try:
            private_directory(self.directory, create=False)
            with os.fdopen(open_private(self.pending_path, os.O_RDONLY), encoding="utf-8") as handle:
                record = json.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            # Unlike a missing confirmation, a canary record that cannot be read must not let orders through.
            raise IMConfigError("the canary record %s cannot be read (%s); check the canary order in the reseller control "
                                "panel, then remove the file" % (self.pending_path, exc)) from None
        return record if isinstance(record, dict) else None

    def store_pending(self, canary):
        """Record ``canary`` (its order, subscription, seats and quantity sent) as not settled yet."""
        record = dict(canary, api_url=self.api_url, marketplace=self.marketplace,
                      placed_at=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self._write(self.pending_path, record)
        return record

    def clear_pending(self):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.pending_path)

    def store(self, reading, order, subscription_id):
        record = {"api_url": self.api_url, "marketplace": self.marketplace, "change_quantity": reading, "order": order,
                  "subscription_id": subscription_id,
                  "confirmed_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        self._write(self.path, record)
        return record

    def _write(self, path, record):
        private_directory(self.directory)
        replace_private(path, json.dumps(record, indent=2, sort_keys=True))
