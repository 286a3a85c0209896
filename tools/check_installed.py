"""Check the collection installed from the built tarball (ANSIBLE_COLLECTIONS_PATH points at it).

Every module must render with ansible-doc from the installed copy, and the action group `all` in
meta/runtime.yml must list every module and nothing else.
"""

import json
import os
import subprocess
import sys

import yaml

COLLECTION = "ingrammicro.marketplace"


def main():
    root = os.path.join(os.environ["ANSIBLE_COLLECTIONS_PATH"], "ansible_collections", "ingrammicro", "marketplace")
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(root, "plugins", "modules")) if name.endswith(".py"))
    with open(os.path.join(root, "meta", "runtime.yml"), encoding="utf-8") as handle:
        group = sorted(yaml.safe_load(handle)["action_groups"]["all"])
    if group != modules:
        sys.exit("meta/runtime.yml action group 'all' %s does not match the modules %s" % (group, modules))
    names = ["%s.%s" % (COLLECTION, module) for module in modules]
    output = subprocess.run(["ansible-doc", "--json", "-t", "module"] + names, check=True, capture_output=True, text=True)
    docs = json.loads(output.stdout)
    for name in names:
        doc = docs.get(name, {})
        if not doc.get("doc", {}).get("options") or not doc.get("examples") or not doc.get("return"):
            sys.exit("%s: ansible-doc did not render DOCUMENTATION, EXAMPLES and RETURN from the installed tarball" % name)
    print("installed tarball: %d modules render with ansible-doc and are all in the action group" % len(names))


if __name__ == "__main__":
    main()
