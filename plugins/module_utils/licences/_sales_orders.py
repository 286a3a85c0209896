# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A new sales order (``im_order``): the catalog entry each product line names, the guards against buying again, and
the order body. Private to this collection."""

from __future__ import annotations

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import option
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._transform import to_camel
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences import _seats
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import find_products, find_subscriptions, normal_period, same_term
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import sales_order_of

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
