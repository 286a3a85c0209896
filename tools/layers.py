"""The collection's Python in layers, read from its imports: which package may import which, the import graph, and the
picture of it in docs/architecture.md (kept current by a test, tests/unit/test_layers.py).

    python tools/layers.py            print the picture (Mermaid)
    python tools/layers.py --write    write it into docs/architecture.md between its markers
"""

import ast
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "ansible_collections.ingrammicro.marketplace.plugins."
DOC = os.path.join(REPO, "docs", "architecture.md")
BEGIN = "<!-- layers: generated from the imports by tools/layers.py --write; tests/unit/test_layers.py keeps it current -->"
END = "<!-- end of layers -->"

# Each part of the code and what it may import, lowest first. A part imports only itself and what is listed here.
ALLOWED = {
    "module_utils/base": (),
    "module_utils/mail": ("module_utils/base",),
    "module_utils/api": ("module_utils/base",),
    "module_utils/events": ("module_utils/base", "module_utils/api"),
    "module_utils/resources": ("module_utils/base", "module_utils/api"),
    "module_utils/licences": ("module_utils/base", "module_utils/api", "module_utils/resources"),
    "module_utils/checks": ("module_utils/base", "module_utils/api", "module_utils/resources", "module_utils/licences"),
    # Controller-side, for the filters: the pure rules of the layers below, never the module stack (see MODULE_STACK).
    "plugin_utils": ("module_utils/base", "module_utils/mail", "module_utils/resources", "module_utils/licences", "module_utils/events"),
    "filter": ("plugin_utils", "module_utils/base", "module_utils/licences", "module_utils/events"),
    "lookup": ("plugin_utils", "module_utils/base"),
    "modules": ("module_utils/base", "module_utils/api", "module_utils/resources", "module_utils/licences", "module_utils/checks",
                "module_utils/mail"),
    "inventory": ("module_utils/base", "module_utils/api", "module_utils/resources"),
    "event_source": ("module_utils/base", "module_utils/api", "module_utils/events"),
    "doc_fragments": (),
}
# What runs a module (AnsibleModule, the HTTP client): controller-side code must not reach it, even through other files.
MODULE_STACK = ("plugins/module_utils/resources/_module.py", "plugins/module_utils/resources/_resource.py",
                "plugins/module_utils/api/_client.py")


def part_of(path):
    """The part a file belongs to: ``module_utils/<layer>``, ``plugin_utils``, ``modules``, ``filter``, ..."""
    pieces = path.split("/")
    if pieces[0] == "extensions":
        return "event_source"
    if pieces[1] == "module_utils":
        return "module_utils/" + pieces[2]
    return pieces[1]


def python_files():
    found = []
    for root in ("plugins", os.path.join("extensions", "eda", "plugins")):
        for folder, _dirs, names in os.walk(os.path.join(REPO, root)):
            found.extend(os.path.relpath(os.path.join(folder, name), REPO) for name in names if name.endswith(".py"))
    return sorted(found)


def imports(path):
    """The collection's files ``path`` imports."""
    with open(os.path.join(REPO, path), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            base = node.module[len(PACKAGE):].replace(".", "/")
            for alias in node.names:
                for candidate in ("plugins/%s/%s.py" % (base, alias.name), "plugins/%s.py" % base):
                    if os.path.exists(os.path.join(REPO, candidate)):
                        found.add(candidate)
                        break
    return found


def graph():
    return {path: imports(path) for path in python_files()}


def violations(edges):
    """Imports that go where ALLOWED does not let them."""
    problems = []
    for path, targets in sorted(edges.items()):
        part = part_of(path)
        for target in sorted(targets):
            if part_of(target) != part and part_of(target) not in ALLOWED[part]:
                problems.append("%s (%s) imports %s (%s)" % (path, part, target, part_of(target)))
    return problems


def closure(edges, path):
    seen, todo = set(), [path]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def cycles(edges):
    """Files that import themselves through others."""
    return sorted(path for path in edges if path in closure(edges, path))


def mermaid(edges):
    """One picture: each layer with its files, and which layer imports which."""
    parts = {}
    for path in edges:
        parts.setdefault(part_of(path), []).append(os.path.basename(path)[:-3])
    order = [part for part in ALLOWED if part in parts]
    ident = {part: re.sub(r"\W", "_", part) for part in order}
    lines = ["```mermaid", "flowchart BT"]
    for part in order:
        files = parts[part]
        shown = ", ".join(sorted(files)) if len(files) <= 20 else "%d files" % len(files)
        lines.append('  %s["<b>%s</b><br/>%s"]' % (ident[part], part, shown))
    used = sorted({(part_of(path), part_of(target)) for path, targets in edges.items() for target in targets
                   if part_of(path) != part_of(target)}, key=lambda pair: (order.index(pair[0]), order.index(pair[1])))
    lines.extend("  %s --> %s" % (ident[source], ident[target]) for source, target in used)
    lines.append("```")
    return "\n".join(lines)


def documented():
    with open(DOC, encoding="utf-8") as handle:
        text = handle.read()
    return text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip(), text


def main():
    edges = graph()
    picture = mermaid(edges)
    if "--write" in sys.argv:
        _current, text = documented()
        before, after = text[:text.index(BEGIN) + len(BEGIN)], text[text.index(END):]
        with open(DOC, "w", encoding="utf-8") as handle:
            handle.write("%s\n\n%s\n\n%s" % (before, picture, after))
        print("docs/architecture.md: the layers' picture is current")
        return
    print(picture)


if __name__ == "__main__":
    main()
