# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: customers
short_description: Ingram Micro Cloud Marketplace customers as inventory hosts
version_added: 1.0.0
description:
  - One host per customer of the Marketplace, so plays can target customers, group them, and let AWX job slicing
    spread thousands of customers over execution nodes.
  - Host names are the customers' external ids (the id in your own system), or C(customer-<id>) for customers without
    one. Each host gets the variables C(marketplace_customer_id), C(marketplace_external_id), C(marketplace_name),
    C(marketplace_status) and C(marketplace_reseller_id), and with O(subscriptions=true) C(marketplace_subscriptions)
    (id, product, MPN, status, seats, renewal date of each live subscription).
  - Hosts use the local connection, since every task against the Marketplace runs on the controller.
  - The connection settings are the modules' (same options, same environment variables, same validation), so an AWX
    credential that injects the C(INGRAM_*) variables serves both.
  - Uses a YAML configuration file whose name ends with C(marketplace.yml) or C(marketplace.yaml).
  - A source that cannot be read (for example a missing connection setting, which the error names) is only a warning
    to Ansible by default, and the inventory is then empty. Set C(unparsed_is_failed=true) in the C([inventory])
    section of C(ansible.cfg) (E(ANSIBLE_INVENTORY_UNPARSED_FAILED)) to make it fail the run, and list this plugin in
    C(enable_plugins) so that other plugins do not add their own warnings about the same file. AWX makes unparsed
    sources fail inventory syncs already.
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
extends_documentation_fragment:
  - ingrammicro.marketplace.connection
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; must be V(ingrammicro.marketplace.customers).
    type: str
    required: true
    choices: [ingrammicro.marketplace.customers]
  status:
    description:
      - Only customers in these statuses, for example V([active]).
    type: list
    elements: str
    choices: [pending, active, creditHold, adminHold, cancelled, error]
  reseller_id:
    description:
      - Only the customers of this sub-reseller.
    type: str
  subscriptions:
    description:
      - Also read every live subscription of the customers with its seats (one request per subscription, run in
        parallel up to O(concurrency)) into C(marketplace_subscriptions).
    type: bool
    default: false
  concurrency:
    description:
      - How many subscription detail requests run at the same time.
    type: int
    default: 8
"""

EXAMPLES = r"""
# customers.marketplace.yml -- connection settings from the INGRAM_* environment variables (an AWX credential)
plugin: ingrammicro.marketplace.customers
status: [active]
subscriptions: true
keyed_groups:
  - key: marketplace_reseller_id
    prefix: reseller
compose:
  seats_total: marketplace_subscriptions | map(attribute='quantity') | sum
groups:
  large_customers: (marketplace_subscriptions | map(attribute='quantity') | sum) > 100
# To read the Marketplace at most once an hour, add the inventory cache settings:
#   cache: true
#   cache_plugin: ansible.builtin.jsonfile
#   cache_connection: ~/.cache/ingrammicro.marketplace/inventory
#   cache_timeout: 3600
"""

import difflib
import os
import sys

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api import _client
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig, plugin_params
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import Vocabulary
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import ENDED_SUBSCRIPTION_STATUSES, list_by_statuses, path_id

VARIABLE_PREFIX = "marketplace_"
WORDS = Vocabulary()  # the options are this plugin's own, as named in its configuration


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "ingrammicro.marketplace.customers"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("marketplace.yml", "marketplace.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        raw = self._read_config_data(path)
        self.refuse_unknown_options(raw, path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        customers = None
        if use_cache:
            try:
                customers = self._cache[cache_key]
            except KeyError:
                customers = None
        if customers is None:
            try:
                customers = self.read_customers(raw)
            except IMError as exc:
                raise AnsibleError("ingrammicro.marketplace.customers: %s" % WORDS.say(str(exc))) from None
            if self.get_option("cache"):
                self._cache[cache_key] = customers
        self.populate(customers)

    def refuse_unknown_options(self, raw, path):
        """A misspelt option (``stauts:``) must not be ignored: the inventory would silently list every customer."""
        known = set(self.get_options()) | {"plugin"}
        unknown = sorted(str(key) for key in raw if key not in known)
        if unknown:
            hints = ["%s (did you mean %s?)" % (key, difflib.get_close_matches(key, known, 1)[0])
                     if difflib.get_close_matches(key, known, 1) else key for key in unknown]
            raise AnsibleError("ingrammicro.marketplace.customers: %s: unknown option %s; the options are %s"
                               % (os.path.basename(path), ", ".join(hints), ", ".join(sorted(known - {"plugin"}))))

    def read_customers(self, raw):
        """The customers to list, each with its live subscriptions when asked."""
        if not _client.HAS_REQUESTS:
            raise IMError("the Python library requests is required")
        config = ConnectionConfig.from_params(plugin_params(self.get_option, raw))
        client = _client.MarketplaceClient(config, warn=lambda message: self.display.warning(WORDS.say(message)))
        reseller_id = self.get_option("reseller_id")
        path = "/resellers/%s/customers" % path_id(reseller_id) if reseller_id else "/customers"
        customers = list_by_statuses(client, path, {}, self.get_option("status") or [])
        if not self.get_option("subscriptions"):
            return customers
        wanted = {customer["id"] for customer in customers}
        rows = [row for row in client.paginate("/subscriptions")
                if row.get("customerId") in wanted and row.get("status") not in ENDED_SUBSCRIPTION_STATUSES]
        details = client.map_concurrent(lambda row: client.get("/subscriptions/%s" % path_id(row["id"])), rows, self.get_option("concurrency"))
        held = {}
        for subscription in details:
            for line in subscription.get("products") or []:
                held.setdefault(subscription["customerId"], []).append({
                    "id": subscription["id"], "product": line.get("name") or subscription.get("name"), "mpn": line.get("mpn"),
                    "status": subscription.get("status"), "quantity": line.get("quantity"), "renewal_date": subscription.get("renewalDate"),
                })
        for customer in customers:
            customer["subscriptions"] = held.get(customer["id"], [])
        return customers

    def populate(self, customers):
        strict = self.get_option("strict")
        for customer in customers:
            host = self.inventory.add_host(customer.get("externalId") or "customer-%s" % customer["id"])
            variables = {
                "customer_id": customer["id"], "external_id": customer.get("externalId"), "name": customer.get("name"),
                "status": customer.get("status"), "reseller_id": customer.get("resellerId"),
            }
            if "subscriptions" in customer:
                variables["subscriptions"] = customer["subscriptions"]
            for key, value in variables.items():
                self.inventory.set_variable(host, VARIABLE_PREFIX + key, value)
            # The modules run on the controller, with the Python that runs Ansible (and this plugin), which has requests.
            self.inventory.set_variable(host, "ansible_connection", "local")
            self.inventory.set_variable(host, "ansible_python_interpreter", sys.executable)
            hostvars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)
