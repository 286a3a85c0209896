"""snake_case / camelCase conversion, hidden fields, subset comparison."""

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._transform import (
    hide_fields, subset_differs, to_camel, to_snake,
)


def test_to_snake_converts_names_but_not_user_attributes():
    api = {"externalId": "A-1", "taxRegId": "X", "attributes": {"costCenter": "42"},
           "contactPersons": [{"firstName": "Jane", "phoneNumber": "1"}], "address": {"streetAddress": "s", "countryCode": "US"}}
    assert to_snake(api) == {"external_id": "A-1", "tax_reg_id": "X", "attributes": {"costCenter": "42"},
                             "contact_persons": [{"first_name": "Jane", "phone_number": "1"}],
                             "address": {"street_address": "s", "country_code": "US"}}


def test_to_camel_drops_unset_options_and_keeps_attributes():
    options = {"external_id": "A-1", "name": None, "attributes": {"cost_center": "42"},
               "address": {"street_address": "s", "state": None}, "contact_persons": [{"first_name": "J", "login": None}]}
    assert to_camel(options) == {"externalId": "A-1", "attributes": {"cost_center": "42"}, "address": {"streetAddress": "s"},
                                 "contactPersons": [{"firstName": "J"}]}


def test_hide_fields_in_lists_and_nested_dicts():
    obj = {"contact_persons": [{"email": "a", "password": "p"}, {"email": "b"}], "report": {"download_url": "u", "id": 1}}
    hidden = hide_fields(obj, ["contact_persons.password", "report.download_url", "missing.path"])
    assert hidden == {"contact_persons": [{"email": "a"}, {"email": "b"}], "report": {"id": 1}}
    assert obj["contact_persons"][0]["password"] == "p"  # the original is untouched


def test_subset_differs():
    current = {"city": "Irvine", "postalCode": "92612", "state": "CA"}
    assert not subset_differs(current, {"city": "Irvine"})
    assert subset_differs(current, {"city": "Berlin"})
    assert subset_differs(current, {"addressExtension": "Suite 1"})
    assert not subset_differs(current, {"city": "Irvine", "state": None})
    assert subset_differs(None, {"city": "Irvine"})
