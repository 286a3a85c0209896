"""Check the collection installed from the built tarball (ANSIBLE_COLLECTIONS_PATH points at it).

Every module must render with ansible-doc from the installed copy, and the action group `all` in
meta/runtime.yml must list every module that takes the Marketplace connection settings and nothing else.
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
    names = ["%s.%s" % (COLLECTION, module) for module in modules]
    output = subprocess.run(["ansible-doc", "--json", "-t", "module"] + names, check=True, capture_output=True, text=True)
    docs = json.loads(output.stdout)
    for name in names:
        doc = docs.get(name, {})
        if not doc.get("doc", {}).get("options") or not doc.get("examples") or not doc.get("return"):
            sys.exit("%s: ansible-doc did not render DOCUMENTATION, EXAMPLES and RETURN from the installed tarball" % name)
    # The group carries the Marketplace connection settings (module_defaults), so it holds exactly the modules that
    # take them: a module without them (im_mail) would fail on the options it does not know.
    api_modules = sorted(module for module, name in zip(modules, names) if "api_url" in docs[name]["doc"]["options"])
    with open(os.path.join(root, "meta", "runtime.yml"), encoding="utf-8") as handle:
        group = sorted(yaml.safe_load(handle)["action_groups"]["all"])
    if group != api_modules:
        sys.exit("meta/runtime.yml action group 'all' %s does not match the modules of the API %s" % (group, api_modules))
    print("installed tarball: %d modules render with ansible-doc; the %d of the API are all in the action group"
          % (len(names), len(api_modules)))


if __name__ == "__main__":
    main()
