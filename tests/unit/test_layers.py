"""The collection's Python in layers, checked from its imports (tools/layers.py): no layer imports one above it, nothing
imports itself through others, the controller-side code never reaches the module stack, the HTTP client never reaches
the module base, and docs/architecture.md shows the layers as they are and names every file."""

import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))

import layers  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="module")
def edges():
    return layers.graph()


def test_no_layer_imports_one_above_it(edges):
    assert layers.violations(edges) == []


def test_nothing_imports_itself_through_others(edges):
    assert layers.cycles(edges) == []


def test_controller_side_code_never_reaches_the_module_stack(edges):
    controller_side = [path for path in edges if layers.part_of(path) in ("plugin_utils", "filter")]
    assert controller_side
    reached = {path: sorted(layers.closure(edges, path) & set(layers.MODULE_STACK)) for path in controller_side}
    assert {path: found for path, found in reached.items() if found} == {}


def test_the_client_never_reaches_the_module_base(edges):
    assert [path for path in layers.closure(edges, "plugins/module_utils/api/_client.py") if "/resources/" in path] == []


def test_every_part_has_a_rule_and_every_file_a_part(edges):
    assert {layers.part_of(path) for path in edges} <= set(layers.ALLOWED)


def test_the_picture_in_the_architecture_page_is_current_and_every_file_is_named(edges):
    shown, text = layers.documented()
    assert shown == layers.mermaid(edges), "run: python tools/layers.py --write"
    unnamed = [path for path in edges if os.path.basename(path) not in text and os.path.basename(path)[:-3] not in text]
    assert unnamed == []


def test_the_rules_catch_a_layer_that_imports_one_above_it():
    assert layers.violations({"plugins/module_utils/api/_client.py": {"plugins/module_utils/resources/_module.py"}}) == [
        "plugins/module_utils/api/_client.py (module_utils/api) imports plugins/module_utils/resources/_module.py (module_utils/resources)"]
    assert layers.cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == ["a", "b"]
