#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_connection_info
short_description: Check the connection to the Marketplace API and what the collection assumes about it, changing nothing
version_added: 1.0.0
description:
  - The first thing to run against a real account. Checks, one by one, that the Marketplace API answers at O(api_url) (a
    network, proxy or TLS problem is reported as such, naming the host and port, never as wrong credentials), that the
    credentials and marketplace work, which
    reseller the API user acts for, that the catalog is reachable, that lists come in the shape and pages the
    collection expects, that C(status) filters and C(subscriptionId) filters filter, and how the platform reads the
    quantity of a change order (from the price estimate of a one-seat change on an existing subscription; nothing is
    ordered).
  - Every check ends V(holds), V(does not hold) or V(could not be checked), with the evidence in words.
  - Only reads. The two POST requests it sends, C(/token) and C(/orders/estimate), create nothing.
  - The C(ingrammicro.marketplace.check_connection) playbook runs this module and prints the checks as a table.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes.info_module
  - ingrammicro.marketplace.messages
options:
  subscription_id:
    description:
      - The subscription whose one-seat change is estimated to see how change quantities are read. It must be active
        and have one product line.
      - By default the first such subscription found is used. One that is not visible, not active or has several
        product lines fails the task, naming it.
    type: str
notes:
  - Set O(token_cache=false) to have the credentials checked with a new token rather than one cached by an earlier task.
seealso:
  - module: ingrammicro.marketplace.im_api
"""

EXAMPLES = r"""
- name: Check the connection and the API's behaviour before the first real run
  ingrammicro.marketplace.im_connection_info:
    token_cache: false
  register: connection

- name: Show what does not hold
  ansible.builtin.debug:
    msg: "{{ connection.checks | rejectattr('result', 'equalto', 'holds') | list }}"

- name: Estimate the change on a subscription of your choice
  ingrammicro.marketplace.im_connection_info:
    subscription_id: "3000001"
"""

RETURN = r"""
checks:
  description: One entry per assumption, in the order checked.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Short name of the check, for example V(connection), V(credentials) or V(change quantity).
      type: str
    assumption:
      description: What the collection assumes.
      type: str
    result:
      description: V(holds), V(does not hold) or V(could not be checked).
      type: str
    evidence:
      description: What was seen, in words (never a secret).
      type: str
  sample:
    - {"name": "catalog", "assumption": "the catalog can be read", "result": "holds",
       "evidence": "GET /products lists 16 products, for example CFQ7TTC0LH18:0001:P1M (Microsoft 365 Business Basic (monthly term))"}
all_hold:
  description: V(false) when any check does not hold; checks that could not be run do not count.
  returned: always
  type: bool
reseller:
  description: The reseller the API user's customers belong to (C(id), C(name)), or V(null) when no customer was visible.
  returned: always
  type: dict
  sample: {"id": "2000001", "name": "Northwind Cloud Services"}
"""

import collections
import json

from ansible_collections.ingrammicro.marketplace.plugins.module_utils import _quantity_reading as quantity_reading
from ansible_collections.ingrammicro.marketplace.plugins.module_utils import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._errors import IMApiError, IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._lookup import path_id
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._module import MESSAGES_ARGUMENT_SPEC, IMModule
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._role_words import option

HOLDS = "holds"
FAILS = "does not hold"
UNCHECKED = "could not be checked"
SAMPLE = 50  # rows read to check a filter
LATER_CHECKS = ("reseller", "catalog", "list shape", "pagination", "status filter", "orders by subscription", "change quantity")


class Unchecked(Exception):
    """A check that could not be run; the message says why."""


class ConnectionInfoModule(IMModule):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = []
        self.reseller = None
        self._subscription = None
        self._token_failure = None  # the API's answer when it refused the token request
        self._token_cached = False

    def check(self, name, assumption, probe):
        """Run ``probe`` (returns ``(holds, evidence)``) and record the outcome; an API error means it does not hold."""
        try:
            holds, evidence = probe()
            result = HOLDS if holds else FAILS
        except Unchecked as exc:
            result, evidence = UNCHECKED, str(exc)
        except IMApiError as exc:
            result, evidence = FAILS, str(exc)
        self.checks.append({"name": name, "assumption": assumption, "result": result, "evidence": evidence})
        return result

    def execute(self):
        config = self.client.config
        if self.check("connection", "the Marketplace API answers at %s (api_url)" % self.client.endpoint.address, self.connection) != HOLDS:
            return self.result("the API was not reached (see the connection row)", "credentials", *LATER_CHECKS)
        if self.check("credentials", "POST /token issues a token for this API user, subscription key and marketplace %s"
                      % config.marketplace, self.credentials) == HOLDS:
            self._subscription = self.chosen_subscription()
            self.check("reseller", "the API user acts for one reseller, whose customers it sees", self.own_reseller)
            self.check("catalog", "the catalog can be read", self.catalog)
            self.check("list shape", "lists come as {data, pagination: {offset, limit, total}}", self.list_shape)
            self.check("pagination", "offset and limit give consecutive pages, and a page of 1000 is answered or clamped "
                       "with the limit reported", self.pagination)
            self.check("status filter", "a status filter takes one value and returns only rows with that status",
                       self.status_filter)
            self.check("orders by subscription", "GET /orders?subscriptionId= returns only that subscription's orders "
                       "(the check for open orders before every change relies on it)", self.orders_by_subscription)
            self.check("change quantity", "a change order's line quantity is read as %s (change_quantity=%s)" % (
                "the new total" if config.change_quantity == "total" else "the seats to add", config.change_quantity),
                self.change_quantity)
            return self.result()
        return self.result("no token (see the credentials row)", *LATER_CHECKS)

    def result(self, why_unchecked=None, *unchecked):
        """The module's result, with ``unchecked`` checks recorded as not run because of ``why_unchecked``."""
        for check in unchecked:
            self.checks.append({"name": check, "assumption": "", "result": UNCHECKED, "evidence": why_unchecked})
        return {"changed": False, "checks": self.checks, "all_hold": not any(check["result"] == FAILS for check in self.checks),
                "reseller": self.reseller}

    # ------------------------------------------------------------------ the checks

    def connection(self):
        """Whether anything answers at api_url as the Marketplace API does; the token request's own failure, if any, is
        kept for the credentials check (a refusal of the credentials is an answer)."""
        address = self.client.endpoint.address
        sent = self.client.requests_sent["POST"]
        try:
            self.client.token()
        except IMApiError as exc:
            if exc.status is None:  # no answer at all: the network, a proxy, TLS or api_url
                return False, str(exc)
            if exc.status < 400 or exc.status == 404:
                return False, "%s answered, but not as the Marketplace API: %s" % (address, exc)
            self._token_failure = exc
            return True, "%s answered POST /token (HTTP %s)" % (address, exc.status)
        if self.client.requests_sent["POST"] == sent:
            self._token_cached = True
            self.page("/products", limit=1)  # nothing was sent for the token: reach the API once to tell
            return True, "%s answered GET /products" % address
        return True, "%s answered POST /token" % address

    def credentials(self):
        failure = self._token_failure
        if failure is not None and failure.status in (400, 401, 403):
            return False, str(failure)
        if failure is not None:
            raise Unchecked("the API could not issue a token: %s" % failure)
        if self._token_cached:
            return True, "a token issued earlier was found in the token cache (set token_cache: false to request a new one)"
        return True, "a token was issued"

    def page(self, path, **query):
        page = self.client.get(path, query=query)
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise IMApiError("GET %s did not return a {data, pagination} list" % path, method="GET", path=path)
        return page

    def own_reseller(self):
        rows = self.page("/customers", limit=SAMPLE)["data"]
        owners = collections.Counter(row.get("resellerId") for row in rows if row.get("resellerId"))
        if not owners:
            raise Unchecked("no customer is visible to this API user, so its reseller cannot be told")
        reseller_id, count = owners.most_common(1)[0]
        record = self.client.get_or_none("/resellers/%s" % path_id(reseller_id)) or {}
        self.reseller = {"id": reseller_id, "name": record.get("name")}
        others = len(owners) - 1
        return True, "reseller %s%s holds %d of the first %d customers%s" % (
            reseller_id, " (%s)" % record["name"] if record.get("name") else "", count, len(rows),
            "; %d other reseller(s) hold the rest (sub-resellers)" % others if others else "")

    def catalog(self):
        page = self.page("/products", limit=1)
        if not page["data"]:
            return False, "GET /products returned no product: this marketplace's catalog is empty for this API user"
        product = page["data"][0]
        return bool(product.get("mpn")), "GET /products lists %s products, for example %s (%s)" % (
            (page.get("pagination") or {}).get("total", "some"), product.get("mpn"), product.get("name"))

    def list_shape(self):
        page = self.page("/customers", limit=1)
        pagination = page.get("pagination")
        fields = {key: (pagination or {}).get(key) for key in ("offset", "limit", "total")}
        if not isinstance(pagination, dict) or not all(isinstance(value, int) for value in fields.values()):
            return False, "GET /customers returned pagination %s; the collection pages with offset and limit until total" % (
                json.dumps(pagination, sort_keys=True))
        return True, "GET /customers returned data and pagination offset %(offset)d, limit %(limit)d, total %(total)d" % fields

    def pagination(self):
        first, second = self.page("/subscriptions", offset=0, limit=2), self.page("/subscriptions", offset=1, limit=2)
        ids = [[row.get("id") for row in page["data"]] for page in (first, second)]
        if len(ids[0]) < 2 or not ids[1]:
            raise Unchecked("fewer than 3 subscriptions are visible, too few to compare pages")
        if ids[0][1] != ids[1][0]:
            return False, "offset 0 limit 2 gave %s, offset 1 limit 2 gave %s: pages do not follow each other" % (ids[0], ids[1])
        big = self.page("/products", limit=1000)
        total, limit = (big.get("pagination") or {}).get("total"), (big.get("pagination") or {}).get("limit")
        if isinstance(total, int) and isinstance(limit, int) and len(big["data"]) != min(total, limit):
            return False, "a page of 1000 products returned %d rows with limit %s and total %s" % (len(big["data"]), limit, total)
        return True, "offset 0 and 1 with limit 2 overlap by exactly one subscription; a page of 1000 products returned %d of %s " \
                     "(limit %s)" % (len(big["data"]), total, limit)

    def status_filter(self):
        rows = self.page("/subscriptions", status="active", limit=SAMPLE)["data"]
        if not rows:
            raise Unchecked("no active subscription is visible")
        wrong = sorted({row.get("status") for row in rows} - {"active"})
        if wrong:
            return False, "status=active also returned subscriptions that are %s" % ", ".join(map(str, wrong))
        try:
            self.client.get("/subscriptions", query={"status": "active,terminated", "limit": 1})
            several = "a comma-separated status is accepted too (the collection still sends one status per request)"
        except IMApiError as exc:
            several = "a comma-separated status is refused (HTTP %s), so the collection sends one status per request" % exc.status
        return True, "status=active returned %d subscriptions, all active; %s" % (len(rows), several)

    def orders_by_subscription(self):
        subscription = self.sample_subscription()
        rows = self.page("/orders", subscriptionId=subscription["id"], limit=5)["data"]
        if not rows:
            raise Unchecked("subscription %s has no order to compare" % subscription["id"])
        for row in rows[:3]:
            order = self.client.get("/orders/%s" % path_id(row["id"]))
            held = {order.get("subscriptionId")} | {item.get("subscriptionId") for item in order.get("products") or []}
            if subscription["id"] not in held:
                return False, "GET /orders?subscriptionId=%s returned order %s, which is not on that subscription" % (
                    subscription["id"], order.get("orderNumber") or order.get("id"))
        return True, "the orders listed for subscription %s (%d checked) are on it" % (subscription["id"], min(3, len(rows)))

    def change_quantity(self):
        config = self.client.config
        subscription = self.sample_subscription()
        line = subscription["products"][0]
        current, mpn = _seats.seats(subscription), line.get("mpn")
        desired = current + 1 if current >= 1 else 1
        body = _seats.change_order(subscription, mpn, current, desired, config.change_quantity)
        try:
            estimate = self.client.post("/orders/estimate", body)
        except IMApiError as exc:
            raise Unchecked("the API would not estimate a one-seat change of subscription %s: %s" % (subscription["id"], exc))
        verdict, evidence = quantity_reading.judge_estimate(estimate, mpn, current, desired, config.change_quantity, line.get("unitPrice"))
        record = quantity_reading.ReadingRecord(config).load()
        if record is not None:
            evidence += "; this machine has confirmed change_quantity=%s with %s" % (record["change_quantity"], record.get("order"))
        if verdict == quantity_reading.CONTRADICTS:
            right = quantity_reading.other(config.change_quantity)
            return False, "%s. Set change_quantity: %s (INGRAM_CHANGE_QUANTITY=%s)" % (evidence, right, right)
        if verdict == quantity_reading.INCONCLUSIVE:
            raise Unchecked("%s; the first licence run that places several change orders confirms it with one canary order" % evidence)
        if config.change_quantity_confirmed:
            return True, "%s; change_quantity_confirmed is set, so licence runs place no canary order" % evidence
        return True, "%s; once you have also checked one change in the reseller panel, set change_quantity_confirmed " \
                     "(INGRAM_CHANGE_QUANTITY_CONFIRMED=true) to skip the canary order in AWX" % evidence

    def sample_subscription(self):
        """The subscription to probe: the one given, else the first active one with a single product line."""
        if self._subscription is None:
            self._subscription = self._find_subscription()
        return self._subscription

    def chosen_subscription(self):
        """The subscription the user gave to probe, or ``None``; one that cannot be used fails the task naming it."""
        given = self.params["subscription_id"]
        if not given:
            return None
        subscription = self.client.get_or_none("/subscriptions/%s" % path_id(given))
        if subscription is None:
            raise IMConfigError("%s %s: no subscription with this id is visible to this API user; give one of yours, or leave "
                                "it out to let the check pick one" % (option("subscription_id"), given))
        if subscription.get("status") != "active" or len(subscription.get("products") or []) != 1:
            raise IMConfigError("%s %s: the subscription is %s with %d product lines; give an active one with one product line"
                                % (option("subscription_id"), given, subscription.get("status"), len(subscription.get("products") or [])))
        return subscription

    def _find_subscription(self):
        for row in self.page("/subscriptions", status="active", limit=10)["data"]:
            subscription = self.client.get("/subscriptions/%s" % path_id(row["id"]))
            if len(subscription.get("products") or []) == 1:
                return subscription
        raise Unchecked("no active subscription with one product line is visible; give subscription_id")


def main():
    argument_spec = dict(subscription_id=dict(type="str"))
    argument_spec.update(MESSAGES_ARGUMENT_SPEC)
    ConnectionInfoModule(argument_spec).run()


if __name__ == "__main__":
    main()
