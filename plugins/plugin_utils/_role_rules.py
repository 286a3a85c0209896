# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input rules of the collection's roles, checked on the controller before anything is sent. Private to this
collection (used by the ``role_input`` filter).

Each role's variables are checked with the rules the modules apply to the same values (``_declarations`` for licence
lines and order lines, ``_accounts`` for customers), so a rule is written once. Every problem is data - the variable,
the line (counted from 1) or file/row/column, the field, what was given - with a message that says all of it and the
fix in the role's words.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import Vocabulary, role_name
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._declarations import (
    check_line, check_order_lines, read_csv, shown, whole_number,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.mail._mail import ENV_VARS as SMTP_ENV_VARS, addresses
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._account_rules import account_problems, creation_gaps

FLAGS = ("true", "false", "yes", "no", "on", "off", "1", "0")
SUBSCRIPTION_STATUSES = ("pending", "active", "hold", "terminated", "removed")
CUSTOMER_KEYS = ("external_id", "name", "language", "tax_reg_id", "attributes", "address", "contact_persons", "reseller_id",
                 "status", "po_number", "subscriptions")

# The variables each role reads (meta/argument_specs.yml documents them; a unit test keeps both in step), with their type.
ROLE_VARIABLES = {
    "license_adjustment": {
        "license_adjustment_licenses": "list", "license_adjustment_licenses_csv": "str", "license_adjustment_allow_decrease": "bool",
        "license_adjustment_max_increase": "int", "license_adjustment_max_decrease": "int", "license_adjustment_max_cost_delta": "str",
        "license_adjustment_decrease_window_days": "int", "license_adjustment_concurrency": "int", "license_adjustment_wait": "bool",
        "license_adjustment_canary": "bool",
        "license_adjustment_wait_timeout": "int", "license_adjustment_plan_file": "str", "license_adjustment_approved_plans": "dict",
        "license_adjustment_po_number": "str", "license_adjustment_output_dir": "str",
        "license_adjustment_mail_to": "list", "license_adjustment_mail_from": "str", "license_adjustment_mail_subject": "str",
        "license_adjustment_smtp": "dict",
    },
    "onboarding": {"onboarding_customers": "list", "onboarding_wait": "bool", "onboarding_wait_timeout": "int"},
    "license_report": {
        "license_report_dir": "str", "license_report_customers": "list", "license_report_status": "list",
        "license_report_concurrency": "int", "license_report_html": "bool", "license_report_adjustment_dir": "str",
        "license_report_mail_to": "list", "license_report_mail_from": "str", "license_report_mail_subject": "str",
        "license_report_smtp": "dict",
    },
}
ROLES = tuple(ROLE_VARIABLES)
# The keys of a role's <role>_smtp variable: the im_mail options of the server.
SMTP_KEYS = ("host", "port", "security", "username", "password", "ca_path", "validate_certs")
# The least value of each whole-number variable.
LEAST = {"license_adjustment_max_increase": 0, "license_adjustment_max_decrease": 0, "license_adjustment_decrease_window_days": 0,
         "license_adjustment_concurrency": 1, "license_adjustment_wait_timeout": 1, "onboarding_wait_timeout": 1,
         "license_report_concurrency": 1}


def issue(variable, message, line=None, field=None, given=None):
    """One problem of a role's input, as data and in words."""
    return {"variable": variable, "line": line, "field": field, "given": given, "message": message}


def _typed(role, variables):
    """Problems of the variables whose value has the wrong type (booleans, whole numbers, texts)."""
    problems = []
    for variable, kind in ROLE_VARIABLES[role].items():
        value = variables.get(variable)
        if value is None:
            continue
        if kind == "bool" and not (isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in FLAGS)):
            problems.append(issue(variable, "%s must be true or false, got %s" % (variable, shown(value)), given=value))
        elif kind == "int":
            least = LEAST.get(variable, 0)
            try:
                whole_number(value, variable, least)
            except ValueError as exc:
                problems.append(issue(variable, str(exc), given=value))
        elif kind == "str" and not (isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool))):
            problems.append(issue(variable, "%s must be a text, got %s" % (variable, shown(value)), given=value))
    return problems


def _where(variable, number, label=None):
    return "%s line %d%s" % (variable, number, " (%s)" % label if label else "")


def _from_lines(variable, found, number=None):
    """Problems of ``_declarations`` (``where``, ``field``, ``given``, ``message``) as problems of a role variable."""
    return [issue(variable, item["message"], line=number, field=item["field"], given=item["given"]) for item in found]


def license_adjustment(variables, host_customer=None):
    """``(problems, lines)`` of the license_adjustment role: the lines with a customer host's customer filled in where
    a line names neither a customer nor a subscription."""
    variable = "license_adjustment_licenses"
    problems = _typed("license_adjustment", variables)
    lines = variables.get(variable)
    csv_path = variables.get("license_adjustment_licenses_csv")
    if lines in (None, "", []) and not csv_path and not host_customer:  # a customer host that declares nothing is skipped
        problems.append(issue(variable, "%s is not set or empty: declare the seats to reach, for example -e '{\"%s\": [{\"customer\": "
                                        "\"ACME-001\", \"mpn\": \"CFQ7TTC0LDPB:0001:P1Y\", \"quantity\": 30}]}', a vars file, or a licence "
                                        "CSV with -e license_adjustment_licenses_csv=licenses.csv (see the role's README)" % (variable, variable)))
    if lines is not None and not isinstance(lines, list):
        problems.append(issue(variable, "%s must be a list of lines such as [{customer: ACME-001, mpn: CFQ7TTC0LDPB:0001:P1Y, "
                                        "quantity: 30}], got %s" % (variable, shown(lines)), given=lines))
        lines = []
    filled = []
    without = ("needs customer (or subscription_id): on localhost there is no customer host to take it from" if not host_customer
               else None)
    for number, line in enumerate(lines or [], start=1):
        if isinstance(line, dict) and host_customer and line.get("customer") is None and line.get("subscription_id") is None:
            line = dict(line, customer=host_customer)
        filled.append(line)
        _declaration, found = check_line(line, _where(variable, number), without_customer=without)
        problems.extend(_from_lines(variable, found, number))
    cost = variables.get("license_adjustment_max_cost_delta")
    if cost is not None:
        try:
            valid = not isinstance(cost, bool) and Decimal(str(cost).strip()).is_finite() and Decimal(str(cost).strip()) >= 0
        except InvalidOperation:
            valid = False
        if not valid:
            problems.append(issue("license_adjustment_max_cost_delta", "license_adjustment_max_cost_delta must be an amount of 0 or more "
                                                                       "such as \"500\" or \"1250.00\", got %s" % shown(cost), given=cost))
    if csv_path and host_customer:
        # A CSV declares every customer's seats: planned once, not by each customer host (each would plan all of its rows).
        problems.append(issue("license_adjustment_licenses_csv", "license_adjustment_licenses_csv declares the seats of every customer "
                                                                 "and is planned in one run: run it on localhost (leave "
                                                                 "license_adjustment_hosts unset), not on the customer hosts of the inventory"))
    elif csv_path and isinstance(csv_path, str):
        problems.extend(_csv_problems(csv_path))
    plans = variables.get("license_adjustment_approved_plans")
    if plans is not None and not isinstance(plans, dict):
        problems.append(issue("license_adjustment_approved_plans", "license_adjustment_approved_plans must be a mapping of host names to "
                                                                   "plans (as a check-mode run publishes it), got %s" % shown(plans), given=plans))
    return problems, filled


def _csv_problems(path):
    """The problems of a licence CSV (file, row, column), read here with the module's own reader before anything is sent."""
    try:
        read_csv(os.path.expanduser(path), variable=role_name("license_adjustment", "licenses_csv"))
    except IMConfigError as exc:
        found = getattr(exc, "problems", None)
        if found:
            return [issue("license_adjustment_licenses_csv", item["message"], field=item.get("field"), given=item.get("given"))
                    for item in found]
        return [issue("license_adjustment_licenses_csv", str(exc))]
    return []


def onboarding(variables, existing_ids=None):
    """The problems of the onboarding role's variables; with ``existing_ids`` (the external ids of the customers that
    exist), also what creating each new customer still needs."""
    variable = "onboarding_customers"
    problems = _typed("onboarding", variables)
    customers = variables.get(variable)
    if not isinstance(customers, list):
        problems.append(issue(variable, "%s must be a list of customers such as [{external_id: ACME-001, name: Acme, subscriptions: "
                                        "[{mpn: SH3AMCLOS, quantity: 5}]}], got %s" % (variable, shown(customers)), given=customers))
        customers = []
    seen = set()
    for number, customer in enumerate(customers, start=1):
        where = _where(variable, number)
        if not isinstance(customer, dict):
            problems.append(issue(variable, "%s must be a mapping with external_id, name, ..., subscriptions, got %s" % (where, shown(customer)),
                                  line=number, given=customer))
            continue
        external_id = customer.get("external_id")
        if external_id is None or not str(external_id).strip() or isinstance(external_id, (bool, dict, list)):
            problems.append(issue(variable, "%s: external_id is missing: give the customer's id in your PSA or CRM (its natural key)"
                                  % where, line=number, field="external_id"))
        else:
            where = _where(variable, number, external_id)
            if external_id in seen:
                problems.append(issue(variable, "%s: external_id %s appears more than once; give each customer once" % (where, external_id),
                                      line=number, field="external_id", given=external_id))
            seen.add(external_id)
        unknown = sorted(str(key) for key in customer if key not in CUSTOMER_KEYS)
        if unknown:
            problems.append(issue(variable, "%s: unknown key %s (the keys are %s)" % (where, ", ".join(unknown), ", ".join(CUSTOMER_KEYS)),
                                  line=number))
        account = {key: value for key, value in customer.items() if key not in ("subscriptions", "po_number")}
        problems.extend(issue(variable, "%s: %s" % (where, item["message"]), line=number, field=item["field"], given=item["given"])
                        for item in account_problems(account, ""))
        if customer.get("po_number") is not None and not isinstance(customer["po_number"], (str, int)):
            problems.append(issue(variable, "%s: po_number must be a text, got %s" % (where, shown(customer["po_number"])), line=number,
                                  field="po_number", given=customer["po_number"]))
        lines = customer.get("subscriptions")
        if lines is not None and not isinstance(lines, list):
            problems.append(issue(variable, "%s: subscriptions must be a list such as [{mpn: SH3AMCLOS, quantity: 5}], got %s"
                                  % (where, shown(lines)), line=number, field="subscriptions", given=lines))
        elif lines:
            problems.extend(_from_lines(variable, check_order_lines(lines, where, role_name("onboarding", "products")), number))
        if existing_ids is not None and external_id not in existing_ids:
            missing = creation_gaps(customer)
            if missing:
                problems.append(issue(variable, "%s: customer %s does not exist yet; to create it give %s" % (where, external_id, ", ".join(missing)),
                                      line=number, field=missing[0]))
    return problems


def license_report(variables):
    """The problems of the license_report role's variables, and the customer filter and statuses as lists."""
    problems = _typed("license_report", {key: value for key, value in variables.items()
                                         if key not in ("license_report_customers", "license_report_status")})
    directory = variables.get("license_report_dir")
    if directory is None or not str(directory).strip():
        problems.append(issue("license_report_dir", "license_report_dir is not set: give the directory to write the report to, for "
                                                    "example -e license_report_dir=./license-reports"))
    customers = _as_list(variables.get("license_report_customers"))
    if customers is None:
        problems.append(issue("license_report_customers", "license_report_customers must be a list of external ids or ids (or one "
                                                          "comma-separated text), got %s" % shown(variables.get("license_report_customers")),
                              given=variables.get("license_report_customers")))
    statuses = _as_list(variables.get("license_report_status"))
    if statuses is None or any(status not in SUBSCRIPTION_STATUSES for status in statuses):
        problems.append(issue("license_report_status", "license_report_status must be one or more of %s, got %s"
                              % (", ".join(SUBSCRIPTION_STATUSES), shown(variables.get("license_report_status"))),
                              given=variables.get("license_report_status")))
    audits = variables.get("license_report_adjustment_dir")
    if isinstance(audits, str) and audits.strip() and not os.path.isdir(os.path.realpath(os.path.expanduser(audits))):
        problems.append(issue("license_report_adjustment_dir", "license_report_adjustment_dir: %s is not a directory; give the "
                                                               "license_adjustment_output_dir of the licence adjustment runs" % audits,
                              given=audits))
    return problems, {"customers": customers or [], "statuses": statuses or []}


def mail(variables, role, environment=None):
    """``(problems, recipients)`` of a role's mail variables (<role>_mail_to, _mail_from, _smtp): no recipient means no
    mail; with recipients, the server and the sender must be set in the variables or the SMTP_* environment variables."""
    environment = os.environ if environment is None else environment
    to_variable, smtp_variable, from_variable = role + "_mail_to", role + "_smtp", role + "_mail_from"
    recipients = _as_list(variables.get(to_variable))
    if recipients is None:
        return [issue(to_variable, "%s must be a list of mail addresses (or one comma-separated text), got %s"
                      % (to_variable, shown(variables.get(to_variable))), given=variables.get(to_variable))], []
    problems = []
    try:
        addresses(recipients, to_variable)
    except IMConfigError as exc:
        problems.append(issue(to_variable, str(exc), given=recipients))
    smtp = variables.get(smtp_variable)
    if smtp in (None, ""):
        smtp = {}
    if not isinstance(smtp, dict):
        problems.append(issue(smtp_variable, "%s must be a mapping with any of %s, got %s" % (smtp_variable, ", ".join(SMTP_KEYS), shown(smtp)),
                              given=smtp))
        smtp = {}
    unknown = sorted(str(key) for key in smtp if key not in SMTP_KEYS)
    if unknown:
        problems.append(issue(smtp_variable, "%s: unknown key %s (the keys are %s)" % (smtp_variable, ", ".join(unknown), ", ".join(SMTP_KEYS)),
                              field=unknown[0]))
    if recipients:
        if not smtp.get("host") and not environment.get(SMTP_ENV_VARS["host"]):
            problems.append(issue(smtp_variable, "%s is set, but no mail server is: set %s.host or the SMTP_HOST environment variable"
                                  % (to_variable, smtp_variable), field="host"))
        if not variables.get(from_variable) and not environment.get(SMTP_ENV_VARS["sender"]):
            problems.append(issue(from_variable, "%s is set, but no sender is: set %s or the SMTP_FROM environment variable"
                                  % (to_variable, from_variable)))
    if variables.get(from_variable):
        try:
            addresses([variables[from_variable]], from_variable)
        except IMConfigError as exc:
            problems.append(issue(from_variable, str(exc), given=variables[from_variable]))
    return problems, recipients


def _as_list(value):
    """A list of texts from a list or a comma-separated text (as given with -e); ``None`` when it is neither."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, (str, int)) and not isinstance(item, bool) for item in value):
        return [str(item).strip() for item in value if str(item).strip()]
    return None


def message(problems):
    """All problems in one message, as a role fails with it."""
    return "; ".join(problem["message"] for problem in problems)


def check(role, variables, host_customer=None, existing=None):
    """Everything the role_input filter, lookup and role return for ``role``: ``problems``, ``message`` and the values
    the role goes on with (``lines``, ``customers``/``statuses``, ``mail_to``), in the role's words."""
    result = {}
    if role == "license_adjustment":
        problems, result["lines"] = license_adjustment(variables, host_customer)
    elif role == "onboarding":
        problems = onboarding(variables, existing)
    elif role == "license_report":
        problems, filters = license_report(variables)
        result.update(filters)
    else:
        raise IMConfigError("role_input: unknown role %r (license_adjustment, onboarding or license_report)" % role)
    if role != "onboarding":
        found, result["mail_to"] = mail(variables, role)
        problems = problems + found
    result.update(problems=problems, message=message(problems))
    return Vocabulary(role).say(result)


def host_customer(variables):
    """The customer of a host of the customers inventory (its external id, else its id), or ``None`` on localhost."""
    return variables.get("marketplace_external_id") or variables.get("marketplace_customer_id") or None
