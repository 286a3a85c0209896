"""AccountResource.create_at, over the real client and the fake API (tests/unit/fake_api.py), when another run creates the
same external id at the same moment: the first created stands, a later one is renamed and its run fails naming both
records; a platform that refuses the duplicate leads to the other run's account."""

from types import SimpleNamespace

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import Vocabulary
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._accounts import AccountResource


class Customer(AccountResource):
    kind = "customer"
    list_path = "/customers"

    def __init__(self, client):  # pylint: disable=super-init-not-called
        self.warnings, self.failure_context, self._client = [], {}, client
        self.module = SimpleNamespace(check_mode=False, warn=self.warnings.append)
        self.words = Vocabulary()
        self.params = {"external_id": "RACE-1", "id": None}

    @property
    def client(self):
        return self._client

    def update(self, current, patch):
        return self.client.patch("/customers/%s" % current["id"], patch)


DESIRED = {"externalId": "RACE-1", "name": "Race GmbH"}
RENAME = ("PATCH", "/customers/1000101", {"externalId": "RACE-1~duplicate-1000101"})  # the API numbers this run's customer 1000101


def another_run_creates_it(api):
    """Customer 1000042 with the same external id, created by another run at the moment this run POSTs its own."""
    api.customer("1000042", "RACE-1", "Race GmbH", racing=True)


def test_a_run_alone_creates_one_account_and_succeeds(api, make_client):
    created = Customer(make_client()).create_at("/customers", DESIRED)
    assert api.writes() == [("POST", "/customers", DESIRED)] and created["externalId"] == "RACE-1"
    assert list(api.customers) == [created["id"]]


def test_the_run_that_created_the_later_account_renames_it_and_fails_naming_both_and_the_one_to_remove(api, make_client):
    another_run_creates_it(api)
    customer = Customer(make_client())
    with pytest.raises(IMError) as error:
        customer.create_at("/customers", DESIRED)
    assert error.value.code == "created_twice" and customer.failure_context["changed"] is True
    assert api.writes() == [("POST", "/customers", DESIRED), RENAME]
    assert api.customers["1000101"]["externalId"] == "RACE-1~duplicate-1000101"
    assert [row["id"] for row in api.customers.values() if row["externalId"] == "RACE-1"] == ["1000042"]
    assert str(error.value) == (
        "another run created customer external_id RACE-1 (id 1000042) at the same moment as this run, which created id "
        "1000101. This run renamed the external id of id 1000101 to RACE-1~duplicate-1000101, so that one customer (id "
        "1000042) has the external id, and changed nothing else. The API cannot delete it: remove id 1000101 in the "
        "reseller control panel. A rerun is safe: it finds id 1000042")


def test_a_rename_the_api_refuses_says_two_accounts_have_the_external_id(api, make_client):
    another_run_creates_it(api)
    api.fail("PATCH", "/customers/1000101", 400, "externalId cannot be changed")
    with pytest.raises(IMError, match=r"could not rename .* so two customers have it now\. Remove id 1000101") as error:
        Customer(make_client()).create_at("/customers", DESIRED)
    assert error.value.code == "created_twice"
    assert api.writes() == [("POST", "/customers", DESIRED), RENAME]


def test_a_platform_that_refuses_the_duplicate_leads_to_the_other_runs_account(api, make_client):
    another_run_creates_it(api)
    api.unique_external_ids = True
    customer = Customer(make_client())
    account = customer.create_at("/customers", DESIRED)
    assert account["id"] == "1000042" and list(api.customers) == ["1000042"]
    assert api.writes() == [("POST", "/customers", DESIRED)]  # the other run's account already has what is declared
    assert customer.warnings == ["the API refused to create customer external_id RACE-1 (a customer with externalId RACE-1 exists "
                                 "already): another run created it (id 1000042) while this one worked; this run went on with it"]
