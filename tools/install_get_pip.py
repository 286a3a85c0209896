"""Provide ansible-test's pip bootstrap script offline.

ansible-test sanity creates a virtual environment per test and bootstraps pip into it with a get-pip script it
downloads from ci-files.testing.ansible.com, which is not reachable from every build machine. This writes a
stand-in at the cache path ansible-test looks at first: it bootstraps the pip bundled with Python (ensurepip),
then installs what ansible-test asked for from the configured package index.
"""

import os
import re
import sys

STANDIN = '''"""Stand-in for get-pip.py (see tools/install_get_pip.py in the ingrammicro.marketplace repository)."""
import os
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
env = dict(os.environ)
# ensurepip points PIP_CONFIG_FILE at /dev/null, which would hide this machine's index configuration.
env.pop("PIP_CONFIG_FILE", None)
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args, env=env)
'''


def pip_version():
    import ansible_test  # pylint: disable=import-outside-toplevel

    path = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(path, encoding="utf-8") as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit("cannot find the pip version ansible-test bootstraps in %s" % path)
    return match.group(1)


def main():
    version = pip_version()
    path = os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % version.replace(".", "_"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    current = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            current = handle.read()
    if current != STANDIN:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(STANDIN)
        print("wrote pip bootstrap stand-in for ansible-test: %s" % path)


if __name__ == "__main__":
    main()
