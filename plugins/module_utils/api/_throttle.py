# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One throttle for all the threads of a client. Private to this collection.

The API's rate limit is a budget per subscription key, shared by every request of a run. When each thread backs off
on its own, the others keep spending the budget and a throttled thread can starve until it gives up. So a 429 pauses
every thread for the wait the server asked for, and the number of requests in flight adapts like TCP's window:
halved on a 429, grown by about one per round of successes once no 429 has come for as long as the last pause lasted
(growing right after a pause would only spend the budget on more 429s), never above ``ceiling``.

A request never waits past its own deadline: when the pause ends after it, the request could not be sent in time
anyway, so it is refused at once (``PausedPastDeadline``) rather than after a pointless sleep.
"""

from __future__ import annotations

import contextlib
import threading
import time


class PausedPastDeadline(Exception):
    """The shared pause ends after the request's deadline: the request was not sent."""

    def __init__(self, resumes_in, reason=None):
        super().__init__("paused for %.1fs more, past the deadline" % resumes_in)
        self.resumes_in = resumes_in
        self.reason = reason  # what ``throttled`` was told about the 429 that began the pause


class Throttle:
    """Admission control for requests: a shared pause and an adaptive limit on requests in flight."""

    def __init__(self, ceiling=32, clock=time.monotonic, sleep=time.sleep):
        self.ceiling = ceiling
        self.limit = float(ceiling)
        self.in_flight = 0
        self.paused_until = 0.0
        self.last_pause = 0.0  # seconds the last 429 asked for: the limit grows only after as long without one
        self.throttled_count = 0
        self.reason = None  # what the caller said about the 429 that set ``paused_until``
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._local = threading.local()  # per thread: the end of the last pause it waited out

    @contextlib.contextmanager
    def slot(self, deadline=None):
        """Hold one of the request slots for the block; waits out a pause first.

        ``deadline`` (a reading of ``clock``): raise PausedPastDeadline instead of waiting for a pause that ends after it.
        """
        self._acquire(deadline)
        try:
            yield
        finally:
            with self._cond:
                self.in_flight -= 1
                self._cond.notify_all()

    def _acquire(self, deadline=None):
        # Wait out the pause, then for a slot, then make sure no new pause began meanwhile. Each thread sleeps through a
        # given pause once: if the clock says it is still on after that, the request goes anyway (a 429 sets the next
        # one), which also keeps tests with a frozen clock from looping.
        while True:
            with self._cond:
                paused_until = self.paused_until
                remaining = paused_until - self._clock()
                waited = getattr(self._local, "waited", None) == paused_until
                if remaining > 0 and not waited and deadline is not None and paused_until > deadline:
                    raise PausedPastDeadline(remaining, self.reason)
                if remaining <= 0 or waited:
                    if self.in_flight < max(1, int(self.limit)):
                        self.in_flight += 1
                        return
                    self._cond.wait(timeout=1.0)
                    continue
            self._local.waited = paused_until
            self._sleep(remaining)

    def throttled(self, wait, reason=None):
        """A request was answered 429: pause everyone for ``wait`` seconds and halve the limit (once per pause).

        ``reason`` is kept while this 429 decides when the pause ends, for the requests the pause then refuses.
        """
        with self._cond:
            now = self._clock()
            self.throttled_count += 1
            if now >= self.paused_until:
                # The first 429 of a burst decides; the others of the same burst were sent under the old limit.
                self.limit = max(1.0, min(self.limit, float(self.in_flight)) / 2)
            if now + wait >= self.paused_until:
                self.paused_until = now + wait
                self.reason = reason
            self.last_pause = wait

    def succeeded(self):
        """A request got an answer that was not a 429: grow the limit by one per ``limit`` successes."""
        with self._cond:
            if self.limit < self.ceiling and self._clock() >= self.paused_until + self.last_pause:
                self.limit = min(float(self.ceiling), self.limit + 1.0 / self.limit)
                self._cond.notify_all()
