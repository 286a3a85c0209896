# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options: the one argument spec shared by every module, and their validation.

Private to this collection. ``plugins/doc_fragments/connection.py`` documents exactly these options; a unit
test keeps the two identical. Plugins (the inventory) validate their options through ``ConnectionConfig``
too, so a setting means the same thing everywhere.
"""

from __future__ import annotations

import os
import re

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.errors import AnsibleFallbackNotFound
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError

# option name -> environment variable
ENV_VARS = {
    "api_url": "INGRAM_API_URL",
    "username": "INGRAM_USERNAME",
    "password": "INGRAM_PASSWORD",
    "subscription_key": "INGRAM_SUBSCRIPTION_KEY",
    "marketplace": "INGRAM_MARKETPLACE",
    "client_id": "INGRAM_CLIENT_ID",
    "validate_certs": "INGRAM_VALIDATE_CERTS",
    "timeout": "INGRAM_TIMEOUT",
    "connect_timeout": "INGRAM_CONNECT_TIMEOUT",
    "max_retries": "INGRAM_MAX_RETRIES",
    "retry_timeout": "INGRAM_RETRY_TIMEOUT",
    "token_cache": "INGRAM_TOKEN_CACHE",
    "change_quantity": "INGRAM_CHANGE_QUANTITY",
    "change_quantity_confirmed": "INGRAM_CHANGE_QUANTITY_CONFIRMED",
}

# Needed to obtain a token; checked by ConnectionConfig so the message can name the environment variable too.
REQUIRED_SETTINGS = ("api_url", "username", "password", "subscription_key", "marketplace")

SECRET_OPTIONS = ("password", "subscription_key")
# A secret can also come from a file named by <variable>_FILE (for example INGRAM_PASSWORD_FILE), so that it is in
# neither the process environment nor anything that records it (an AWX credential type injects such files).
FILE_SUFFIX = "_FILE"


def secret_from_environment(variable):
    """The value of ``variable``, or the content of the file named by ``variable``_FILE; ``None`` when neither is set."""
    if os.environ.get(variable):
        return os.environ[variable]
    path = os.environ.get(variable + FILE_SUFFIX)
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().rstrip("\r\n") or None
    except OSError as exc:
        raise IMConfigError("cannot read %s (named by %s%s): %s" % (path, variable, FILE_SUFFIX, exc.strerror or exc)) from None


def secret_fallback(variable):
    """An argument spec fallback: the variable, or the file its _FILE variable names (an unreadable file is reported
    by ConnectionConfig, which can fail cleanly; argument parsing cannot)."""
    try:
        value = secret_from_environment(variable)
    except IMConfigError:
        value = None
    if value is None:
        raise AnsibleFallbackNotFound
    return value


def _env(name):
    if name in SECRET_OPTIONS:
        return (secret_fallback, [ENV_VARS[name]])
    return (env_fallback, [ENV_VARS[name]])


def connection_argument_spec():
    """A fresh copy of the connection options' argument spec."""
    return dict(
        api_url=dict(type="str", fallback=_env("api_url")),
        username=dict(type="str", fallback=_env("username")),
        password=dict(type="str", no_log=True, fallback=_env("password")),
        subscription_key=dict(type="str", no_log=True, fallback=_env("subscription_key")),
        marketplace=dict(type="str", fallback=_env("marketplace")),
        client_id=dict(type="str", fallback=_env("client_id")),
        validate_certs=dict(type="bool", default=True, fallback=_env("validate_certs")),
        timeout=dict(type="float", default=30.0, fallback=_env("timeout")),
        connect_timeout=dict(type="float", default=10.0, fallback=_env("connect_timeout")),
        max_retries=dict(type="int", default=5, fallback=_env("max_retries")),
        retry_timeout=dict(type="float", default=300.0, fallback=_env("retry_timeout")),
        token_cache=dict(type="bool", default=True, fallback=_env("token_cache")),
        change_quantity=dict(type="str", default="total", choices=["total", "delta"], fallback=_env("change_quantity")),
        change_quantity_confirmed=dict(type="bool", default=False, fallback=_env("change_quantity_confirmed")),
    )


def _from_environment(name, option):
    if name in SECRET_OPTIONS:
        return secret_from_environment(ENV_VARS[name])
    value = os.environ[ENV_VARS[name]]
    try:
        if option["type"] == "bool":
            return boolean(value, strict=True)
        if option["type"] == "int":
            return int(value)
        if option["type"] == "float":
            return float(value)
    except (TypeError, ValueError):
        kinds = {"bool": "a boolean (true or false)", "int": "an integer", "float": "a number"}
        raise IMConfigError("environment variable %s must be %s, got %r" % (ENV_VARS[name], kinds[option["type"]], value)) from None
    return value


def plugin_params(get_option, explicit):
    """The connection settings of a plugin, with the modules' precedence: its configuration (``explicit``, the raw
    options it was given), else the INGRAM_* environment variable, else the default."""
    params = {}
    for name, option in connection_argument_spec().items():
        if explicit.get(name) is not None:
            params[name] = get_option(name)
        elif os.environ.get(ENV_VARS[name]) or (name in SECRET_OPTIONS and os.environ.get(ENV_VARS[name] + FILE_SUFFIX)):
            params[name] = _from_environment(name, option)
        else:
            params[name] = option.get("default")
    return params


class ConnectionConfig:
    """Validated connection settings. Build it with ``from_params`` from module params or plugin options."""

    def __init__(self, api_url, username, password, subscription_key, marketplace, client_id=None, validate_certs=True,
                 timeout=30.0, max_retries=5, token_cache=True, change_quantity="total", retry_timeout=300.0,
                 change_quantity_confirmed=False, connect_timeout=10.0):
        self.api_url = api_url
        self.username = username
        self.password = password
        self.subscription_key = subscription_key
        self.marketplace = marketplace
        self.client_id = client_id
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_retries = max_retries
        self.token_cache = token_cache
        self.change_quantity = change_quantity
        self.retry_timeout = retry_timeout
        self.change_quantity_confirmed = change_quantity_confirmed

    def __repr__(self):
        # Never show the secrets, even in a debugger or a traceback.
        return "ConnectionConfig(api_url=%r, username=%r, marketplace=%r)" % (self.api_url, self.username, self.marketplace)

    @classmethod
    def from_params(cls, params):
        """Validate ``params`` (a mapping holding the connection options) and return a config.

        Raises IMConfigError naming every missing or invalid setting and how to provide it.
        """
        missing = [name for name in REQUIRED_SETTINGS if params.get(name) in (None, "")]
        for name in missing:
            if name in SECRET_OPTIONS:
                secret_from_environment(ENV_VARS[name])  # an unreadable _FILE says so rather than "missing"
        if missing:
            raise IMConfigError(
                "missing connection setting%s: %s" % (
                    "s" if len(missing) > 1 else "",
                    ", ".join("%s (option %s or environment variable %s%s)" % (
                        name, name, ENV_VARS[name], " or %s%s" % (ENV_VARS[name], FILE_SUFFIX) if name in SECRET_OPTIONS else "")
                        for name in missing),
                )
            )
        api_url = str(params["api_url"]).strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+", api_url):
            raise IMConfigError(
                "api_url must be an http(s) URL such as https://api.cloud.im/marketplace/eu, got %r" % api_url
            )
        timeout = params.get("timeout", 30.0)
        if timeout is None or float(timeout) <= 0:
            raise IMConfigError("timeout must be a positive number of seconds, got %r" % (timeout,))
        connect_timeout = params.get("connect_timeout", 10.0)
        if connect_timeout is None or float(connect_timeout) <= 0:
            raise IMConfigError("connect_timeout must be a positive number of seconds, got %r" % (connect_timeout,))
        max_retries = params.get("max_retries", 5)
        if max_retries is None or int(max_retries) < 0:
            raise IMConfigError("max_retries must be 0 or more, got %r" % (max_retries,))
        retry_timeout = params.get("retry_timeout", 300.0)
        if retry_timeout is None or float(retry_timeout) < 0:
            raise IMConfigError("retry_timeout must be 0 or more seconds, got %r" % (retry_timeout,))
        change_quantity = params.get("change_quantity") or "total"
        if change_quantity not in ("total", "delta"):
            raise IMConfigError("change_quantity must be 'total' or 'delta', got %r" % (change_quantity,))
        return cls(
            api_url=api_url,
            username=str(params["username"]),
            password=str(params["password"]),
            subscription_key=str(params["subscription_key"]),
            marketplace=str(params["marketplace"]),
            client_id=params.get("client_id") or None,
            validate_certs=bool(params.get("validate_certs", True)),
            timeout=float(timeout),
            connect_timeout=float(connect_timeout),
            max_retries=int(max_retries),
            token_cache=bool(params.get("token_cache", True)),
            change_quantity=change_quantity,
            retry_timeout=float(retry_timeout),
            change_quantity_confirmed=bool(params.get("change_quantity_confirmed", False)),
        )

    def secrets(self):
        """Values that must never appear in any output."""
        return [value for value in (self.password, self.subscription_key) if value]

    def cache_key(self):
        """What identifies a token: the password is included (hashed) so a wrong password never reuses a good token."""
        return (self.api_url, self.username, self.marketplace, self.subscription_key, self.password, self.client_id or "")
