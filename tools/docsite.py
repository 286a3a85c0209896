"""The collection's documentation site, built with antsibull-docs: `make docs`, and its checks in `make test`.

    python tools/docsite.py extra-docs [--check]   write docs/docsite/rst/*.rst from the Markdown guides (or check them)
    python tools/docsite.py build COLLECTIONS DEST build the site from the collection installed under COLLECTIONS

The guides are written once, in Markdown (docs/*.md, tests/simulator/README.md, read on GitHub); the docs site needs
them as reStructuredText (docs/docsite/extra-docs.yml), so they are converted with pandoc and the result is kept in
the repository like CHANGELOG.rst, with a check that it is current. The site is built offline: the only inventory of
the Ansible documentation the plugin pages refer to is written here, with the few labels they use, pointing at
docs.ansible.com, instead of being downloaded.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION = "ingrammicro.marketplace"
BLOB = "https://github.com/ingrammicro/ansible-collection-marketplace/blob/main/"
RST_DIR = os.path.join(REPO, "docs", "docsite", "rst")
# page name -> Markdown source, in the order of docs/docsite/extra-docs.yml
GUIDES = {
    "awx": "docs/awx.md",
    "eda": "docs/eda.md",
    "simulator": "tests/simulator/README.md",
    "architecture": "docs/architecture.md",
    "reliability": "docs/reliability.md",
    "performance": "docs/performance.md",
}
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
# The labels of the Ansible documentation that antsibull-docs' pages refer to: (name, role, path, title).
ANSIBLE_LABELS = [
    ("common_return_values", "std:label", "reference_appendices/common_return_values.html#common-return-values",
     "Return Values"),
    ("ansible_configuration_settings", "std:label", "reference_appendices/config.html#ansible-configuration-settings",
     "Ansible Configuration Settings"),
] + [(name, "std:envvar", "reference_appendices/config.html#envvar-" + name, "-")
     for name in ("ANSIBLE_INVENTORY_UNPARSED_FAILED", "ANSIBLE_CACHE_PLUGIN", "ANSIBLE_CACHE_PLUGIN_CONNECTION",
                  "ANSIBLE_CACHE_PLUGIN_PREFIX", "ANSIBLE_CACHE_PLUGIN_TIMEOUT", "ANSIBLE_INVENTORY_CACHE",
                  "ANSIBLE_INVENTORY_CACHE_PLUGIN", "ANSIBLE_INVENTORY_CACHE_CONNECTION",
                  "ANSIBLE_INVENTORY_CACHE_PLUGIN_PREFIX", "ANSIBLE_INVENTORY_CACHE_TIMEOUT")]


def absolute_links(markdown, source):
    """Links relative to the Markdown file made absolute (GitHub), so they also work from the docs site."""
    base = os.path.dirname(source)

    def rewrite(match):
        target = match.group(2)
        if re.match(r"^(https?:|mailto:|#)", target):
            return match.group(0)
        path, _hash, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(base, path)).replace(os.sep, "/")
        return "%s(%s%s%s)" % (match.group(1), BLOB, resolved, "#" + anchor if anchor else "")

    return re.sub(r"(\]\s?)\(([^)\s]+)\)", rewrite, markdown)


def to_rst(name, source):
    import pypandoc  # pylint: disable=import-outside-toplevel

    with open(os.path.join(REPO, source), encoding="utf-8") as handle:
        markdown = absolute_links(handle.read(), source)
    # GitHub draws a Mermaid block; the docs site has no Mermaid, so it shows the diagram's text.
    markdown = markdown.replace("```mermaid\n", "```text\n")
    body = pypandoc.convert_text(markdown, "rst", format="gfm-gfm_auto_identifiers", extra_args=["--wrap=preserve"])
    header = (".. Generated from %s by tools/docsite.py (make docs); edit the Markdown, not this file.\n\n"
              ".. _ansible_collections.%s.docsite.%s:\n\n" % (source, COLLECTION, name))
    return header + body.rstrip() + "\n"


# Event sources: ansible-doc and antsibull-docs have no page type for them, so their page is made here from the
# plugin's DOCUMENTATION and EXAMPLES (the same text Galaxy and Automation Hub show).
EVENT_SOURCES = {"marketplace_events": "extensions/eda/plugins/event_source/marketplace_events.py"}
MARKUP = [(re.compile(r"[CVOE]\(([^()]*)\)"), r"`\1`"), (re.compile(r"B\(([^()]*)\)"), r"**\1**"), (re.compile(r"I\(([^()]*)\)"), r"*\1*")]


def plugin_strings(source):
    """The DOCUMENTATION and EXAMPLES constants of a plugin file, read without importing it."""
    import ast  # pylint: disable=import-outside-toplevel

    with open(os.path.join(REPO, source), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], "id", None) in ("DOCUMENTATION", "EXAMPLES"):
            found[node.targets[0].id] = node.value.value
    return found["DOCUMENTATION"], found["EXAMPLES"]


def _words(text):
    for pattern, replacement in MARKUP:
        text = pattern.sub(replacement, text)
    return text


def event_source_markdown(name, source):
    """The page of an event source, as Markdown: what it does, its arguments, notes and examples."""
    import yaml  # pylint: disable=import-outside-toplevel

    documentation, examples = plugin_strings(source)
    doc = yaml.safe_load(documentation)
    lines = ["# %s.%s event source - %s" % (COLLECTION, name, doc["short_description"]), ""]
    lines += ["%s\n" % _words(paragraph) for paragraph in doc["description"]]
    lines += ["## Arguments", "", "| argument | type | default | meaning |", "|---|---|---|---|"]
    for option, spec in doc["options"].items():
        default = spec.get("default")
        shown = "" if default is None else "`%s`" % (str(default).lower() if isinstance(default, bool) else default)
        meaning = " ".join(_words(part) for part in spec["description"]).replace("|", "\\|")
        lines.append("| `%s` | %s | %s | %s |" % (option, spec.get("type", "str"), shown, meaning))
    lines += ["", "## Notes", ""] + ["- %s" % _words(note) for note in doc.get("notes", [])]
    lines += ["", "## Examples", "", "```yaml", examples.strip(), "```", ""]
    lines += ["See also: [%s](%s)." % (link["name"], link["link"]) for link in doc.get("seealso", []) if link.get("link")]
    return "\n".join(lines) + "\n"


def event_source_rst(name, source):
    import pypandoc  # pylint: disable=import-outside-toplevel

    body = pypandoc.convert_text(event_source_markdown(name, source), "rst", format="gfm-gfm_auto_identifiers", extra_args=["--wrap=preserve"])
    header = (".. Generated from the DOCUMENTATION and EXAMPLES of %s by tools/docsite.py (make docs); edit the plugin, not this "
              "file.\n\n.. _ansible_collections.%s.docsite.%s_event_source:\n\n" % (source, COLLECTION, name))
    return header + body.rstrip() + "\n"


def extra_docs(check):
    """Write (or, with check, compare) docs/docsite/rst/<name>.rst for every guide and event source; returns the stale
    ones."""
    stale = []
    os.makedirs(RST_DIR, exist_ok=True)
    pages = [(name, lambda name=name, source=source: to_rst(name, source)) for name, source in GUIDES.items()]
    pages += [(name + "_event_source", lambda name=name, source=source: event_source_rst(name, source)) for name, source in EVENT_SOURCES.items()]
    for name, render in pages:
        path = os.path.join(RST_DIR, name + ".rst")
        wanted = render()
        current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if current != wanted:
            stale.append(os.path.relpath(path, REPO))
            if not check:
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(wanted)
    return stale


def write_inventory(path):
    """A Sphinx objects.inv (version 2) with ANSIBLE_LABELS, so references to the Ansible docs resolve offline."""
    lines = "".join("%s %s -1 %s %s\n" % (name, role, uri, title) for name, role, uri, title in ANSIBLE_LABELS)
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n"
    with open(path, "wb") as handle:
        handle.write(header.encode("utf-8") + zlib.compress(lines.encode("utf-8")))


def build(collections, dest):
    """sphinx-init, then the site, with warnings as errors, offline."""
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(collections), PATH=bin_dir + os.pathsep + os.environ["PATH"])
    env.pop("ANSIBLE_CONFIG", None)
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest, mode=0o700)
    subprocess.run([os.path.join(bin_dir, "antsibull-docs"), "sphinx-init", "--use-current", "--squash-hierarchy", "--fail-on-error",
                    "--dest-dir", dest, "--title", "Ingram Micro Cloud Marketplace collection", "--project", COLLECTION,
                    "--no-add-antsibull-docs-version", COLLECTION], check=True, env=env, stdout=subprocess.DEVNULL)
    inventory = os.path.join(os.path.abspath(dest), "ansible_devel.inv")
    write_inventory(inventory)
    with open(os.path.join(dest, "conf.py"), "a", encoding="utf-8") as handle:
        handle.write("\n# Offline: no inventory is downloaded; the Ansible labels the pages use come from a local file.\n"
                     "intersphinx_mapping = {'ansible_devel': (%r, %r)}\n" % (ANSIBLE_DOCS, inventory))
    subprocess.run(["bash", os.path.join(dest, "build.sh")], check=True, env=env)
    return os.path.join(dest, "build", "html", "index.html")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    extra = commands.add_parser("extra-docs")
    extra.add_argument("--check", action="store_true", help="fail if the generated pages are not current")
    site = commands.add_parser("build")
    site.add_argument("collections", help="a collections path holding the installed collection")
    site.add_argument("dest", help="where to build the site")
    options = parser.parse_args()
    if options.command == "extra-docs":
        stale = extra_docs(options.check)
        if stale and options.check:
            raise SystemExit("not current (run make docs and commit the result): %s" % ", ".join(stale))
        print("docs/docsite/rst: %s" % ("updated " + ", ".join(stale) if stale else "current"))
        return
    print("docs site: %s" % build(options.collections, options.dest))


if __name__ == "__main__":
    main()
