"""Product activation parameters: parsing and the validation rules of POST /validation/parameters.

POST /orders applies the same rules and turns the first failure into a 400.
"""

import json
import re

from .common import bad_request, get_str, require_object

RESERVED_DOMAINS = ("contoso.com", "example.com", "microsoft.com", "fabrikam.com")
DOMAIN_NAME = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def parse_parameters(line, where):
    """The line's `parameters` as a list of {name, value}."""
    value = line.get("parameters")
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request(f"{where}.parameters must be a list of {{name, value}} objects")
    parameters = []
    for index, item in enumerate(value):
        item = require_object(item, f"{where}.parameters[{index}]")
        name = get_str(item, "name", f"{where}.parameters[{index}].", required=True)
        parameters.append({"name": name, "value": item.get("value")})
    return parameters


def _as_text(value):
    # The result's `value` is a string in the contract; parameter values may be any JSON type.
    return value if isinstance(value, str) else json.dumps(value)


def _check_domain(result, value, domain_taken):
    domain = value.lower() if isinstance(value, str) else ""
    if not DOMAIN_NAME.fullmatch(domain):
        result.update(result="error", message="The domain name is not valid.", valueError=f"{result['value']} is not a valid domain name")
    elif domain in RESERVED_DOMAINS:
        result.update(result="error", message="The domain is not available.", valueError=f"{domain} is reserved")
    elif domain_taken(domain):
        result.update(result="error", message="The domain is not available.", valueError=f"{domain} is already in use by another customer")
    else:
        result.update(result="success", message="Domain available to purchase.")


def _check_choice(result, value, definition):
    allowed = [code for code, _label in definition["choices"]]
    if value in allowed:
        result.update(result="success", message="The value is valid.")
    else:
        result.update(result="error", message="The value is not one of the allowed choices.",
                      valueError=f"{result['value']} is not one of {', '.join(allowed)}",
                      valueChoices=[{"label": label, "value": code, "default": index == 0}
                                    for index, (code, label) in enumerate(definition["choices"])])


def check_parameters(product, parameters, domain_taken):
    """One Parameter result per given parameter, plus an error for each required one left out.

    domain_taken(domain) tells whether another customer already uses that domain.
    """
    definitions = {definition["name"]: definition for definition in product["_params"]}
    results = []
    for item in parameters:
        result = {"name": item["name"], "value": _as_text(item["value"])}
        definition = definitions.get(item["name"])
        if definition is None:
            result.update(result="error", message="unknown parameter", valueError=f"{product['mpn']} has no parameter {item['name']}")
        elif definition["kind"] == "domain":
            _check_domain(result, item["value"], domain_taken)
        else:
            _check_choice(result, item["value"], definition)
        results.append(result)
    given = {item["name"] for item in parameters}
    for name, definition in definitions.items():
        if definition["required"] and name not in given:
            results.append({"name": name, "value": "", "result": "error", "message": "The parameter is required.",
                            "valueError": f"{name} is required for {product['mpn']}"})
    return results
