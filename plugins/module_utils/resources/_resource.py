# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource and info module bases: ensure-present with before/after, check mode, diff. Private to this collection.

A resource module says how to find its object, what the user asked for, what differs, and how to create and
update it; ``IMResource.ensure_present`` does the rest the same way for every module:

- check mode never calls a writing endpoint; a would-be create returns the desired object with ``id: null``
  and ``simulated: true``, a would-be update the current object with the changes merged in;
- ``changed`` is true exactly when a write was (or would have been) made;
- ``diff`` (``before``/``after``) is returned only under ``--diff``;
- fields listed in ``hidden_fields`` (write-only secrets, signed URLs) never reach results or diffs.
"""

from __future__ import annotations

import copy

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._transform import hide_fields, to_snake
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._module import IMModule


class _Presenter:
    """Shared by resource and info modules: API object -> returned object (snake_case, secrets removed)."""

    hidden_fields = ()  # dotted snake_case paths, e.g. "contact_persons.password"

    def present(self, obj):
        if not obj:
            return {}
        return hide_fields(to_snake(obj), self.hidden_fields)


class IMResource(_Presenter, IMModule):
    """Base of the resource modules (``im_customer`` ...). Subclasses set ``resource_key`` and the hooks below."""

    resource_key = None  # the singular result key, e.g. "customer"

    def validate(self):
        """Check option values before any request; raise IMConfigError naming the option and the fix."""

    def find(self):
        """The current API object, or ``None`` when it does not exist yet."""
        raise NotImplementedError

    def desired(self):
        """The API-shaped object the user asked for, built only from options the user set."""
        raise NotImplementedError

    def changes(self, current, desired):
        """The API body that brings ``current`` to ``desired`` (managed fields only); empty when nothing differs."""
        raise NotImplementedError

    def validate_create(self, desired):
        """Fail (IMConfigError) when ``desired`` lacks what a create needs. Called before any write, in check mode too."""

    def create(self, desired):
        raise NotImplementedError

    def update(self, current, patch):
        raise NotImplementedError

    def simulate_create(self, desired):
        """What a create would most likely return (check mode)."""
        return copy.deepcopy(desired)

    def simulate_update(self, current, patch):
        """What an update would most likely return (check mode)."""
        merged = copy.deepcopy(current)
        merged.update(copy.deepcopy(patch))
        return merged

    def ensure_present(self):
        self.validate()
        current = self.find()
        desired = self.desired()
        if current is None:
            self.validate_create(desired)
            after = self.simulate_create(desired) if self.check_mode else self.create(desired)
            return self.result(True, None, after, simulated=self.check_mode)
        patch = self.changes(current, desired)
        if not patch:
            return self.result(False, current, current)
        after = self.simulate_update(current, patch) if self.check_mode else self.update(current, patch)
        return self.result(True, current, after)

    def result(self, changed, before, after, simulated=False, **extra):
        """The module result: ``changed``, the object under ``resource_key``, and ``diff`` under ``--diff``."""
        shown = self.present(after)
        if simulated:
            shown["id"] = None
            shown["simulated"] = True
        result = dict(extra, changed=changed)
        result[self.resource_key] = shown
        if self.diff_mode:
            result["diff"] = {"before": self.present(before), "after": shown}
        return result


class IMInfo(_Presenter, IMModule):
    """Base of the ``*_info`` modules: never changed, always a (possibly empty) plural list."""

    result_key = None  # the plural result key, e.g. "customers"

    def items(self):
        """The API objects to return."""
        raise NotImplementedError

    def execute(self):
        return {"changed": False, self.result_key: [self.present(item) for item in self.items()]}
