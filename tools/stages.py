"""Run `make` stages, print the time each took, and stop at the first that fails.

Each argument is a step: one stage, or stages joined by "+" (lanes that run at the same time), each lane a
comma-separated list of stages run one after another. A stage that runs beside another writes its output to
.build-logs/<stage>.log, printed whole when it ends, so that outputs do not interleave. Used by `make test`.
"""

import os
import subprocess
import sys
import threading
import time

LOGS = ".build-logs"


def run_stage(stage, captured):
    """Run one stage; return (seconds, return code)."""
    started = time.monotonic()
    if not captured:
        returncode = subprocess.call(["make", "--no-print-directory", stage])
    else:
        path = os.path.join(LOGS, stage + ".log")
        with open(path, "w", encoding="utf-8") as log:
            returncode = subprocess.call(["make", "--no-print-directory", stage], stdout=log, stderr=subprocess.STDOUT)
        with open(path, encoding="utf-8", errors="replace") as log:
            sys.stdout.write("\n----- %s (ran beside other stages) -----\n%s" % (stage, log.read()))
            sys.stdout.flush()
    return time.monotonic() - started, returncode


def run_step(step, timings):
    lanes = [lane.split(",") for lane in step.split("+")]
    failed = []
    lock = threading.Lock()

    def run_lane(stages):
        for stage in stages:
            if failed:
                return
            seconds, returncode = run_stage(stage, captured=len(lanes) > 1)
            with lock:
                timings.append((stage, seconds))
                if returncode:
                    failed.append(stage)

    threads = [threading.Thread(target=run_lane, args=(lane,)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failed


def main(steps):
    os.makedirs(LOGS, exist_ok=True)
    timings, failed, started = [], [], time.monotonic()
    for step in steps:
        failed = run_step(step, timings)
        if failed:
            break
    print("\nmake test, time of each stage (stages joined by + in the list ran at the same time):")
    for stage, seconds in timings:
        print("  %-16s %4dm%02ds" % (stage, seconds // 60, seconds % 60))
    total = time.monotonic() - started
    print("  %-16s %4dm%02ds" % ("wall clock", total // 60, total % 60))
    if failed:
        print("make test: stage %s failed" % ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
