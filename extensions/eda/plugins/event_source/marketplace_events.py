# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ingrammicro.marketplace.marketplace_events: what changes in an Ingram Micro Cloud Marketplace account, as events.

Polls the account through the collection's own API client (token cache, retries, the shared 429 throttle,
pagination) and puts one event on the queue per change:

- ``order_created`` - an order placed by anyone, in or outside Ansible;
- ``order_status_changed`` - an order moved on; every order that ends gives one, whose ``after.status`` is
  ``completed``, ``error`` (with the platform's ``message``) or ``cancelled``;
- ``seats_changed`` and ``subscription_status_changed`` - with ``before`` and ``after``;
- ``renewal_approaching`` - a subscription with auto-renew off renewing within ``renewal_days``, once per renewal date;
- ``customer_created``;
- ``source_error`` - the API could not be read (``state: began``, once) and can again (``state: ended``, once).

Every event carries ``type``, ``customer_id``, ``customer_external_id``, ``subscription_id``, ``order_id``,
``before``, ``after`` and ``observed_at``. No credential, token or download URL is ever part of an event.

Arguments (all optional; the connection settings fall back to the same ``INGRAM_*`` environment variables as the
modules):

- ``api_url``, ``username``, ``password``, ``subscription_key``, ``marketplace``, ``client_id``, ``validate_certs``,
  ``timeout``, ``max_retries``, ``retry_timeout`` (default 30 here), ``token_cache`` - as for the modules.
- ``interval`` (60) - seconds between polls; an idle poll costs 2 requests (new orders, newest customers), plus one
  per open order and one per subscription an ended order touched.
- ``sweep_interval`` (3600) - seconds between full sweeps of the subscriptions (status changes without an order,
  renewals).
- ``renewal_days`` (10) - how far ahead renewals with auto-renew off are announced.
- ``checkpoint`` - the file the last state is kept in, so that a restarted source emits nothing twice and misses
  nothing; by default a file under ``$XDG_CACHE_HOME/ingrammicro.marketplace/events/`` named after the API, the user
  and ``checkpoint_name`` (``events``). Sources that run at the same time need one each: give each rulebook its own
  ``checkpoint_name`` (the collection's rulebooks do).

Example:

    - name: Marketplace changes
      hosts: all
      sources:
        - ingrammicro.marketplace.marketplace_events:
            interval: 60
            renewal_days: 10
      rules:
        - name: An order failed
          condition: event.type == "order_status_changed" and event.after.status == "error"
          action:
            print_event:
"""

from __future__ import annotations

import asyncio
import datetime
import os
import sys
import time

try:
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils import _events
except ImportError:  # ansible-rulebook runs this file by path: the collection root is seven directories up
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 7)))
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils import _events

from ansible_collections.ingrammicro.marketplace.plugins.module_utils._client import MarketplaceClient  # noqa: E402
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._connection import (  # noqa: E402
    ENV_VARS, ConnectionConfig, connection_argument_spec, plugin_params,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._errors import IMConfigError, IMError  # noqa: E402

DEFAULTS = {"interval": 60.0, "sweep_interval": 3600.0, "renewal_days": 10, "checkpoint": None, "checkpoint_name": "events",
            "concurrency": 4}
SOURCE_RETRY_TIMEOUT = 30.0  # a source reports a long outage or throttle as an event rather than waiting 300 s silently
MAX_DELAY = 300.0


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Source:
    """The polling loop without asyncio: settings, the watcher, the checkpoint and the outage bookkeeping."""

    def __init__(self, args, clock=time.monotonic):
        known = set(DEFAULTS) | set(connection_argument_spec())
        unknown = sorted(set(args) - known)
        if unknown:
            raise IMConfigError("marketplace_events: unknown argument %s (the arguments are %s)" % (", ".join(unknown), ", ".join(sorted(known))))
        params = plugin_params(args.get, args)
        if args.get("retry_timeout") is None and not os.environ.get(ENV_VARS["retry_timeout"]):
            params["retry_timeout"] = SOURCE_RETRY_TIMEOUT
        self.config = ConnectionConfig.from_params(params)
        self.settings = {key: args.get(key, default) if args.get(key) is not None else default for key, default in DEFAULTS.items()}
        self.interval = float(self.settings["interval"])
        self.path = _events.checkpoint_path(self.config, self.settings["checkpoint"], self.settings["checkpoint_name"])
        self.watcher = _events.Watcher(MarketplaceClient(self.config), _events.load(self.path),
                                       sweep_interval=float(self.settings["sweep_interval"]),
                                       renewal_days=int(self.settings["renewal_days"]), concurrency=int(self.settings["concurrency"]))
        self.clock = clock
        self.failing_since = None
        self.delay = self.interval

    def poll(self):
        """One poll: the events to put on the queue (a ``source_error`` when an outage begins or ends)."""
        try:
            events = self.watcher.poll()
        except IMConfigError:
            raise
        except IMError as exc:
            self.delay = min(max(self.delay * 2, self.interval), MAX_DELAY)  # slow down while the API fails
            if self.failing_since is not None:
                return []
            self.failing_since = self.clock()
            return [{"type": "source_error", "state": "began", "failure": exc.code, "message": str(exc), "observed_at": _now()}]
        self.delay = self.interval
        if self.failing_since is None:
            return events
        ended = {"type": "source_error", "state": "ended", "seconds": round(self.clock() - self.failing_since, 1),
                 "observed_at": _now()}
        self.failing_since = None
        return [ended] + events

    def save(self):
        if self.watcher.snapshot is not None:
            _events.save(self.path, self.watcher.snapshot)


async def main(queue, args):
    """The entry point ansible-rulebook calls."""
    loop = asyncio.get_running_loop()
    source = await loop.run_in_executor(None, Source, dict(args or {}))
    while True:
        events = await loop.run_in_executor(None, source.poll)
        for event in events:
            await queue.put(event)
        await loop.run_in_executor(None, source.save)  # once the events are out: a restart emits none of them again
        await asyncio.sleep(source.delay)


if __name__ == "__main__":
    # Run on its own: print the events of an account (connection settings from INGRAM_*).
    class _Printer:
        @staticmethod
        async def put(event):
            print(event, flush=True)

    asyncio.run(main(_Printer(), {"interval": float(os.environ.get("EVENTS_INTERVAL", "10"))}))
