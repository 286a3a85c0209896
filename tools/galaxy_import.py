"""Run galaxy-importer (what Galaxy and Automation Hub run on an upload) on the built tarball, offline, with the
certification settings, and fail on any error or warning it reports.

    python tools/galaxy_import.py .build/ingrammicro-marketplace-1.0.0.tar.gz

Settings: version 1.0.0 or greater required, flake8 and ansible-lint (offline) on, ansible-doc on, ansible-test off
(make sanity runs it on the oldest and the newest supported ansible-core).
"""

import os
import re
import subprocess
import sys

SETTINGS = {
    "GALAXY_IMPORTER_REQUIRE_V1_OR_GREATER": "true",
    "GALAXY_IMPORTER_RUN_FLAKE8": "true",
    "GALAXY_IMPORTER_RUN_ANSIBLE_LINT": "true",
    "GALAXY_IMPORTER_OFFLINE_ANSIBLE_LINT": "true",
    "GALAXY_IMPORTER_RUN_ANSIBLE_DOC": "true",
    "GALAXY_IMPORTER_RUN_ANSIBLE_TEST": "false",
    "GALAXY_IMPORTER_CHECK_CHANGELOG": "true",
}


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    tarball = os.path.abspath(sys.argv[1])
    env = {name: value for name, value in os.environ.items() if not name.startswith(("GALAXY_IMPORTER_", "ANSIBLE_"))}
    env.update(SETTINGS, GALAXY_IMPORTER_TMP_ROOT_DIR=os.path.join(os.path.dirname(tarball), "galaxy-importer"))
    os.makedirs(env["GALAXY_IMPORTER_TMP_ROOT_DIR"], exist_ok=True)
    run = subprocess.run([sys.executable, "-m", "galaxy_importer.main", tarball], env=env, cwd=os.path.dirname(tarball),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    findings = [line for line in run.stdout.splitlines() if re.match(r"^(WARNING|ERROR)\b", line)]
    if run.returncode != 0 or findings or "Importer processing completed successfully" not in run.stdout:
        print(run.stdout[-8000:])
        raise SystemExit("galaxy-importer: %d finding(s), exit code %d" % (len(findings), run.returncode))
    print("galaxy-importer: %s imports cleanly with the certification settings (no error, no warning)" % os.path.basename(tarball))


if __name__ == "__main__":
    main()
