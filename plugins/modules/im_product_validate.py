#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_product_validate
short_description: Validate product activation parameters in the Ingram Micro Cloud Marketplace
version_added: 1.0.0
description:
  - Asks the Marketplace whether the activation parameters of an order (for example the C(domain) of a Microsoft 365
    product) are valid for a customer, before the order is placed (C(POST /validation/parameters)).
  - Changes nothing, so it is never changed and runs the same way in check mode.
  - Fails when any parameter is not valid, with a message listing each failing product and parameter with the API's
    message and, where the API gives them, the allowed values; set O(fail_on_error=false) to get the results instead.
  - Option names are the API's field names in snake_case (C(billingPeriod) is O(products[].billing_period)).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - ingrammicro.marketplace.attributes.info_module
options:
  customer:
    description:
      - The customer who would receive the products, by external id (the id in your own system) or Marketplace id.
    type: str
    required: true
  type:
    description:
      - The type of the order the parameters are meant for.
    type: str
    choices: [sales, change, renewal, cancellation, migration]
    default: sales
  products:
    description:
      - The products and their activation parameters.
    type: list
    elements: dict
    required: true
    suboptions:
      mpn:
        description: Manufacturer part number of the product, for example V(CFQ7TTC0LH18:0001:P1M).
        type: str
        required: true
      vendor:
        description: The product's vendor, to tell apart products that share an MPN.
        type: str
      billing_period:
        description: Billing period, to tell apart products that share an MPN.
        type: dict
        suboptions:
          type:
            description: Unit of the period.
            type: str
            required: true
            choices: [day, month, year, statement_day]
          duration:
            description: Number of units, 1 or more.
            type: int
            required: true
      subscription_period:
        description: Subscription term, to tell apart products that share an MPN (for example monthly and annual terms).
        type: dict
        suboptions:
          type:
            description: Unit of the period.
            type: str
            required: true
            choices: [day, month, year, statement_day]
          duration:
            description: Number of units, 1 or more.
            type: int
            required: true
      quantity:
        description: Number of seats, 1 or more.
        type: int
      parameters:
        description:
          - The activation parameters to validate. Required parameters that are left out are reported as errors.
          - When left out, no parameter is sent, which shows which parameters the product requires.
        type: list
        elements: dict
        suboptions:
          name:
            description: Parameter name, for example V(domain).
            type: str
            required: true
          value:
            description: Parameter value; usually a string, but the API accepts any JSON value.
            type: raw
  fail_on_error:
    description:
      - Fail when any parameter is not valid. With V(false), return the results and RV(valid=false) instead.
    type: bool
    default: true
notes:
  - Validation is a point-in-time check; for example a domain can still be taken by someone else before the order is
    placed.
seealso:
  - module: ingrammicro.marketplace.im_order
  - module: ingrammicro.marketplace.im_product_info
"""

EXAMPLES = r"""
- name: Check that a domain can be used for a new Microsoft 365 subscription
  ingrammicro.marketplace.im_product_validate:
    customer: ACME-001
    products:
      - mpn: CFQ7TTC0LH18:0001:P1M
        quantity: 5
        parameters:
          - name: domain
            value: acme-manufacturing.com
          - name: tenant_region
            value: US

- name: Validate without failing, and show what is wrong
  ingrammicro.marketplace.im_product_validate:
    customer: ACME-001
    products:
      - mpn: CFQ7TTC0LF8Q:0001
        subscription_period:
          type: year
          duration: 1
        billing_period:
          type: month
          duration: 1
        parameters:
          - name: domain
            value: contoso.com
    fail_on_error: false
  register: validation

- name: Show the problems
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.message }} {{ item.value_error | default('') }}"
  loop: "{{ validation.results | map(attribute='parameters') | flatten | selectattr('result', 'equalto', 'error') }}"
  when: not validation.valid
"""

RETURN = r"""
valid:
  description: V(true) when no parameter has the result V(error).
  returned: always
  type: bool
  sample: true
results:
  description:
    - One entry per product, as the API returns it, with keys in snake_case.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Catalog id of the product.
      type: str
      sample: PRD100101
    mpn:
      description: Manufacturer part number.
      type: str
      sample: CFQ7TTC0LH18:0001:P1M
    vendor:
      description: Vendor.
      type: str
      sample: Microsoft
    billing_period:
      description: Billing period (C(type), C(duration)).
      type: dict
      sample: {"type": "month", "duration": 1}
    subscription_period:
      description: Subscription term (C(type), C(duration)).
      type: dict
      sample: {"type": "month", "duration": 1}
    parameters:
      description: The result for each parameter.
      type: list
      elements: dict
      contains:
        name:
          description: Parameter name.
          type: str
          sample: domain
        value:
          description: The value validated.
          type: str
          sample: acme-manufacturing.com
        result:
          description: V(success) or V(error).
          type: str
          sample: success
        message:
          description: The API's message.
          type: str
          sample: Domain available to purchase.
        value_error:
          description: What is wrong with the value.
          type: str
          returned: when the result is V(error)
          sample: contoso.com is reserved
        value_choices:
          description: The allowed values (C(label), C(value), C(default)), for parameters with a fixed set of values.
          type: list
          elements: dict
          returned: when the API lists them
          sample: [{"label": "United States", "value": "US", "default": true}]
"""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError, IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._transform import to_camel, to_snake
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import require_customer
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._module import IMModule
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._orders import parameter_problems

ORDER_TYPES = ["sales", "change", "renewal", "cancellation", "migration"]
PERIOD_TYPES = ["day", "month", "year", "statement_day"]


def period_spec():
    return dict(type="dict", options=dict(
        type=dict(type="str", required=True, choices=PERIOD_TYPES),
        duration=dict(type="int", required=True),
    ))


class ProductValidateModule(IMModule):

    def validate(self):
        products = self.params["products"]
        if not self.params["customer"].strip():
            raise IMConfigError("customer must be the customer's external id or Marketplace id")
        if not products:
            raise IMConfigError("products must list at least one product")
        for index, product in enumerate(products):
            where = "products line %d" % (index + 1)
            if not product["mpn"].strip():
                raise IMConfigError("%s: mpn must not be empty" % where)
            if product["quantity"] is not None and product["quantity"] < 1:
                raise IMConfigError("%s: quantity must be 1 or more, got %d" % (where, product["quantity"]))
            for key in ("billing_period", "subscription_period"):
                if product[key] and product[key]["duration"] < 1:
                    raise IMConfigError("%s: %s.duration must be 1 or more, got %d" % (where, key, product[key]["duration"]))
            for number, parameter in enumerate(product["parameters"] or [], start=1):
                if not parameter["name"].strip():
                    raise IMConfigError("%s: parameters line %d: name must not be empty" % (where, number))

    def body(self, customer_id):
        products = []
        for product in self.params["products"]:
            line = to_camel({key: product[key] for key in ("mpn", "vendor", "billing_period", "subscription_period", "quantity")})
            # Parameter values are user data: sent as given, never renamed.
            line["parameters"] = [{"name": parameter["name"], "value": parameter["value"]} for parameter in product["parameters"] or []]
            products.append(line)
        return {"customerId": customer_id, "type": self.params["type"], "products": products}

    def execute(self):
        self.validate()
        customer = require_customer(self.client, self.params["customer"], option="customer")
        answer = self.client.post("/validation/parameters", self.body(customer["id"]))
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, list):
            raise IMApiError("POST /validation/parameters did not return a {data, pagination} list", method="POST",
                             path="/validation/parameters")
        results = to_snake(data)
        problems = parameter_problems(data, self.labels(data))
        if problems and self.params["fail_on_error"]:
            self.failure_context.update(results=results, valid=False)
            raise IMError("activation parameters are not valid for customer %s: %s (set fail_on_error: false to get the "
                          "results instead)" % (self.params["customer"], "; ".join(problems)))
        return {"changed": False, "valid": not problems, "results": results}

    def labels(self, results):
        """How messages name each result: by its products line when the API answered one result per line."""
        requested = self.params["products"]
        if len(results) != len(requested):
            return []
        return ["products line %d (%s)" % (index, result.get("mpn") or line["mpn"]) for index, (result, line) in enumerate(zip(results, requested), 1)]


def main():
    ProductValidateModule(dict(
        customer=dict(type="str", required=True),
        type=dict(type="str", choices=ORDER_TYPES, default="sales"),
        products=dict(type="list", elements="dict", required=True, options=dict(
            mpn=dict(type="str", required=True),
            vendor=dict(type="str"),
            billing_period=period_spec(),
            subscription_period=period_spec(),
            quantity=dict(type="int"),
            parameters=dict(type="list", elements="dict", options=dict(
                name=dict(type="str", required=True),
                value=dict(type="raw"),
            )),
        )),
        fail_on_error=dict(type="bool", default=True),
    )).run()


if __name__ == "__main__":
    main()
