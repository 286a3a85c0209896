# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Polling of asynchronous objects (orders, reports) until they reach a final state. Private to this collection."""

from __future__ import annotations

import time

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMWaitError, IMWaitTimeout
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option

FIRST_DELAY = 0.5
MAX_DELAY = 15.0
GROWTH = 1.5


class Waiter:
    """Polls ``fetch()`` with a growing delay until the object is in a success state, a failure state, or time runs out.

    ``enabled=False`` (option ``wait: false``) and check mode make ``wait`` a no-op that returns the object as
    it is: nothing was submitted in check mode, so there is nothing to wait for.
    """

    def __init__(self, timeout, enabled=True, check_mode=False, first_delay=FIRST_DELAY, max_delay=MAX_DELAY,
                 clock=time.monotonic, sleep=time.sleep):
        self.timeout = timeout
        self.active = enabled and not check_mode
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.clock = clock
        self.sleep = sleep

    def wait(self, obj, fetch, success, failure=(), what="object", state_key="status"):
        """Return the object once ``obj[state_key]`` is in ``success``; raise IMWaitError on ``failure`` or timeout."""
        ((obj, error),) = self.wait_all([obj], lambda _pending: [fetch()], success, failure, what=lambda _obj: what, state_key=state_key)
        if error:
            raise error
        return obj

    def wait_all(self, objs, fetch_all, success, failure=(), what=str, state_key="status"):
        """Wait for several objects at once: ``fetch_all(pending objects)`` re-reads those not final yet at each poll.

        Returns ``[(object, error)]`` in the order given, ``error`` being an IMWaitError for an object that ended in a
        failure state or was still pending when time ran out, else ``None``.
        """
        results = [(obj, None) for obj in objs]
        if not self.active:
            return results
        pending = dict(enumerate(objs))
        deadline = self.clock() + self.timeout
        delay = self.first_delay
        while True:
            for index, obj in list(pending.items()):
                state = _state(obj, state_key)
                if state in success or state in failure:
                    error = IMWaitError("%s ended in status %s" % (what(obj), state), last=obj) if state in failure else None
                    results[index] = (obj, error)
                    del pending[index]
            if not pending:
                return results
            remaining = deadline - self.clock()
            if remaining <= 0:
                for index, obj in pending.items():
                    results[index] = (obj, IMWaitTimeout("timed out after %ss waiting for %s; last status %s (raise %s, or set "
                                                         "%s: false and check later)" % (_seconds(self.timeout), what(obj), _state(obj, state_key),
                                                                                         option("wait_timeout"), option("wait")),
                                                         last=obj))
                return results
            self.sleep(min(delay, remaining))
            delay = min(delay * GROWTH, self.max_delay)
            pending = dict(zip(pending.keys(), fetch_all(list(pending.values()))))


def _state(obj, state_key):
    return obj.get(state_key) if isinstance(obj, dict) else None


def _seconds(value):
    return int(value) if float(value).is_integer() else value
