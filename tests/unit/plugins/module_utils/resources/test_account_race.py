"""AccountResource.create_at when another run creates the same external id at the same moment: the first created
stands, a later one is renamed and its run fails naming both records; a platform that refuses the duplicate leads to
the other run's account."""

from types import SimpleNamespace

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMApiError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._role_words import Vocabulary
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._accounts import AccountResource


class FakeAccounts:
    """The API's customers: ``earlier`` were created by another run before this run's POST answered."""

    def __init__(self, earlier=(), refuse_duplicates=False, refuse_rename=False):
        self.rows = {row["id"]: dict(row) for row in earlier}
        self.refuse_duplicates, self.refuse_rename, self.writes = refuse_duplicates, refuse_rename, []

    def post(self, path, body):
        self.writes.append(("POST", path, body))
        if self.refuse_duplicates and any(row["externalId"] == body["externalId"] for row in self.rows.values()):
            raise IMApiError("POST /customers: HTTP 400", status=400, api_message="externalId is taken")
        created = dict(body, id=str(1000100 + len(self.rows)), status="active")
        self.rows[created["id"]] = created
        return dict(created)

    def paginate(self, path, query=None):
        return [dict(row) for row in self.rows.values() if row["externalId"] == (query or {}).get("externalId")]

    def get(self, path, query=None):
        return dict(self.rows[path.rsplit("/", 1)[1]])

    def patch(self, path, body):
        self.writes.append(("PATCH", path, body))
        if self.refuse_rename:
            raise IMApiError("PATCH /customers: HTTP 400", status=400)
        self.rows[path.rsplit("/", 1)[1]].update(body)
        return dict(self.rows[path.rsplit("/", 1)[1]])


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
EARLIER = {"id": "1000042", "externalId": "RACE-1", "name": "Race GmbH", "status": "active"}


def test_a_run_alone_creates_one_account_and_succeeds():
    api = FakeAccounts()
    created = Customer(api).create_at("/customers", DESIRED)
    assert [write[0] for write in api.writes] == ["POST"] and created["externalId"] == "RACE-1"


def test_the_run_that_created_the_later_account_renames_it_and_fails_naming_both_and_the_one_to_remove():
    api = FakeAccounts([EARLIER])
    customer = Customer(api)
    with pytest.raises(IMError) as error:
        customer.create_at("/customers", DESIRED)
    assert error.value.code == "created_twice" and customer.failure_context["changed"] is True
    assert api.rows["1000101"]["externalId"] == "RACE-1~duplicate-1000101"
    assert [row["id"] for row in api.paginate("/customers", {"externalId": "RACE-1"})] == ["1000042"]
    assert str(error.value) == (
        "another run created customer external_id RACE-1 (id 1000042) at the same moment as this run, which created id "
        "1000101. This run renamed the external id of id 1000101 to RACE-1~duplicate-1000101, so that one customer (id "
        "1000042) has the external id, and changed nothing else. The API cannot delete it: remove id 1000101 in the "
        "reseller control panel. A rerun is safe: it finds id 1000042")


def test_a_rename_the_api_refuses_says_two_accounts_have_the_external_id():
    api = FakeAccounts([EARLIER], refuse_rename=True)
    with pytest.raises(IMError, match=r"could not rename .* so two customers have it now\. Remove id 1000101") as error:
        Customer(api).create_at("/customers", DESIRED)
    assert error.value.code == "created_twice"


def test_a_platform_that_refuses_the_duplicate_leads_to_the_other_runs_account():
    api = FakeAccounts([EARLIER], refuse_duplicates=True)
    customer = Customer(api)
    account = customer.create_at("/customers", DESIRED)
    assert account["id"] == "1000042" and len(api.rows) == 1
    assert customer.warnings == ["the API refused to create customer external_id RACE-1 (externalId is taken): another run "
                                 "created it (id 1000042) while this one worked; this run went on with it"]
