"""Run galaxy-importer (what Galaxy and Automation Hub run on an upload) on the built tarball, offline, with the
certification settings, and fail on any error or warning it reports.

    python tools/galaxy_import.py .build/ingrammicro-marketplace-1.0.0.tar.gz

Settings: version 1.0.0 or greater required, flake8 and ansible-lint (offline) on, ansible-doc on, ansible-test off
(make sanity runs it on the oldest and the newest supported ansible-core).
"""

import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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
    unlisted = unlisted_event_sources(os.path.join(os.path.dirname(tarball), "importer_result.json"))
    if unlisted:
        raise SystemExit("galaxy-importer does not list the event source(s) %s with their documentation: Galaxy and Automation Hub "
                         "would show none (meta/extensions.yml declares eda/plugins/event_source; each needs DOCUMENTATION)"
                         % ", ".join(unlisted))
    print("galaxy-importer: %s imports cleanly with the certification settings (no error, no warning), listing the event "
          "source(s) %s with their documentation" % (os.path.basename(tarball), ", ".join(EVENT_SOURCES)))


EVENT_SOURCES = sorted(os.path.splitext(name)[0] for name in os.listdir(os.path.join(REPO, "extensions", "eda", "plugins", "event_source"))
                       if name.endswith(".py"))


def unlisted_event_sources(result_path):
    """The collection's event sources that the import result does not list as content with a description and docs."""
    with open(result_path, encoding="utf-8") as handle:
        result = json.load(handle)
    listed = {item["name"] for item in result.get("contents", [])
              if item.get("content_type") == "eda/plugins/event_source" and item.get("description")}
    documented = {item["content_name"] for item in (result.get("docs_blob") or {}).get("contents", [])
                  if item.get("content_type") == "eda/plugins/event_source" and ((item.get("doc_strings") or {}).get("doc") or {}).get("options")}
    return [name for name in EVENT_SOURCES if name not in listed or name not in documented]


if __name__ == "__main__":
    main()
