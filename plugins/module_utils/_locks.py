# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Locks that keep two runs on one machine from ordering for the same intent at once. Private to this collection.

Orders have no idempotency key, so "check for an open order, then order" must not interleave between processes:
two playbooks started together would both see no open order and both buy. The check and the ``POST /orders`` are
done while holding an exclusive ``flock`` on a file named after the target (a subscription, or a customer's new
products), next to the token cache. Runs on different machines are not covered (see docs/reliability.md).
The token cache takes its own lock with the same ``flocked``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os


def cache_root():
    """``$XDG_CACHE_HOME/ingrammicro.marketplace``, defaulting to ``~/.cache``: home of the token cache and the locks."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ingrammicro.marketplace")


def lock_dir():
    return os.path.join(cache_root(), "locks")


@contextlib.contextmanager
def flocked(path):
    """Hold an exclusive ``flock`` on ``path`` (created 0600 if missing) for the block."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextlib.contextmanager
def intent_lock(config, key, warn):
    """Hold the machine-wide lock for ``key`` (a tuple naming what is ordered) on the API ``config`` points at.

    When the lock directory cannot be used, ``warn`` is told and the block runs unlocked.
    """
    digest = hashlib.sha256("\0".join([config.api_url, config.marketplace] + [str(part) for part in key]).encode("utf-8")).hexdigest()
    with contextlib.ExitStack() as stack:
        try:
            os.makedirs(lock_dir(), mode=0o700, exist_ok=True)
            stack.enter_context(flocked(os.path.join(lock_dir(), digest + ".lock")))
        except OSError as exc:
            warn("ordering without a lock against concurrent runs: %s (%s)" % (lock_dir(), exc.strerror or exc))
        yield
