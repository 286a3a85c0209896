# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""On-disk cache of API tokens, shared by every task and fork of a run. Private to this collection.

Every module runs in its own process, so without this cache each task would pay a ``POST /token`` round
trip (and spend rate budget). One file per credential set, named by a hash, holding only the token and
its expiry: never the password or the subscription key. Files are 0600 in a 0700 directory and every
read-or-refresh happens under an exclusive ``flock``, so forks that start together fetch one token. A directory or file
another user could have planted is refused with ``IMConfigError`` (see ``_locks.private_directory``), never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._locks import cache_root, flocked, open_private, private_directory, replace_private


def default_cache_dir():
    """``$XDG_CACHE_HOME/ingrammicro.marketplace/tokens``, defaulting to ``~/.cache``."""
    return os.path.join(cache_root(), "tokens")


def refresh_margin(ttl):
    """Seconds before expiry at which a token is renewed: a minute for real tokens, less for short test lifetimes."""
    return min(60.0, 0.2 * ttl)


class TokenCache:
    """A token file for one credential set."""

    def __init__(self, key_parts, directory=None, clock=time.time):
        digest = hashlib.sha256("\0".join(str(part) for part in key_parts).encode("utf-8")).hexdigest()
        self.directory = directory or default_cache_dir()
        self.path = os.path.join(self.directory, digest + ".json")
        self.clock = clock

    def _ensure_directory(self):
        private_directory(self.directory)
        if os.stat(self.directory).st_mode & 0o077:
            os.chmod(self.directory, 0o700)  # ours and not writable by others, but tokens need not be listable either

    def _read(self):
        """The decoded cache file. Raises OSError (``FileNotFoundError`` when there is none), ValueError, IMConfigError."""
        private_directory(self.directory, create=False)
        with os.fdopen(open_private(self.path, os.O_RDONLY), encoding="utf-8") as handle:
            return json.load(handle)

    def locked(self):
        """Hold the cache's exclusive lock (a sibling ``.lock`` file) for a read-or-refresh."""
        self._ensure_directory()
        return flocked(self.path + ".lock")

    def load(self):
        """``(token, fresh_until)`` if the cached token is still fresh, else ``None``. Call with the lock held.

        ``fresh_until`` is the time after which the token must be renewed (its expiry minus the refresh margin).
        """
        try:
            entry = self._read()
            token = entry["token"]
            expires_at = float(entry["expires_at"])
            ttl = float(entry.get("ttl", 0))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        fresh_until = expires_at - refresh_margin(ttl)
        if not token or self.clock() >= fresh_until:
            return None
        return token, fresh_until

    def store(self, token, ttl):
        """Write the token atomically with mode 0600. Call with the lock held."""
        self._ensure_directory()
        replace_private(self.path, json.dumps({"token": token, "ttl": ttl, "expires_at": self.clock() + ttl}))

    def discard(self, token):
        """Forget ``token`` after the API rejected it, unless another process already replaced it. Lock held."""
        try:
            current = self._read().get("token")
        except (OSError, ValueError, AttributeError):
            return
        if current == token:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
