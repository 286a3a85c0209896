# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shape conversions between module options / results (snake_case) and API objects (camelCase).

Private to this collection. Field names are converted, never renamed, so the vendor's documentation and
ours can be read side by side. User-defined maps (``attributes``) keep their keys as they are.
"""

from __future__ import annotations

import copy
import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

# Keys whose values are user data: their inner keys are never converted.
OPAQUE_KEYS = ("attributes",)

HIDDEN = "VALUE_HIDDEN"


def to_snake(obj):
    """An API object (dict or list of dicts) with snake_case keys."""
    if isinstance(obj, list):
        return [to_snake(item) for item in obj]
    if not isinstance(obj, dict):
        return obj
    return camel_dict_to_snake_dict(obj, ignore_list=OPAQUE_KEYS)


def _camel(name):
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), name)


def to_camel(obj):
    """Module options (snake_case, possibly nested) as an API body; ``None`` values are dropped (unset options)."""
    if isinstance(obj, list):
        return [to_camel(item) for item in obj if item is not None]
    if not isinstance(obj, dict):
        return obj
    result = {}
    for key, value in obj.items():
        if value is None:
            continue
        result[_camel(key)] = copy.deepcopy(value) if key in OPAQUE_KEYS else to_camel(value)
    return result


def hide_fields(obj, paths):
    """A copy of ``obj`` without the fields named by dotted ``paths`` (a list along the way applies to each item).

    Used for write-only secrets (a customer admin's password) and for signed download URLs.
    """
    obj = copy.deepcopy(obj)
    for path in paths:
        _drop(obj, path.split("."))
    return obj


def _drop(obj, parts):
    if isinstance(obj, list):
        for item in obj:
            _drop(item, parts)
    elif isinstance(obj, dict) and parts[0] in obj:
        if len(parts) == 1:
            del obj[parts[0]]
        else:
            _drop(obj[parts[0]], parts[1:])


def subset_differs(current, desired):
    """True when some key set in ``desired`` has another value in ``current`` (dicts compared recursively)."""
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return True
        return any(subset_differs(current.get(key), value) for key, value in desired.items() if value is not None)
    return current != desired
