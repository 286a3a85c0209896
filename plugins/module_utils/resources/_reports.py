# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the report modules share: enumerations, dates, report ids, hidden fields and the file download.

Private to this collection. A report's ``downloadUrl`` is a signed link (an Azure Blob URL with a SAS signature on the
real API): whoever has it can read the file, so it is a secret. It is removed from every result
(``REPORT_HIDDEN_FIELDS``, ``strip_download_urls``), never put in a message (a failed download names the report id),
and it is fetched with a plain ``requests`` call that carries none of the API's credentials: the bearer token and the
subscription key are for ``api_url`` only and must never reach the storage host.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._client import HAS_REQUESTS, USER_AGENT, describe_failure
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._dates import api_datetime, parse_datetime
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.resources._lookup import path_id

if HAS_REQUESTS:  # without it the module base has already failed, naming the library
    import requests

# What POST /reports can generate, and what the API's list filters accept (the contract's enumerations).
SCHEDULE_FORMATS = ("csv", "json", "xml")
REPORT_FORMATS = ("csv", "json", "xml", "xlsx")
REPORT_STATUSES = ("submitted", "processing", "completed", "error")
REPORT_TYPES = ("periodic", "daily", "monthly", "onetime", "on_invoice")

# Fields removed from every returned report (snake_case, see _transform.hide_fields).
REPORT_HIDDEN_FIELDS = ("download_url",)
DOWNLOAD_URL_KEY = "downloadUrl"

FILE_MODE = 0o600
CHUNK_SIZE = 65536

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def report_path(report_id):
    return "/reports/%s" % path_id(report_id)


def check_report_id(value, option="id"):
    """Fail before any request when ``value`` is not a report id (the API's report ids are UUIDs)."""
    if not UUID.match(str(value)):
        raise IMConfigError("%s must be a report id, a UUID such as f40c942d-ebec-41b9-b604-5ed9ffb6d4f2; got %r" % (option, value))


def same_datetime(api_value, wanted):
    """Whether a date-time the API returned is ``wanted`` (in the API's form; ``None`` for absent on both sides)."""
    if api_value in (None, ""):
        return wanted is None
    if wanted is None:
        return False
    try:
        return api_datetime(parse_datetime(api_value, "the API's date-time", allow_date=True)) == wanted
    except IMConfigError:
        return api_value == wanted


def strip_download_urls(obj):
    """A copy of decoded API JSON without any ``downloadUrl`` key, at any depth (for raw answers such as im_api's)."""
    if isinstance(obj, list):
        return [strip_download_urls(item) for item in obj]
    if isinstance(obj, dict):
        return {key: strip_download_urls(value) for key, value in obj.items() if key != DOWNLOAD_URL_KEY}
    return obj


def file_sha256(path):
    """SHA-256 (hex) of the file at ``path``, or ``None`` when there is no such file."""
    if not os.path.isfile(path):
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_dest(dest, check_mode=False, option="dest"):
    """Fail before any request when the report file cannot be written to ``dest``."""
    if os.path.isdir(dest):
        raise IMConfigError("%s %s is a directory; give the path of the file to write, for example %s"
                            % (option, dest, os.path.join(dest, "report.csv")))
    directory = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(directory):
        raise IMConfigError("%s: directory %s does not exist; create it first (for example with ansible.builtin.file and "
                            "state: directory)" % (option, directory))
    if not check_mode and not os.access(directory, os.W_OK | os.X_OK):
        raise IMConfigError("%s: directory %s is not writable by this user" % (option, directory))
    if os.path.exists(dest) and not os.path.isfile(dest):
        raise IMConfigError("%s %s exists and is not a regular file" % (option, dest))


def download_report(config, report, dest, check_mode=False):
    """Fetch a completed report's file to ``dest`` unless the file there already has the same content.

    ``config`` is the client's ConnectionConfig (``validate_certs``, ``timeout``); ``report`` the API object with its
    ``downloadUrl``. The file is streamed into a temporary file next to ``dest`` while its SHA-256 is computed, then
    moved over ``dest`` (mode 0600) only when the checksum differs from the existing file's. In check mode the file is
    only hashed, never written. Returns ``{"changed", "checksum", "previous_checksum"}``.

    No API credential is sent, and neither the URL nor a library message that could contain it ever reaches an error:
    failures name the report id.
    """
    report_id = report.get("id")
    url = report.get(DOWNLOAD_URL_KEY)
    if not url:
        raise IMError("report %s is %s but has no download URL; run the task again later" % (report_id, report.get("status")))
    previous = file_sha256(dest)
    digest = hashlib.sha256()
    temp_path = None
    moved = False
    try:
        try:
            response = requests.get(url, stream=True, timeout=config.timeout, verify=config.validate_certs,
                                    headers={"User-Agent": USER_AGENT})
            with response:
                if response.status_code >= 400:
                    raise IMError(_http_failure(report_id, response))
                handle = None
                if not check_mode:
                    descriptor, temp_path = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(dest)),
                                                             prefix=".%s." % os.path.basename(dest), suffix=".part")
                    handle = os.fdopen(descriptor, "wb")
                try:
                    for chunk in response.iter_content(CHUNK_SIZE):
                        digest.update(chunk)
                        if handle is not None:
                            handle.write(chunk)
                finally:
                    if handle is not None:
                        handle.close()
        except requests.exceptions.SSLError as exc:
            raise IMError("downloading report %s failed: TLS verification of the storage host failed (%s); set validate_certs: "
                          "false only against a test endpoint" % (report_id, describe_failure(exc))) from None
        except requests.exceptions.RequestException as exc:
            raise IMError("downloading report %s failed: %s" % (report_id, describe_failure(exc))) from None
        except OSError as exc:
            raise IMError("writing report %s to %s failed: %s" % (report_id, dest, exc.strerror or type(exc).__name__)) from None
        checksum = digest.hexdigest()
        changed = checksum != previous
        if changed and not check_mode:
            try:
                os.chmod(temp_path, FILE_MODE)
                os.replace(temp_path, dest)
            except OSError as exc:
                raise IMError("writing report %s to %s failed: %s" % (report_id, dest, exc.strerror or type(exc).__name__)) from None
            moved = True
        return {"changed": changed, "checksum": checksum, "previous_checksum": previous}
    finally:
        if temp_path is not None and not moved and os.path.exists(temp_path):
            os.unlink(temp_path)


def _http_failure(report_id, response):
    status = response.status_code
    message = "downloading report %s failed: HTTP %s %s" % (report_id, status, response.reason or "")
    if status in (403, 404, 410):
        message = message.rstrip() + (" (the download link was refused or has expired; the platform keeps report files for "
                                      "90 days: schedule the report again)")
    return message.rstrip()
