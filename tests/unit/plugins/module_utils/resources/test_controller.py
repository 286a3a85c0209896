"""ControllerWatch notices that the ansible-playbook above a module has ended, also when its worker lives on."""

import os
import signal
import subprocess
import sys
import time

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._controller import ControllerWatch

# A stand-in for ansible-playbook (its command line names it) that forks a worker, which starts the "module": a
# process that reports whether its watch sees the controller, then waits to be asked again.
TREE = r"""
import os, sys, time
if os.fork() == 0:                      # the worker, a fork: same command line as the controller
    if os.fork() == 0:                  # the module it starts
        os.execv(sys.executable, [sys.executable, "-c", MODULE])
    time.sleep(30)
    os._exit(0)
time.sleep(30)
"""
MODULE = r"""
import os, sys, time
sys.path.insert(0, %r)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._controller import ControllerWatch
watch = ControllerWatch()
print("controller", watch.controller, "module", os.getpid(), "worker", os.getppid(), flush=True)
for _ in range(300):
    print("gone", watch.gone(), flush=True)
    time.sleep(0.05)
"""


def test_a_direct_parent_is_watched_when_there_is_no_ansible_playbook():
    watch = ControllerWatch()
    assert watch.controller is None
    assert watch.gone() is None


def test_the_topmost_ansible_playbook_is_found_and_its_end_noticed(tmp_path):
    collections = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))))), ".collections")
    program = tmp_path / "ansible-playbook"
    program.write_text("MODULE = %r\n" % (MODULE % collections) + TREE)
    output = tmp_path / "out.txt"
    with open(output, "w", encoding="utf-8") as handle:
        controller = subprocess.Popen([sys.executable, str(program)], stdout=handle, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
    try:
        deadline = time.monotonic() + 20
        while "gone None" not in output.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "controller %d" % controller.pid in output.read_text(), output.read_text()
        os.kill(controller.pid, signal.SIGKILL)  # the controller only: the module process lives on
        controller.wait()
        while "has ended" not in output.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "ansible-playbook (pid %d) has ended" % controller.pid in output.read_text()
    finally:
        if controller.poll() is None:
            controller.kill()
        words = output.read_text().split()
        for name in ("module", "worker"):
            if name in words:
                try:
                    os.kill(int(words[words.index(name) + 1]), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
