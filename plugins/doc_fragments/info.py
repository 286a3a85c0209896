# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options shared by the _info modules, each written for any of the modules that extend it; the module's own
    # description says what it lists. Referenced as ingrammicro.marketplace.info.<name in lower case>.

    # The lookup of one record by its id (im_customer_info, im_reseller_info, im_order_info, im_subscription_info).
    ID = r"""
options:
  id:
    description:
      - Marketplace id of one record. Returns that full record, or an empty list when there is none with this id.
      - Cannot be combined with the other filters.
    type: str
"""

    # The filters of the accounts' listings (im_customer_info, im_reseller_info).
    ACCOUNTS = r"""
options:
  external_id:
    description:
      - The id in your own system (exact match).
    type: str
  name:
    description:
      - Only those whose name is similar to this one (the API's similarity match).
    type: str
  email:
    description:
      - Only those having a contact person with this e-mail address.
    type: str
"""

    # The customer and status filters of im_order_info and im_subscription_info. Each module adds the status
    # values its objects have, as the option's choices.
    CUSTOMER_AND_STATUS = r"""
options:
  customer:
    description:
      - Only those of this customer, given by its external id (your own id, tried first) or its Marketplace id.
      - A customer that does not exist is an error.
    type: str
  status:
    description:
      - Only those in one of these statuses.
      - The API takes one status per request, so the module sends one listing per status and returns the rows grouped
        by status, in the order given here.
    type: list
    elements: str
"""

    # Full records of listings whose rows are shorter than them. Must stay identical to details_argument_spec() in
    # plugins/module_utils/resources/_info_helpers.py (a unit test compares them).
    DETAILS = r"""
options:
  details:
    description:
      - Read the full record of every one found; the description above says what it holds that the list rows lack.
      - Costs one request per record, run in parallel up to O(concurrency).
    type: bool
    default: false
  concurrency:
    description:
      - How many detail requests run at the same time when full records are read.
    type: int
    default: 8
"""
