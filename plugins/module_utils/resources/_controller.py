# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Notice when the ``ansible-playbook`` that started this module is gone. Private to this collection.

A module runs in its own process. When the user stops ``ansible-playbook`` (Ctrl-C twice, a killed AWX job), the
module process and the worker that started it can live on and keep placing orders nobody will see the result of. So
modules that place many orders check between orders that their controller is still there.
"""

from __future__ import annotations

import os

CONTROLLER_NAMES = ("ansible-playbook", "ansible")


def _stat(pid):
    """``(parent pid, start time, command line)`` of a process from /proc, or ``None`` when it is gone or unknown."""
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            cmdline = handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except (OSError, IndexError):
        return None
    return int(fields[1]), fields[19], cmdline


def _is_controller(cmdline):
    words = [os.path.basename(word) for word in cmdline.split()[:3]]
    return any(word in CONTROLLER_NAMES for word in words)


class ControllerWatch:
    """The processes between this module and its controller, remembered at start, checked with ``gone()``."""

    def __init__(self, pid=None):
        self.watched = []  # (pid, start time)
        self.controller = None
        pid = os.getppid() if pid is None else pid
        self._parent = pid
        for _depth in range(16):
            found = _stat(pid) if pid > 1 else None
            if found is None:
                break
            parent, started, cmdline = found
            if self.controller is not None and not _is_controller(cmdline):
                break  # above ansible-playbook: the user's shell, AWX's runner; not ours to watch
            self.watched.append((pid, started))
            if _is_controller(cmdline):
                # Forked workers carry the command line of ansible-playbook too: the topmost one is the controller.
                self.controller = pid
            pid = parent
        if self.controller is None:
            # No controller found (no /proc, or run without ansible-playbook): watch the direct parent only.
            self.watched = self.watched[:1]

    def gone(self):
        """A description of the watched process that has ended, or ``None`` while all are there."""
        if not self.watched:
            return "the process that started this module (pid %d) has ended" % self._parent if os.getppid() != self._parent else None
        for pid, started in self.watched:
            found = _stat(pid)
            if found is None or found[1] != started:
                name = "ansible-playbook" if pid == self.controller else "the process that started this module"
                return "%s (pid %d) has ended" % (name, pid)
        return None
