#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_api
short_description: Send any request to the Ingram Micro Cloud Marketplace API
version_added: 1.0.0
description:
  - Sends one request to the Marketplace API ("Ingram Micro API Request"), for operations no other module of this
    collection covers, with the same connection as every module (token, retries, error messages).
  - The request always goes to O(api_url); O(path) is relative to it, so the token and the subscription key can never be
    sent to another host.
  - With O(paginate=true), a C(GET) of a C({data, pagination}) list reads every page and returns all items.
  - A request other than C(GET) is reported as changed and is not sent in check mode, except the operations that
    only read (C(POST /orders/estimate) and C(POST /validation/parameters)), which are sent in check mode too and are
    never changed.
  - Prefer the dedicated modules where one exists; they are idempotent, and this module is not (a C(POST /orders) sent
    twice places two orders).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes
attributes:
  check_mode:
    support: partial
    details:
      - C(GET) requests and the read-only C(POST /orders/estimate) and C(POST /validation/parameters) are sent.
      - Any other request is not sent; the task reports C(changed=true), RV(sent=false) and RV(json=null).
  diff_mode:
    description: The module does not know the state before a request, so it returns no diff.
    support: none
options:
  method:
    description:
      - HTTP method.
    type: str
    choices: [GET, POST, PATCH, PUT, DELETE]
    default: GET
  path:
    description:
      - Path of the operation relative to O(api_url), starting with C(/), for example V(/customers/1000001).
      - Absolute URLs, C(.) and C(..) segments, backslashes, and a query string or fragment in the path are refused
        before any request; give query parameters in O(query).
      - V(/token) is refused; the connection obtains tokens itself.
    type: str
    required: true
  query:
    description:
      - Query parameters by their API names, for example C(customerId) and C(status) for C(GET /subscriptions).
      - Values that are V(null) are left out; a list sends the parameter once per item; V(true) and V(false) are sent in
        lower case.
    type: dict
  body:
    description:
      - JSON body, a dictionary or a list, sent as it is (keys in the API's camelCase). A string holding a JSON object or
        array is decoded first.
      - Cannot be used with C(GET).
    type: raw
  paginate:
    description:
      - Read every page of a C({data, pagination}) list and return all items in RV(json). Only for C(GET).
      - The pages are read with C(offset) and C(limit), which O(query) must not set.
    type: bool
    default: false
notes:
  - O(body) and O(query) are shown in the task's output at high verbosity like any module option. Do not put passwords
    in them (for example a customer administrator's); use M(ingrammicro.marketplace.im_customer), whose password
    option is never shown, or set C(no_log) on the task.
  - Report download links (C(downloadUrl)) are signed and are removed from RV(json) wherever they appear; download
    reports with M(ingrammicro.marketplace.im_report) and its O(ingrammicro.marketplace.im_report#module:dest) option.
seealso:
  - module: ingrammicro.marketplace.im_customer
  - module: ingrammicro.marketplace.im_report
"""

EXAMPLES = r"""
- name: Read one customer by its external id, as the API returns it
  ingrammicro.marketplace.im_api:
    path: /customers
    query:
      externalId: ACME-001
  register: acme

- name: Read every subscription of that customer, all pages
  ingrammicro.marketplace.im_api:
    path: /subscriptions
    query:
      customerId: "{{ acme.json.data[0].id }}"
    paginate: true
  register: subscriptions

- name: Show how many there are
  ansible.builtin.debug:
    msg: "{{ subscriptions.json | length }} subscriptions"

- name: Price an order without placing it (a read, also sent in check mode)
  ingrammicro.marketplace.im_api:
    method: POST
    path: /orders/estimate
    body:
      customerId: "{{ acme.json.data[0].id }}"
      type: sales
      products:
        - mpn: SH3AMCLOS
          quantity: 10
  register: estimate

- name: Change a customer's tax registration id with a PATCH
  ingrammicro.marketplace.im_api:
    method: PATCH
    path: /customers/1000002
    body:
      taxRegId: DE-987654321
"""

RETURN = r"""
json:
  description:
    - The decoded JSON answer, as the API sends it (keys in camelCase); V(null) when the answer has no body or the
      request was not sent (check mode).
    - With O(paginate=true), the list of every item of every page.
    - Report download links (C(downloadUrl)) are removed.
  returned: always
  type: raw
  sample: {"data": [{"id": "1000001", "externalId": "ACME-001", "name": "Acme Manufacturing Inc.", "status": "active"}],
           "pagination": {"offset": 0, "limit": 10, "total": 1}}
sent:
  description: V(false) when the request was not sent because of check mode.
  returned: always
  type: bool
  sample: true
"""

import json
from urllib.parse import unquote

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._retry import is_safe
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._module import IMModule
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._reports import strip_download_urls

METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]
PATH_EXAMPLE = "for example /customers/1000001"


def check_path(path):
    """Refuse a path that could send the request (and so the token) anywhere but api_url. Never echoes the path,
    which could be a signed link pasted by mistake."""
    if "://" in path or path.startswith("//"):
        raise IMConfigError("path must be relative to api_url, %s; absolute URLs are refused so that the token and "
                            "subscription key are only ever sent to api_url" % PATH_EXAMPLE)
    if not path.startswith("/"):
        raise IMConfigError("path must start with /, %s" % PATH_EXAMPLE)
    if "\\" in path or any(ord(char) < 33 or ord(char) == 127 for char in path):
        raise IMConfigError("path must not contain backslashes, spaces or control characters (percent-encode them)")
    if "?" in path or "#" in path:
        raise IMConfigError("path must not contain a query string or fragment; give query parameters in the query option")
    decoded = unquote(unquote(path))
    if any(segment in (".", "..") for segment in decoded.replace("\\", "/").split("/")):
        raise IMConfigError("path must not contain . or .. segments; give the path of the operation itself, %s" % PATH_EXAMPLE)
    if decoded.rstrip("/").lower() == "/token":
        raise IMConfigError("path /token is refused: the connection obtains and caches tokens itself")


def query_value(name, value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return value
    if isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
        return [query_value(name, item) for item in value]
    raise IMConfigError("query.%s must be a string, number, boolean or list of those, got %s" % (name, type(value).__name__))


class ApiModule(IMModule):

    def request_parts(self):
        """Validated ``(method, path, query, body)``; raises IMConfigError before any request."""
        params = self.params
        method, path = params["method"], params["path"]
        check_path(path)
        query = {name: query_value(name, value) for name, value in (params["query"] or {}).items() if value is not None}
        body = params["body"]
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except ValueError:
                raise IMConfigError("body must be a JSON object or array (a dictionary or a list); the string given is not "
                                    "valid JSON") from None
        if body is not None and not isinstance(body, (dict, list)):
            raise IMConfigError("body must be a JSON object or array (a dictionary or a list), got %s" % type(body).__name__)
        if body is not None and method == "GET":
            raise IMConfigError("body cannot be sent with method GET; use query for GET parameters, or another method")
        if params["paginate"]:
            if method != "GET":
                raise IMConfigError("paginate can only be used with method GET, not %s" % method)
            clashing = sorted(set(query) & {"offset", "limit"})
            if clashing:
                raise IMConfigError("query.%s cannot be set with paginate: true, which reads every page itself" % clashing[0])
        return method, path, query, body

    def execute(self):
        method, path, query, body = self.request_parts()
        read_only = is_safe(method, path)
        if self.check_mode and not read_only:
            return {"changed": True, "sent": False, "json": None}
        if self.params["paginate"]:
            answer = self.client.paginate(path, query)
        else:
            answer = self.client.request(method, path, query=query, body=body)
        return {"changed": not read_only, "sent": True, "json": strip_download_urls(answer)}


def main():
    ApiModule(dict(
        method=dict(type="str", choices=METHODS, default="GET"),
        path=dict(type="str", required=True),
        query=dict(type="dict"),
        body=dict(type="raw"),
        paginate=dict(type="bool", default=False),
    )).run()


if __name__ == "__main__":
    main()
