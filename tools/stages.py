"""Run `make` stages one after another, stop at the first that fails, and print how long each took.

Used by `make test`, so that a slow stage shows in every run's output.
"""

import subprocess
import sys
import time


def main(stages):
    timings, failed = [], None
    for stage in stages:
        started = time.monotonic()
        returncode = subprocess.call(["make", "--no-print-directory", stage])
        timings.append((stage, time.monotonic() - started))
        if returncode:
            failed = stage
            break
    print("\nmake test, time of each stage:")
    for stage, seconds in timings:
        print("  %-16s %4dm%02ds" % (stage, seconds // 60, seconds % 60))
    print("  %-16s %4dm%02ds" % ("total", sum(s for _, s in timings) // 60, sum(s for _, s in timings) % 60))
    if failed:
        print("make test: stage %s failed" % failed)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
