"""Doc fragments whose options mirror an argument spec in module_utils document exactly that spec's options, and every
fragment a module extends exists."""

import ast
import glob
import os

import pytest
import yaml

from ansible_collections.ingrammicro.marketplace.plugins.doc_fragments import guardrails, info, messages, wait
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._seats import guardrail_argument_spec
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._info_helpers import details_argument_spec
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._module import MESSAGES_ARGUMENT_SPEC, WAIT_ARGUMENT_SPEC

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
FRAGMENTS = os.path.join(REPO, "plugins", "doc_fragments")
PREFIX = "ingrammicro.marketplace."


def compare(documented, spec, where):
    assert sorted(documented) == sorted(spec), where
    for name, option in spec.items():
        doc = documented[name]
        for key, default in (("type", "str"), ("default", None), ("choices", None), ("required", False), ("elements", None)):
            assert doc.get(key, default) == option.get(key, default), "%s.%s %s" % (where, name, key)
        assert doc.get("description"), "%s.%s has no description" % (where, name)


@pytest.mark.parametrize("fragment, spec, where", [
    (guardrails.ModuleDocFragment.DOCUMENTATION, guardrail_argument_spec(), "guardrails"),
    (info.ModuleDocFragment.DETAILS, details_argument_spec(), "info.details"),
    (wait.ModuleDocFragment.DOCUMENTATION, WAIT_ARGUMENT_SPEC, "wait"),
    (messages.ModuleDocFragment.DOCUMENTATION, MESSAGES_ARGUMENT_SPEC, "messages"),
])
def test_fragment_matches_argument_spec(fragment, spec, where):
    compare(yaml.safe_load(fragment)["options"], spec, where)


def module_docs():
    for path in sorted(glob.glob(os.path.join(REPO, "plugins", "modules", "*.py"))):
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        for node in tree.body:
            if isinstance(node, ast.Assign) and [target.id for target in node.targets] == ["DOCUMENTATION"]:
                yield os.path.basename(path), yaml.safe_load(node.value.value)


def fragment_text(name):
    """The YAML a reference such as ``ingrammicro.marketplace.info.details`` names, as ansible-core resolves it."""
    assert name.startswith(PREFIX), name
    file_name, _dot, variable = name[len(PREFIX):].partition(".")
    with open(os.path.join(FRAGMENTS, file_name + ".py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "ModuleDocFragment"]
    values = {target.id: node.value.value for node in classes[0].body if isinstance(node, ast.Assign) for target in node.targets}
    return values[(variable or "documentation").upper()]


@pytest.mark.parametrize("module, doc", list(module_docs()))
def test_every_extended_fragment_exists_and_adds_no_option_twice(module, doc):
    seen = set(doc.get("options") or {})
    for name in doc.get("extends_documentation_fragment", []):
        options = yaml.safe_load(fragment_text(name)).get("options") or {}
        # A module may complete an option of a fragment (choices of its own), never repeat one of another fragment.
        assert not set(options) & (seen - set(doc.get("options") or {})), "%s: %s" % (module, name)
        seen |= set(options)


def test_options_a_module_completes_keep_the_fragments_description():
    for module, doc in module_docs():
        fragment_options = {}
        for name in doc.get("extends_documentation_fragment", []):
            fragment_options.update(yaml.safe_load(fragment_text(name)).get("options") or {})
        for option, value in (doc.get("options") or {}).items():
            if option in fragment_options:
                assert "description" not in value, "%s: %s is described in a fragment" % (module, option)
