# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The first-contact check: one probe per assumption the collection makes about the API, each ending "holds", "does not
hold" or "could not be checked" with what was seen. Private to this collection; ``im_connection_info`` runs it.

Only reads: the two POST requests it sends, ``/token`` and ``/orders/estimate``, create nothing.
"""

from __future__ import annotations

import collections
import json

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError, IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _quantity_reading as quantity_reading
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._reading_record import ReadingRecord
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import path_id

HOLDS = "holds"
FAILS = "does not hold"
UNCHECKED = "could not be checked"
SAMPLE = 50  # rows read to check a filter
LATER_CHECKS = ("reseller", "catalog", "list shape", "pagination", "status filter", "orders by subscription", "change quantity")


class Unchecked(Exception):
    """A check that could not be run; the message says why."""


class ConnectionCheck:
    """The checks of a first contact, in order, with the evidence of each (``run``); ``subscription_id`` picks the
    subscription whose one-seat change is estimated (``None``: the first that can be used)."""

    def __init__(self, client, subscription_id=None):
        self.client = client
        self.subscription_id = subscription_id
        self.checks = []
        self.reseller = None
        self._subscription = None
        self._token_failure = None  # the API's answer when it refused the token request
        self._token_cached = False

    def _check(self, name, assumption, probe):
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

    def run(self):
        """``{"checks", "all_hold", "reseller"}``; raises IMConfigError for a chosen subscription that cannot be used."""
        config = self.client.config
        if self._check("connection", "the Marketplace API answers at %s (api_url)" % self.client.endpoint.address, self._connection) != HOLDS:
            return self._result("the API was not reached (see the connection row)", "credentials", *LATER_CHECKS)
        if self._check("credentials", "POST /token issues a token for this API user, subscription key and marketplace %s"
                       % config.marketplace, self._credentials) == HOLDS:
            self._subscription = self._chosen_subscription()
            self._check("reseller", "the API user acts for one reseller, whose customers it sees", self._own_reseller)
            self._check("catalog", "the catalog can be read", self._catalog)
            self._check("list shape", "lists come as {data, pagination: {offset, limit, total}}", self._list_shape)
            self._check("pagination", "offset and limit give consecutive pages, and a page of 1000 is answered or clamped "
                        "with the limit reported", self._pagination)
            self._check("status filter", "a status filter takes one value and returns only rows with that status",
                        self._status_filter)
            self._check("orders by subscription", "GET /orders?subscriptionId= returns only that subscription's orders "
                        "(the check for open orders before every change relies on it)", self._orders_by_subscription)
            self._check("change quantity", "a change order's line quantity is read as %s (change_quantity=%s)" % (
                "the new total" if config.change_quantity == "total" else "the seats to add", config.change_quantity),
                self._change_quantity)
            return self._result()
        return self._result("no token (see the credentials row)", *LATER_CHECKS)

    def _result(self, why_unchecked=None, *unchecked):
        """The module's result, with ``unchecked`` checks recorded as not run because of ``why_unchecked``."""
        for check in unchecked:
            self.checks.append({"name": check, "assumption": "", "result": UNCHECKED, "evidence": why_unchecked})
        return {"checks": self.checks, "all_hold": not any(check["result"] == FAILS for check in self.checks), "reseller": self.reseller}

    # ------------------------------------------------------------------ the checks

    def _connection(self):
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
            self._page("/products", limit=1)  # nothing was sent for the token: reach the API once to tell
            return True, "%s answered GET /products" % address
        return True, "%s answered POST /token" % address

    def _credentials(self):
        failure = self._token_failure
        if failure is not None and failure.status in (400, 401, 403):
            return False, str(failure)
        if failure is not None:
            raise Unchecked("the API could not issue a token: %s" % failure)
        if self._token_cached:
            return True, "a token issued earlier was found in the token cache (set token_cache: false to request a new one)"
        return True, "a token was issued"

    def _page(self, path, **query):
        page = self.client.get(path, query=query)
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise IMApiError("GET %s did not return a {data, pagination} list" % path, method="GET", path=path)
        return page

    def _own_reseller(self):
        rows = self._page("/customers", limit=SAMPLE)["data"]
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

    def _catalog(self):
        page = self._page("/products", limit=1)
        if not page["data"]:
            return False, "GET /products returned no product: this marketplace's catalog is empty for this API user"
        product = page["data"][0]
        return bool(product.get("mpn")), "GET /products lists %s products, for example %s (%s)" % (
            (page.get("pagination") or {}).get("total", "some"), product.get("mpn"), product.get("name"))

    def _list_shape(self):
        page = self._page("/customers", limit=1)
        pagination = page.get("pagination")
        fields = {key: (pagination or {}).get(key) for key in ("offset", "limit", "total")}
        if not isinstance(pagination, dict) or not all(isinstance(value, int) for value in fields.values()):
            return False, "GET /customers returned pagination %s; the collection pages with offset and limit until total" % (
                json.dumps(pagination, sort_keys=True))
        return True, "GET /customers returned data and pagination offset %(offset)d, limit %(limit)d, total %(total)d" % fields

    def _pagination(self):
        first, second = self._page("/subscriptions", offset=0, limit=2), self._page("/subscriptions", offset=1, limit=2)
        ids = [[row.get("id") for row in page["data"]] for page in (first, second)]
        if len(ids[0]) < 2 or not ids[1]:
            raise Unchecked("fewer than 3 subscriptions are visible, too few to compare pages")
        if ids[0][1] != ids[1][0]:
            return False, "offset 0 limit 2 gave %s, offset 1 limit 2 gave %s: pages do not follow each other" % (ids[0], ids[1])
        big = self._page("/products", limit=1000)
        total, limit = (big.get("pagination") or {}).get("total"), (big.get("pagination") or {}).get("limit")
        if isinstance(total, int) and isinstance(limit, int) and len(big["data"]) != min(total, limit):
            return False, "a page of 1000 products returned %d rows with limit %s and total %s" % (len(big["data"]), limit, total)
        return True, "offset 0 and 1 with limit 2 overlap by exactly one subscription; a page of 1000 products returned %d of %s " \
                     "(limit %s)" % (len(big["data"]), total, limit)

    def _status_filter(self):
        rows = self._page("/subscriptions", status="active", limit=SAMPLE)["data"]
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

    def _orders_by_subscription(self):
        subscription = self._sample_subscription()
        rows = self._page("/orders", subscriptionId=subscription["id"], limit=5)["data"]
        if not rows:
            raise Unchecked("subscription %s has no order to compare" % subscription["id"])
        for row in rows[:3]:
            order = self.client.get("/orders/%s" % path_id(row["id"]))
            held = {order.get("subscriptionId")} | {item.get("subscriptionId") for item in order.get("products") or []}
            if subscription["id"] not in held:
                return False, "GET /orders?subscriptionId=%s returned order %s, which is not on that subscription" % (
                    subscription["id"], order.get("orderNumber") or order.get("id"))
        return True, "the orders listed for subscription %s (%d checked) are on it" % (subscription["id"], min(3, len(rows)))

    def _change_quantity(self):
        config = self.client.config
        subscription = self._sample_subscription()
        line = subscription["products"][0]
        current, mpn = _seats.seats(subscription), line.get("mpn")
        desired = current + 1 if current >= 1 else 1
        body = _seats.change_order(subscription, mpn, current, desired, config.change_quantity)
        try:
            estimate = self.client.post("/orders/estimate", body)
        except IMApiError as exc:
            raise Unchecked("the API would not estimate a one-seat change of subscription %s: %s" % (subscription["id"], exc))
        verdict, evidence = quantity_reading.judge_estimate(estimate, mpn, current, desired, config.change_quantity, line.get("unitPrice"))
        record = ReadingRecord(config).load()
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

    def _sample_subscription(self):
        """The subscription to probe: the one given, else the first active one with a single product line."""
        if self._subscription is None:
            self._subscription = self._find_subscription()
        return self._subscription

    def _chosen_subscription(self):
        """The subscription the user gave to probe, or ``None``; one that cannot be used fails the task naming it."""
        given = self.subscription_id
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
        for row in self._page("/subscriptions", status="active", limit=10)["data"]:
            subscription = self.client.get("/subscriptions/%s" % path_id(row["id"]))
            if len(subscription.get("products") or []) == 1:
                return subscription
        raise Unchecked("no active subscription with one product line is visible; give subscription_id")
