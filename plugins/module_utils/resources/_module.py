# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module base: the common argument spec, a lazily built client, and errors turned into ``fail_json``.

Private to this collection. Modules subclass ``IMModule`` (or ``IMResource`` / ``IMInfo``), implement
``execute()`` returning the result dict, and call ``run()``.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api import _client
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig, connection_argument_spec
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base import _role_words
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._controller import ControllerWatch
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import OrderDesk
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._waiter import Waiter

WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=900),
)
MESSAGES_ARGUMENT_SPEC = dict(
    messages_for=dict(type="str", choices=list(_role_words.ROLES), default="module"),
)


class IMModule:
    """Wraps ``AnsibleModule`` with the connection options every module shares."""

    def __init__(self, argument_spec, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        # The ansible-playbook above this process, identified before the first request: once it is gone (killed while
        # this module plans or orders), no order is placed (see order_desk).
        self.controller = ControllerWatch()
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        self.params = self.module.params
        # Messages name the options as the caller knows them (a role's variables): said once, here, at the edge.
        self.words = _role_words.Vocabulary(self.params.get("messages_for"))
        # Return values to include when the task fails (for example the order that was placed before a wait failed).
        self.failure_context = {}
        self._client = None
        if not _client.HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=_client.REQUESTS_IMPORT_ERROR)

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff  # pylint: disable=protected-access

    @property
    def client(self):
        """The API client, built on first use so that input errors are reported before any connection."""
        if self._client is None:
            config = ConnectionConfig.from_params(self.params)
            self._client = _client.MarketplaceClient(config, warn=self.warn)
        return self._client

    def order_desk(self, concurrency=8):
        """The order operations of this module's client, placing no order once ansible-playbook is gone."""
        return OrderDesk(self.client, self.warn, concurrency, watch=self.controller)

    def waiter(self):
        """A Waiter configured from ``wait`` / ``wait_timeout`` (a no-op in check mode)."""
        return Waiter(self.params["wait_timeout"], enabled=self.params["wait"], check_mode=self.check_mode)

    def execute(self):
        """Do the work and return the result dict (``changed`` and the module's return values)."""
        raise NotImplementedError

    def run(self):
        """Run ``execute()`` and exit; every deliberate error becomes a ``fail_json`` naming what failed."""
        try:
            result = self.execute()
        except IMApiError as exc:
            self._report_retries()
            self.fail(str(exc), failure=exc.code, **dict(self.failure_context, **exc.details()))
        except IMError as exc:
            self._report_retries()
            if getattr(exc, "problems", None):
                self.failure_context["problems"] = exc.problems
            self.fail(str(exc), failure=exc.code, **self.failure_context)
        self._report_retries()
        self.module.exit_json(**self.words.say(result))

    def fail(self, msg, **kwargs):
        """Fail the task, in the caller's words."""
        self.module.fail_json(msg=self.words.say(msg), **self.words.say(kwargs))

    def warn(self, message):
        """A warning, in the caller's words."""
        self.module.warn(self.words.say(message))

    def _report_retries(self):
        summary = self._client.retry_summary() if self._client is not None else None
        if summary:
            self.warn(summary)
