# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A new sales order (``im_order``): the catalog entry each product line names, the guards against buying again, the
order body, and ``SalesOrder``, which places it once. Private to this collection."""

from __future__ import annotations

import copy

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError, IMOrderRaceError, IMWaitError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._transform import to_camel
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import (
    find_customer, find_products, find_subscriptions, normal_period, same_term,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import OPEN_STATUSES, describe, parameter_problems, sales_order_of
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._workflow import ModuleWorkflow

PERIOD_KEYS = (("subscription_period", "subscriptionPeriod"), ("billing_period", "billingPeriod"))


def catalog_product(client, index, line):
    """The one catalog entry product line ``index`` (counted from 0) names; fails when there is none or several."""
    products = find_products(client, line["mpn"], line["vendor"])
    for period, key in PERIOD_KEYS:
        if line[period]:
            products = [product for product in products if normal_period(product.get(key)) == line[period]]
    if not products:
        narrowed = line["vendor"] or line["subscription_period"] or line["billing_period"]
        raise IMConfigError("%s line %d: no product %s in the catalog%s" % (
            option("products"), index + 1, line["mpn"], " with the given vendor/periods" if narrowed else ""))
    if len(products) > 1:
        terms = ", ".join("%s %s/%s" % (product.get("vendor"), _term(product.get("subscriptionPeriod")), _term(product.get("billingPeriod")))
                          for product in products)
        raise IMConfigError("%s line %d: %s exists %d times in the catalog (%s); set subscription_period, billing_period "
                            "or vendor to pick one" % (option("products"), index + 1, line["mpn"], len(products), terms))
    _seats.check_limits(products[0], line["quantity"], "%s line %d" % (option("products"), index + 1))
    return products[0]


def on_po_number_orders(client, desk, customer_id, lines, po_number):
    """``{mpn: skip record}`` for products already on a sales order of the customer with ``po_number`` (list rows carry
    no PO number or products, so the customer's sales orders are read in full). The record keeps the order as ``_order``."""
    rows = [row for row in client.paginate("/orders", {"customerId": customer_id}) if (row.get("type") or "sales") == "sales"]
    skipped = {}
    for order in desk.details(rows):
        if order.get("poNumber") != po_number:
            continue
        for line, _product in lines:
            if line["mpn"] in {item.get("mpn") for item in order.get("products") or []} and line["mpn"] not in skipped:
                skipped[line["mpn"]] = dict(_order_fields(order), mpn=line["mpn"], reason="po_number", _order=order)
    return skipped


def held_or_ordered(client, desk, customer_id, lines):
    """``{mpn: skip record}`` for products the customer holds (of the same term) or has on an open sales order."""
    skipped = {}
    rows = client.paginate("/subscriptions", {"customerId": customer_id})
    for line, product in lines:
        held = [subscription for subscription in find_subscriptions(client, customer_id, line["mpn"], {product.get("name")}, rows=rows)
                if same_term(subscription, product)]
        if held:
            skipped[line["mpn"]] = {"mpn": line["mpn"], "reason": "held", "subscription_id": held[0]["id"]}
    remaining = [line["mpn"] for line, _product in lines if line["mpn"] not in skipped]
    if remaining:
        for order in desk.details(desk.open_orders(customerId=customer_id)):
            for mpn in remaining:
                if sales_order_of(order, mpn) and mpn not in skipped:
                    skipped[mpn] = dict(_order_fields(order), mpn=mpn, reason="ordered")
    return skipped


def sales_body(customer_id, lines, po_number=None, attributes=None):
    """The ``sales`` order body for ``lines`` (``(product line, catalog entry)`` pairs)."""
    products = []
    for line, _product in lines:
        item = to_camel({key: line[key] for key in ("mpn", "quantity", "vendor", "subscription_period", "billing_period")})
        if line["parameters"]:
            item["parameters"] = [{"name": parameter["name"], "value": parameter["value"]} for parameter in line["parameters"]]
        products.append(item)
    body = {"type": "sales", "customerId": customer_id, "products": products}
    if po_number:
        body["poNumber"] = po_number
    if attributes:
        body["attributes"] = {str(key): str(value) for key, value in attributes.items()}
    return body


def public(skipped):
    """The skip records as returned (without the order kept for the module's own use)."""
    return [{key: value for key, value in record.items() if not key.startswith("_")} for record in skipped.values()]


def _order_fields(order):
    return {"order_id": order.get("id"), "order_number": order.get("orderNumber"), "order_status": order.get("status")}


def _term(period):
    period = normal_period(period) or {}
    return "%s %s" % (period.get("duration"), period.get("type"))


class SalesOrder(ModuleWorkflow):
    """im_order's new sales order, placed once: the lines' catalog entries, the customer, the guards against buying again
    (products on the PO number's orders, held or on an open order), the API's validation of activation parameters, the
    estimate, and the order placed alone (under the customer's lock, claimed against other machines) and followed.

    ``run()`` returns ``(changed, before, after, extra)`` for the module's result (``simulated`` among ``extra`` in check
    mode); ``context`` holds what a failure returns beside its message (the order placed)."""

    def run(self):
        params = self.params
        lines = [(line, catalog_product(self.client, index, line)) for index, line in enumerate(params["products"])]
        customer = find_customer(self.client, params["customer"])
        if customer is None:
            if not self.check_mode:
                raise IMError("customer %s not found: no customer has this external id or id" % params["customer"])
            # Not a warning: the result says it (simulated, no estimate, not_validated), and a role shows it per line.
            return True, None, dict(sales_body(None, lines), status="submitted"), dict(
                simulated=True, estimate=None, not_validated=[line["mpn"] for line, _product in lines])
        if self.check_mode or params["estimate_only"]:
            return self._guard_and_order(customer, lines)
        # The guards and the order run under a lock for this customer's orders, so that two runs started together on
        # this machine cannot both find nothing and both buy; the claim catches a run on another machine (see _orders).
        with self.desk.exclusive(("customer orders", customer["id"])):
            claim = self.desk.claim_products(customer["id"], [line["mpn"] for line, _product in lines])
            return self._guard_and_order(customer, lines, claim)

    def follow(self, order):
        """With ``wait``, the order once completed; a failure keeps the order with the error in ``context``."""
        if not self.params["wait"] or self.check_mode or order.get("status") not in OPEN_STATUSES:
            return order
        try:
            return self.desk.wait(order, self.waiter())
        except IMWaitError as exc:
            self.context["order"] = self.present(exc.last)
            raise

    def _guard_and_order(self, customer, lines, claim=None):
        """Skip what the guards find, then price and (unless only estimating or checking) place the order."""
        params = self.params
        skipped = {}
        if params["po_number"]:
            # The PO number guards the products of its orders, not the customer: a product added later is still ordered.
            skipped = on_po_number_orders(self.client, self.desk, customer["id"], lines, params["po_number"])
            if len(skipped) == len(lines):
                existing = skipped[lines[0][0]["mpn"]]["_order"]
                holding = list(dict.fromkeys(describe(record["_order"]) for record in skipped.values()))
                self.warn("%s already hold%s po_number %s and every product asked for; nothing was ordered again"
                          % (" and ".join(holding), "" if len(holding) > 1 else "s", params["po_number"]))
                return False, existing, self.follow(existing), {"skipped_products": public(skipped)}
        if params["unique_products"]:
            skipped.update(held_or_ordered(self.client, self.desk, customer["id"], [pair for pair in lines if pair[0]["mpn"] not in skipped]))
        extra = {"skipped_products": public(skipped)}
        lines = [(line, product) for line, product in lines if line["mpn"] not in skipped]
        if not lines:
            return False, None, None, extra
        body = sales_body(customer["id"], lines, params["po_number"], params["attributes"])
        if params["validate"] and any(line["parameters"] for line, _product in lines):
            extra["validation"] = self._validated_parameters(customer["id"], body)
        estimate = self.desk.estimate(body)
        extra["estimate"] = self.present(estimate)
        if params["estimate_only"]:
            return False, None, None, dict(extra, estimate_only=True)
        if self.check_mode:
            simulated = dict(copy.deepcopy(estimate), **{key: value for key, value in body.items() if key != "products"})
            simulated["status"] = "submitted"
            return True, None, simulated, dict(extra, simulated=True)
        try:
            order = self.desk.place_alone(body, claim)
        except IMOrderRaceError as race:
            self.context["order"] = self.present(race.order)
            if not race.withdrawn:
                raise
            # Another run ordered these products at the same moment and came first (the first of the rivals stands; the
            # others are withdrawn by their own runs); this run's order was withdrawn.
            self.warn(str(race))
            return True, None, self.follow(race.rivals[0]), dict(extra, withdrawn_order=self.present(race.order))
        self.context["order"] = self.present(order)
        followed = self.follow(order)
        if followed.get("status") == "completed":
            self.desk.confirm_alone(claim, followed, self.waiter())
        return True, None, followed, extra

    def _validated_parameters(self, customer_id, body):
        """The API's validation of the activation parameters; fails listing every parameter in error (by MPN: the
        order's lines are not the task's lines once held products are left out)."""
        request = {"customerId": customer_id, "type": "sales", "products": [line for line in body["products"] if line.get("parameters")]}
        results = self.client.post("/validation/parameters", request).get("data") or []
        problems = parameter_problems(results, [])
        if problems:
            raise IMError("activation parameters rejected by the API, nothing was ordered: %s" % "; ".join(problems))
        return self.present(results)
