"""IMResource.ensure_present without a playbook: check mode never writes, a rerun changes nothing, diff only under
--diff, hidden fields never returned, and a create that lacks what it needs fails before any write."""

from types import SimpleNamespace

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._resource import IMResource


class Thing(IMResource):
    """A resource whose API is a dict: ``current`` is what the API holds (None: nothing yet)."""

    resource_key = "thing"
    hidden_fields = ("admin.password",)

    def __init__(self, current, wanted, check_mode=False, diff=False):  # pylint: disable=super-init-not-called
        self.module = SimpleNamespace(check_mode=check_mode, _diff=diff)
        self.current, self.wanted, self.writes = current, wanted, []

    def find(self):
        return self.current

    def desired(self):
        return dict(self.wanted)

    def changes(self, current, desired):
        return {key: value for key, value in desired.items() if key != "admin" and current.get(key) != value}

    def validate_create(self, desired):
        if not desired.get("name"):
            raise IMConfigError("name is needed to create the thing")

    def create(self, desired):
        self.writes.append(("create", desired))
        self.current = dict(desired, id="7")
        return self.current

    def update(self, current, patch):
        self.writes.append(("update", patch))
        self.current = dict(current, **patch)
        return self.current


WANTED = {"name": "Acme", "tier": "gold", "admin": {"login": "ann", "password": "s3cret"}}


def test_check_mode_create_writes_nothing_and_says_what_it_would_create():
    thing = Thing(None, WANTED, check_mode=True)
    result = thing.ensure_present()
    assert thing.writes == []
    assert result["changed"] is True
    assert result["thing"] == {"name": "Acme", "tier": "gold", "admin": {"login": "ann"}, "id": None, "simulated": True}


def test_create_then_rerun_changes_nothing():
    thing = Thing(None, WANTED)
    first = thing.ensure_present()
    assert [kind for kind, _body in thing.writes] == ["create"] and first["changed"] is True and first["thing"]["id"] == "7"
    again = thing.ensure_present()
    assert again["changed"] is False and len(thing.writes) == 1
    assert "password" not in str(first) and "password" not in str(again)


def test_update_sends_only_what_differs_and_check_mode_only_merges():
    held = {"id": "7", "name": "Acme", "tier": "silver"}
    checked = Thing(dict(held), WANTED, check_mode=True, diff=True)
    result = checked.ensure_present()
    assert checked.writes == [] and result["changed"] is True and result["thing"]["tier"] == "gold"
    assert result["diff"] == {"before": {"id": "7", "name": "Acme", "tier": "silver"}, "after": result["thing"]}
    applied = Thing(dict(held), WANTED)
    result = applied.ensure_present()
    assert applied.writes == [("update", {"tier": "gold"})] and "diff" not in result


def test_a_create_that_lacks_what_it_needs_fails_before_any_write():
    thing = Thing(None, {"tier": "gold"})
    with pytest.raises(IMConfigError, match="name is needed"):
        thing.ensure_present()
    assert thing.writes == []
