"""No module-level mutable state anywhere in the collection's Python: a module's names are constants (UPPER_CASE when
they hold a container), never rebound by ``global`` nor changed in place, so nothing one caller does leaks into what
another sees (the way option names once became role variables through a process-wide setting)."""

import ast
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROOTS = ("plugins", os.path.join("extensions", "eda", "plugins"))
MUTATORS = {"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear", "add", "discard", "remove", "sort"}
CONTAINERS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def python_files():
    for root in ROOTS:
        for folder, _dirs, files in os.walk(os.path.join(REPO, root)):
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.relpath(os.path.join(folder, name), REPO)


def module_state_problems(source):
    tree = ast.parse(source)
    names = set()
    problems = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name):
                names.add(target.id)
                if isinstance(node.value, CONTAINERS) and not target.id.isupper() and target.id not in ("__all__",):
                    problems.append("line %d: %s holds a container but is not a constant (UPPER_CASE)" % (node.lineno, target.id))
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            problems.append("line %d: global %s" % (node.lineno, ", ".join(node.names)))
        # NAME[...] = / del NAME[...] / NAME.attr = on a module-level name, from anywhere in the file
        for target in getattr(node, "targets", []) if isinstance(node, (ast.Assign, ast.Delete)) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []:
            if isinstance(target, (ast.Subscript, ast.Attribute)) and isinstance(target.value, ast.Name) and target.value.id in names:
                problems.append("line %d: %s is changed in place" % (node.lineno, target.value.id))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in names:
            problems.append("line %d: %s.%s() changes a module-level value" % (node.lineno, node.func.value.id, node.func.attr))
    return problems


@pytest.mark.parametrize("path", list(python_files()))
def test_no_module_level_mutable_state(path):
    with open(os.path.join(REPO, path), encoding="utf-8") as handle:
        assert module_state_problems(handle.read()) == []


@pytest.mark.parametrize("source, found", [
    ("_current = {'names': {}}\ndef use(role):\n    _current['names'] = role\n", 2),
    ("COUNT = 0\ndef bump():\n    global COUNT\n    COUNT += 1\n", 1),
    ("SEEN = []\ndef see(item):\n    SEEN.append(item)\n", 1),
    ("NAMES = {'a': 1}\ndef get(key):\n    return NAMES.get(key)\n", 0),
])
def test_the_scan_finds_state_where_there_is_some(source, found):
    assert len(module_state_problems(source)) == found
