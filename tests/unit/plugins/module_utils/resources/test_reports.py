"""Report downloads: no API credential reaches the storage host, the signed URL never reaches a message."""

import hashlib
import os
import stat

import pytest
import requests
import responses

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import ConnectionConfig
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._reports import download_report, strip_download_urls

SIGNED = "https://storage.example/reports/r1.csv?sv=2024&sig=SECRET-SIGNATURE"
CONFIG = ConnectionConfig.from_params(dict(api_url="https://api.example/marketplace/eu", username="u", password="Pw-123456",
                                           subscription_key="Key-98765", marketplace="us"))
REPORT = {"id": "f40c942d-ebec-41b9-b604-5ed9ffb6d4f2", "status": "completed", "downloadUrl": SIGNED}


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def test_download_sends_no_credentials_and_is_idempotent(rsps, tmp_path):
    rsps.add(responses.GET, SIGNED, body=b"customer,seats\nACME,25\n")
    dest = tmp_path / "report.csv"
    first = download_report(CONFIG, REPORT, str(dest))
    headers = rsps.calls[0].request.headers
    assert "Authorization" not in headers and "X-Subscription-Key" not in headers
    assert first["changed"] and first["checksum"] == hashlib.sha256(b"customer,seats\nACME,25\n").hexdigest()
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    second = download_report(CONFIG, REPORT, str(dest))
    assert not second["changed"] and second["checksum"] == first["checksum"]
    assert sorted(os.listdir(tmp_path)) == ["report.csv"]  # no temporary file left behind


def test_check_mode_hashes_without_writing(rsps, tmp_path):
    rsps.add(responses.GET, SIGNED, body=b"data")
    result = download_report(CONFIG, REPORT, str(tmp_path / "report.csv"), check_mode=True)
    assert result["changed"] and os.listdir(tmp_path) == []


@pytest.mark.parametrize("failure", [
    dict(status=403, body="AuthenticationFailed for " + SIGNED),
    dict(body=requests.exceptions.ConnectionError("HTTPSConnectionPool: Max retries exceeded with url: " + SIGNED)),
])
def test_failures_name_the_report_never_the_url(rsps, tmp_path, failure):
    rsps.add(responses.GET, SIGNED, **failure)
    with pytest.raises(IMError) as err:
        download_report(CONFIG, REPORT, str(tmp_path / "report.csv"))
    assert REPORT["id"] in str(err.value)
    assert "SECRET-SIGNATURE" not in str(err.value) and "storage.example" not in str(err.value)
    assert os.listdir(tmp_path) == []


def test_download_urls_are_stripped_at_any_depth():
    answer = {"data": [{"id": "1", "downloadUrl": SIGNED, "nested": {"downloadUrl": SIGNED, "keep": 1}}], "pagination": {}}
    assert "SECRET-SIGNATURE" not in str(strip_download_urls(answer))
    assert strip_download_urls(answer)["data"][0]["nested"] == {"keep": 1}
