# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Locks that keep two runs on one machine from ordering for the same intent at once, and the trust checks of the cache
directory they live in. Private to this collection.

Orders have no idempotency key, so "check for an open order, then order" must not interleave between processes:
two playbooks started together would both see no open order and both buy. The check and the ``POST /orders`` are
done while holding an exclusive ``flock`` on a file named after the target (a subscription, or a customer's new
products), next to the token cache. Runs on different machines are not covered (see docs/reliability.md).
The token cache takes its own lock with the same ``flocked``.

The cache directory holds tokens, these locks and the change-quantity reading record (which lets a run skip its canary
order), so it is used only when it is ours: ``private_directory`` checks the cache root and every directory below it,
``open_private`` opens a file in it without following a symbolic link. Anything another user could have planted is
refused with an ``IMConfigError`` naming the path and the fix, never used and never silently skipped.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import stat
import tempfile
import time

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError

DIRECTORY_FIX = "Remove it (it holds only caches) or set XDG_CACHE_HOME to a directory of your own"
FILE_FIX = "Remove it (it holds only a cache) and run again"


def cache_root():
    """``$XDG_CACHE_HOME/ingrammicro.marketplace``, defaulting to ``~/.cache``: home of the token cache and the locks."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ingrammicro.marketplace")


def lock_dir():
    return os.path.join(cache_root(), "locks")


def lock_path(config, key):
    """The lock file for ``key`` (a tuple naming what is ordered) on the API ``config`` points at."""
    digest = hashlib.sha256("\0".join([config.api_url, config.marketplace] + [str(part) for part in key]).encode("utf-8")).hexdigest()
    return os.path.join(lock_dir(), digest + ".lock")


def _link_target(path):
    try:
        return " (to %s)" % os.readlink(path)
    except OSError:
        return ""


def _distrust(status, path, kind, noun=None, fix=None):
    """Why the ``lstat``/``fstat`` result ``status`` of ``path`` (a ``"directory"`` or ``"file"``) must not be trusted,
    or ``None``. ``noun`` and ``fix`` name a file that is not a cache (a checkpoint) and what to do about it."""
    if kind == "directory":
        noun, fix, risk = noun or "cache directory", fix or DIRECTORY_FIX, "another user could plant files in it"
        lead = "lead it into a directory another user controls"
    else:
        noun, fix, risk = noun or "cache file", fix or FILE_FIX, "another user could have written it"
        lead = "make it read, lock or overwrite another file"
    if stat.S_ISLNK(status.st_mode):
        return ("%s %s is a symbolic link%s; the collection never follows a link in its cache directory, since one planted "
                "there could %s. %s" % (noun, path, _link_target(path), lead, fix))
    if kind == "directory" and not stat.S_ISDIR(status.st_mode):
        return "%s %s is not a directory. %s" % (noun, path, fix)
    if kind == "file" and not stat.S_ISREG(status.st_mode):
        return "%s %s is not a regular file. %s" % (noun, path, fix)
    if status.st_uid != os.geteuid():
        return "%s %s is owned by uid %d, not by you (uid %d): %s. %s" % (noun, path, status.st_uid, os.geteuid(), risk, fix)
    if status.st_mode & 0o022:
        return ("%s %s has mode %04o: group or others can write to it, so %s. %s"
                % (noun, path, stat.S_IMODE(status.st_mode), risk, fix))
    return None


def in_cache(path):
    """Whether ``path`` is the cache root or below it."""
    root = os.path.abspath(cache_root())
    return os.path.commonpath([root, os.path.abspath(path)]) == root


def _directories_to_check(path):
    """The cache root and each directory from it down to ``path``; ``path`` alone when it is outside the cache root."""
    path = os.path.abspath(path)
    root = os.path.abspath(cache_root())
    if os.path.commonpath([root, path]) != root:
        return [path]
    chain = [root]
    for part in os.path.relpath(path, root).split(os.sep):
        if part not in ("", "."):
            chain.append(os.path.join(chain[-1], part))
    return chain


def private_directory(path, create=True):
    """Return ``path`` once it and every directory between the cache root and it are real directories (no symbolic link),
    owned by the current user and not writable by group or others; raise ``IMConfigError`` otherwise.

    Missing ones are created with mode 0700 when ``create`` is true (the directories above the cache root with the
    usual mode); otherwise a missing one raises ``FileNotFoundError``: a missing directory holds nothing to read.
    """
    chain = _directories_to_check(path)
    if create:
        os.makedirs(os.path.dirname(chain[0]), exist_ok=True)
    for directory in chain:
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(directory, 0o700)
        problem = _distrust(os.lstat(directory), directory, "directory")
        if problem:
            raise IMConfigError(problem)
    return path


def open_private(path, flags, noun=None, fix=None):
    """``os.open`` of ``path`` (created 0600 with ``os.O_CREAT``) that never follows a symbolic link and returns only a
    descriptor of a regular file owned by the current user and not writable by group or others; ``IMConfigError``
    otherwise (``noun`` and ``fix`` word it for a file that is not a cache). The directory holding it must have passed
    ``private_directory`` (or, for a checkpoint, its own check)."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IMConfigError(_distrust(os.lstat(path), path, "file", noun, fix) or "%s %s: %s" % (noun or "cache file", path, exc.strerror)) \
                from None
        raise
    try:
        problem = _distrust(os.fstat(fd), path, "file", noun, fix)
    except BaseException:
        os.close(fd)
        raise
    if problem:
        os.close(fd)
        raise IMConfigError(problem)
    return fd


def replace_private(path, text):
    """Write ``text`` to ``path`` at once, mode 0600: a temporary file next to it (``mkstemp`` creates it 0600 with
    ``O_EXCL``) renamed over it, so that a link at ``path`` is replaced, never written through, and no reader sees half
    a file."""
    descriptor, temp_path = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_path)
        raise


@contextlib.contextmanager
def flocked(path, timeout=None):
    """Hold an exclusive ``flock`` on ``path`` (created 0600 if missing, never through a symbolic link) for the block.

    With ``timeout`` (seconds), yields whether the lock was taken in that time (the block runs either way, so that it can
    say what it could not do); without, waits as long as it takes and yields ``True``."""
    fd = open_private(path, os.O_RDWR | os.O_CREAT)
    try:
        acquired = _take(fd, timeout)
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _take(fd, timeout):
    if timeout is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)


@contextlib.contextmanager
def intent_lock(config, key, warn):
    """Hold the machine-wide lock for ``key`` (a tuple naming what is ordered) on the API ``config`` points at.

    When the lock directory cannot be used (a read-only file system, say), ``warn`` is told and the block runs unlocked.
    A lock directory or file another user could have planted raises ``IMConfigError``: that is no reason to order
    without a lock.
    """
    path = lock_path(config, key)
    with contextlib.ExitStack() as stack:
        try:
            private_directory(lock_dir())
            stack.enter_context(flocked(path))
        except OSError as exc:
            warn("ordering without a lock against concurrent runs: %s (%s)" % (lock_dir(), exc.strerror or exc))
        yield
