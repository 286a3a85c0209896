# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ingrammicro.marketplace.marketplace_events: what changes in an Ingram Micro Cloud Marketplace account, as events.

A thin asyncio loop over ``plugins/module_utils/events/_events.py`` (what changed, the checkpoint) and the collection's API
client; ``DOCUMENTATION`` below says what it does for the user.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
short_description: Changes in an Ingram Micro Cloud Marketplace account, as events
description:
  - An ansible-rulebook event source that polls a Marketplace account through the collection's API client (token cache,
    retries, the shared throttle for HTTP 429, full pagination) and emits one event per change, made in Ansible or
    anywhere else (the reseller portal, another tool, the platform itself).
  - C(order_created) - an order appears. C(order_status_changed) - an order moves on; every order that ends gives one,
    whose C(after.status) is C(completed), C(error) (with the platform's C(message)) or C(cancelled). Order events carry
    C(order_number), C(order_type) and C(products) (each line's C(name), C(mpn) and C(quantity)).
  - C(seats_changed) and C(subscription_status_changed) - with C(before) and C(after), C(product) and the C(order_id)
    that changed them.
  - C(renewal_approaching) - a subscription with auto-renew off renews within O(renewal_days); once per renewal date.
  - C(customer_created).
  - C(source_error) - the API cannot be read (C(state=began), once, with C(failure) and C(message)) and can again
    (C(state=ended), once, with C(seconds)).
  - Every event has C(type), C(event_id), C(customer_id), C(customer_external_id), C(subscription_id), C(order_id),
    C(before), C(after) and C(observed_at). No credential, token or download URL is ever part of an event.
  - C(event_id) is made of the change itself (for example C(order_status_changed:5000123:error), or
    C(seats_changed:3000001:25:30:5000123) - the subscription, its seats before and after, the order that changed them),
    so the same change always has the same id.
  - C(observed_at) (UTC) is when the change happened where the API says so (an order's creation for C(order_created),
    its provisioning for a completed order), otherwise when the poll that saw it started.
  - B(Delivery is at least once.) Each poll's events are written to the O(checkpoint) before they are emitted, and
    dropped from it only once the rule engine has taken them - with O(feedback=true), when ansible-rulebook hands them
    back after posting them to its rules; without, when they are on its queue. A source killed or restarted at any
    point emits those events again, unchanged (same C(event_id)), and nothing else twice; rules and playbooks that must
    act once per change de-duplicate on C(event_id).
  - A source started without a checkpoint takes the account as it is as its baseline and announces nothing that
    happened before it started, except renewals already within O(renewal_days).
  - An idle poll costs 2 requests, whatever the size of the account; each open order adds one read, and so does each
    subscription an ended order touched. A sweep every O(sweep_interval) lists the subscriptions.
options:
  interval:
    description:
      - Seconds between polls, 1 or more. While the API cannot be read, polls get slower (up to 300 seconds, or
        O(interval) when that is longer), never more frequent than O(interval).
    type: float
    default: 60
  sweep_interval:
    description:
      - Seconds between full sweeps of the subscriptions (status changes that come without an order, and renewals); at
        least O(interval).
    type: float
    default: 3600
  renewal_days:
    description:
      - How many days ahead a renewal with auto-renew off is announced (0 to 366).
    type: int
    default: 10
  checkpoint:
    description:
      - The file the source keeps its state in (the last snapshot of the account and the events not taken yet).
      - By default a file under C($XDG_CACHE_HOME/ingrammicro.marketplace/events/) named after the API, the user and
        O(checkpoint_name).
      - Keep it on a persistent volume where the source runs in a container; the directory must be yours (it may be
        writable by its group, as volumes with the set-group-id bit are) or one where no one can replace your files
        (the sticky bit). A checkpoint file another user could have written is refused, naming it.
    type: path
  checkpoint_name:
    description:
      - Names the default O(checkpoint); sources that run at the same time need one each (letters, digits, C(.), C(_),
        C(-)). The collection's rulebooks set their own.
    type: str
    default: events
  concurrency:
    description:
      - Reads at the same time within a poll (1 to 32).
    type: int
    default: 4
  feedback:
    description:
      - Advance the checkpoint only for events ansible-rulebook has handed back once its rules have them (the
        C(eda_feedback_queue) it gives a source with this argument), rather than as soon as they are on its queue.
      - ansible-rulebook 1.3 accepts it only when started with C(--persistence-id); with its persistence (the
        C(drools_db_file_path) variable, or the EDA controller's event persistence) the actions still waiting survive a
        restart too, so nothing is lost.
    type: bool
    default: false
  api_url:
    description:
      - Base URL of the Marketplace API, for example V(https://api.cloud.im/marketplace/eu). Default E(INGRAM_API_URL).
    type: str
  username:
    description:
      - The Marketplace API user. Default E(INGRAM_USERNAME).
    type: str
  password:
    description:
      - Its password. Default E(INGRAM_PASSWORD), or the file named by E(INGRAM_PASSWORD_FILE).
    type: str
  subscription_key:
    description:
      - The API gateway subscription key. Default E(INGRAM_SUBSCRIPTION_KEY), or the file named by
        E(INGRAM_SUBSCRIPTION_KEY_FILE).
    type: str
  marketplace:
    description:
      - The marketplace code, for example V(us). Default E(INGRAM_MARKETPLACE).
    type: str
  client_id:
    description:
      - Optional C(X-Client-Id). Default E(INGRAM_CLIENT_ID).
    type: str
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate, read as Ansible reads booleans. Default E(INGRAM_VALIDATE_CERTS),
        else V(true).
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each answer once connected. Default E(INGRAM_TIMEOUT), else 30.
    type: float
    default: 30
  connect_timeout:
    description:
      - Seconds to wait for a connection to open. Default E(INGRAM_CONNECT_TIMEOUT), else 10.
    type: float
    default: 10
  max_retries:
    description:
      - Retries of server errors, timeouts and dropped connections within one poll. Default E(INGRAM_MAX_RETRIES), else 5.
    type: int
    default: 5
  retry_timeout:
    description:
      - How long one request is retried (429s included) before the poll counts as failed and a C(source_error) event is
        emitted. Default E(INGRAM_RETRY_TIMEOUT), else 30 (not the modules' 300).
    type: float
    default: 30
  token_cache:
    description:
      - Cache the API token on disk. Default E(INGRAM_TOKEN_CACHE), else V(true).
    type: bool
    default: true
notes:
  - The connection arguments mean what they mean for the modules; each falls back to the same C(INGRAM_*) environment
    variable.
  - Bad arguments stop the source before anything is read, naming the argument.
seealso:
  - name: Reacting to the Marketplace (Event-Driven Ansible)
    description: The events, the rulebooks of the collection, delivery and restarts.
    link: https://github.com/ingrammicro/ansible-collection-marketplace/blob/main/docs/eda.md
"""

EXAMPLES = r"""
# Report orders that end in error; with --persistence-id and drools_db_file_path, nothing is lost on a restart:
#   ansible-rulebook -r rulebook.yml -i inventory.yml --persistence-id marketplace -e persistence.yml
- name: Orders that fail in the Marketplace
  hosts: all
  sources:
    - ingrammicro.marketplace.marketplace_events:
        interval: 60
        renewal_days: 10
        checkpoint: /var/lib/eda/marketplace-orders.json
        feedback: true
  rules:
    - name: An order ended in error
      condition: event.type == "order_status_changed" and event.after.status == "error"
      action:
        run_playbook:
          name: ingrammicro.marketplace.marketplace_event
          retries: 2
          delay: 30

# Without ansible-rulebook's persistence: leave feedback out (the checkpoint then advances once an event is on the
# engine's queue, so an action still waiting when the process dies is not run again).
- name: Seats changed in the Marketplace
  hosts: all
  sources:
    - ingrammicro.marketplace.marketplace_events:
        checkpoint_name: seats
  rules:
    - name: Print it
      condition: event.type == "seats_changed"
      action:
        print_event:
"""

import asyncio
import copy
import datetime
import logging
import os
import re
import sys
import time

try:
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.events import _events
except ImportError:  # ansible-rulebook runs this file by path: the collection root is seven directories up
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 7)))
    from ansible_collections.ingrammicro.marketplace.plugins.module_utils.events import _events

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # noqa: E402
from ansible.module_utils.errors import ArgumentTypeError  # noqa: E402

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._client import MarketplaceClient  # noqa: E402
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import (  # noqa: E402
    ConnectionConfig, connection_argument_spec,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError  # noqa: E402
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import Vocabulary  # noqa: E402

SOURCE_OPTIONS = {
    "interval": {"type": "float", "default": 60.0},
    "sweep_interval": {"type": "float", "default": 3600.0},
    "renewal_days": {"type": "int", "default": 10},
    "checkpoint": {"type": "path"},
    "checkpoint_name": {"type": "str", "default": "events"},
    "concurrency": {"type": "int", "default": 4},
    "feedback": {"type": "bool", "default": False},
}
# Connection options that mean nothing to a source, which orders nothing.
NOT_HERE = ("change_quantity", "change_quantity_confirmed")
FEEDBACK_QUEUE = "eda_feedback_queue"  # what ansible-rulebook adds to the arguments of a source with feedback: true
SOURCE_RETRY_TIMEOUT = 30.0  # a source reports a long outage or throttle as an event rather than waiting 300 s silently
MAX_DELAY = 300.0
WORDS = Vocabulary()  # the options of a source are its own arguments
FEEDBACK_TIMEOUT = 600.0  # seconds to wait for the engine to hand an event back before moving on (and saying so)

logger = logging.getLogger(__name__)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def argument_spec():
    """The source's arguments as an Ansible argument spec: its own, and the connection's (with their INGRAM_*
    fallbacks) except those about ordering; ``retry_timeout`` defaults to 30 here."""
    spec = {name: option for name, option in connection_argument_spec().items() if name not in NOT_HERE}
    spec["retry_timeout"] = dict(spec["retry_timeout"], default=SOURCE_RETRY_TIMEOUT)
    spec.update(copy.deepcopy(SOURCE_OPTIONS))
    return spec


def settings(args):
    """The arguments checked and converted as Ansible checks a module's options (types, booleans as Ansible reads them,
    the INGRAM_* fallbacks), then their ranges; ``IMConfigError`` naming each argument at fault."""
    given = {name: value for name, value in args.items() if name != FEEDBACK_QUEUE}
    spec = argument_spec()
    unknown = sorted(set(given) - set(spec))
    if unknown:
        raise IMConfigError("marketplace_events: unknown argument%s %s; the arguments are %s" % (
            "s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(sorted(spec))))
    result = ArgumentSpecValidator(spec).validate(given)
    problems = [_in_words(error, spec, given) for error in result.errors]
    params = result.validated_parameters
    if not problems:
        problems = _out_of_range(params)
    if problems:
        raise IMConfigError("marketplace_events: " + "; ".join(problems))
    return params


KINDS = {"float": "a number", "int": "a whole number", "bool": "a boolean (true or false, yes or no)"}


def _in_words(error, spec, given):
    """A type error of Ansible's validator as "interval must be a number, got 'abc'"; other errors as Ansible words them."""
    named = re.match(r"argument '(\w+)' is of type", str(error))
    if isinstance(error, ArgumentTypeError) and named and spec[named.group(1)].get("type") in KINDS and not spec[named.group(1)].get("no_log"):
        return "%s must be %s, got %r" % (named.group(1), KINDS[spec[named.group(1)]["type"]], given[named.group(1)])
    return str(error)


def _out_of_range(params):
    problems = []
    if params["interval"] < 1:
        problems.append("interval must be 1 second or more, got %s" % _number(params["interval"]))
    if params["sweep_interval"] < max(params["interval"], 1):
        problems.append("sweep_interval must be at least interval (%s), got %s" % (_number(params["interval"]), _number(params["sweep_interval"])))
    if not 0 <= params["renewal_days"] <= 366:
        problems.append("renewal_days must be 0 to 366, got %d" % params["renewal_days"])
    if not 1 <= params["concurrency"] <= 32:
        problems.append("concurrency must be 1 to 32, got %d" % params["concurrency"])
    if not re.match(r"^[A-Za-z0-9_.-]+$", params["checkpoint_name"] or ""):
        problems.append("checkpoint_name may hold letters, digits, '.', '_' and '-' only, got %r" % params["checkpoint_name"])
    return problems


def _number(value):
    return ("%f" % value).rstrip("0").rstrip(".")


class Source:
    """The polling loop without asyncio: settings, the watcher, the checkpoint and the outage bookkeeping."""

    def __init__(self, args, clock=time.monotonic):
        params = settings(dict(args or {}))
        self.config = ConnectionConfig.from_params(params)
        self.interval = params["interval"]
        self.feedback = params["feedback"]
        # The checkpoint is checked before the account is read: one that cannot be kept stops the source at once.
        self.checkpoint = _events.Checkpoint(_events.checkpoint_path(self.config, params["checkpoint"], params["checkpoint_name"])).open()
        self.watcher = _events.Watcher(MarketplaceClient(self.config), self.checkpoint.snapshot, sweep_interval=params["sweep_interval"],
                                       renewal_days=params["renewal_days"], concurrency=params["concurrency"])
        self.clock = clock
        self.failing_since = None  # clock() when the outage began
        self.began_at = None  # the same, as the time of day (part of both source_error events' ids)
        self.delay = self.interval

    def pending(self):
        """The events of the checkpoint the engine has not taken: emitted again first, unchanged."""
        return list(self.checkpoint.pending)

    def poll(self):
        """One poll: its events (a ``source_error`` when an outage begins or ends), kept in the checkpoint as pending
        before they are returned; ``acknowledge`` each once the engine has it."""
        try:
            events = self.watcher.poll()
        except IMConfigError:
            raise
        except IMError as exc:
            # Slower while the API fails, never more often than interval.
            self.delay = min(max(self.delay * 2, self.interval), max(MAX_DELAY, self.interval))
            if self.failing_since is not None:
                return []
            self.failing_since, self.began_at = self.clock(), _now()
            events = [_events.source_error("began", self.began_at, self.began_at, failure=exc.code, message=WORDS.say(str(exc)))]
            self.checkpoint.record(self.checkpoint.snapshot, events)
            return events
        self.delay = self.interval
        if self.failing_since is not None:
            events = [_events.source_error("ended", self.began_at, _now(), seconds=round(self.clock() - self.failing_since, 1))] + events
            self.failing_since = None
        self.checkpoint.record(self.watcher.snapshot, events)
        return events

    def acknowledge(self, event):
        """The engine has taken ``event``."""
        self.checkpoint.acknowledge(event)


async def _taken(feedback, event):
    """Wait until the engine hands ``event`` back on the feedback queue, that is, until its rules have it."""
    while True:
        try:
            returned = await asyncio.wait_for(feedback.get(), FEEDBACK_TIMEOUT)
        except asyncio.TimeoutError:
            logger.warning("marketplace_events: ansible-rulebook did not hand back event %s within %ss; going on",
                           event["event_id"], _number(FEEDBACK_TIMEOUT))
            return
        if isinstance(returned, dict) and returned.get("event_id") == event["event_id"]:
            return


async def main(queue, args):
    """The entry point ansible-rulebook calls."""
    loop = asyncio.get_running_loop()
    args = dict(args or {})
    feedback = args.get(FEEDBACK_QUEUE)
    source = await loop.run_in_executor(None, Source, args)

    async def emit(events):
        for event in events:
            await queue.put(copy.deepcopy(event))  # the engine adds its meta to what it is given; the checkpoint keeps its own
            if feedback is not None:
                await _taken(feedback, event)
            await loop.run_in_executor(None, source.acknowledge, event)

    await emit(source.pending())  # what a source that stopped had not delivered yet, first
    while True:
        await emit(await loop.run_in_executor(None, source.poll))
        await asyncio.sleep(source.delay)


if __name__ == "__main__":
    # Run on its own: print the events of an account (connection settings from INGRAM_*).
    class _Printer:
        @staticmethod
        async def put(event):
            print(event, flush=True)

    asyncio.run(main(_Printer(), {"interval": float(os.environ.get("EVENTS_INTERVAL", "10"))}))
