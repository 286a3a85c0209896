"""The audit files im_licenses writes: names, content, modes, and a directory that cannot take them."""

import csv
import datetime
import json
import os
import stat

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._audit import CSV_HEADER, AuditFiles

ENDED = datetime.datetime(2026, 12, 7, 9, 30, 12, tzinfo=datetime.timezone.utc)
LINE = {"index": 1, "customer": "ACME-001", "customer_id": "1000001", "customer_name": "=Acme, Inc.", "subscription_id": "3000001",
        "mpn": "CFQ7TTC0LDPB:0001:P1Y", "product": "Microsoft 365", "current": 25, "desired": 30, "delta": 5, "action": "increase",
        "price_change": {"amount": "62.50", "currency": "USD", "per": "month"}, "result": "completed",
        "order": {"id": "4000014", "order_number": "SO000014", "status": "completed"}, "source": "line 1"}
RESULT = {"changed": True, "plan": [LINE], "summary": {"outcome": "applied", "lines": 1}, "quantity_reading": {"verdict": "holds"}}
OPTIONS = {"allow_decrease": False, "max_increase": 10, "max_decrease": None, "max_cost_delta": "500", "decrease_window_days": None,
           "po_number": "PSA-1"}


def test_a_real_run_writes_result_files_named_by_its_end_with_every_field(tmp_path):
    directory = tmp_path / "audit" / "nested"  # created when missing
    written = AuditFiles(str(directory), "-ACME-001", now=ENDED).write(RESULT, None, OPTIONS, {"user": "ops"})
    assert written == {"generated_at": "2026-12-07T09:30:12Z", "json": str(directory / "result-20261207T093012Z-ACME-001.json"),
                       "csv": str(directory / "result-20261207T093012Z-ACME-001.csv")}
    record = json.loads((directory / "result-20261207T093012Z-ACME-001.json").read_text(encoding="utf-8"))
    assert record == {"generated_at": "2026-12-07T09:30:12Z", "mode": "run", "status": "applied", "message": None, "changed": True,
                      "guardrails": {"allow_decrease": False, "max_increase": 10, "max_decrease": None, "max_cost_delta": "500",
                                     "decrease_window_days": None},
                      "po_number": "PSA-1", "plan_file": None, "run_by": {"user": "ops"}, "summary": RESULT["summary"],
                      "quantity_reading": {"verdict": "holds"}, "plan": [LINE]}
    with open(written["csv"], newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(CSV_HEADER)
    row = dict(zip(CSV_HEADER, rows[1]))
    assert (row["customer_name"], row["delta"], row["price_change_amount"], row["order_number"]) == ("'=Acme, Inc.", "5", "62.50", "SO000014")
    for path in (written["json"], written["csv"]):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(os.listdir(directory)) == ["result-20261207T093012Z-ACME-001.csv", "result-20261207T093012Z-ACME-001.json"]


def test_check_mode_writes_a_plan_and_a_refusal_keeps_its_message(tmp_path):
    refused = {"plan": [dict(LINE, result=None, order=None)], "summary": {"outcome": "refused"}}
    written = AuditFiles(str(tmp_path), check_mode=True, now=ENDED).write(refused, "line 1 is blocked", OPTIONS, None)
    assert os.path.basename(written["json"]) == "plan-20261207T093012Z.json"
    record = json.loads(open(written["json"], encoding="utf-8").read())
    assert (record["mode"], record["status"], record["message"], record["changed"]) == ("check", "refused", "line 1 is blocked", False)


def test_files_are_never_written_over_or_through_a_link(tmp_path):
    """Two runs ending in the same second with the same suffix (two slices of a sliced job, one host in both) keep both
    records; a link where a file would go is left alone, and so is its target."""
    target = tmp_path / "elsewhere.txt"
    target.write_text("untouched", encoding="utf-8")
    (tmp_path / "result-20261207T093012Z-2.json").symlink_to(target)
    first = AuditFiles(str(tmp_path), now=ENDED).write(RESULT, None, OPTIONS, {"user": "slice 1"})
    second = AuditFiles(str(tmp_path), now=ENDED).write(RESULT, None, OPTIONS, {"user": "slice 2"})
    assert [os.path.basename(written["json"]) for written in (first, second)] == ["result-20261207T093012Z.json", "result-20261207T093012Z-3.json"]
    assert [json.loads(open(written["json"], encoding="utf-8").read())["run_by"] for written in (first, second)] == [
        {"user": "slice 1"}, {"user": "slice 2"}]
    assert target.read_text(encoding="utf-8") == "untouched" and os.path.islink(tmp_path / "result-20261207T093012Z-2.json")


def test_a_directory_that_cannot_be_made_names_the_option(tmp_path):
    (tmp_path / "file").write_text("not a directory", encoding="utf-8")
    with pytest.raises(IMConfigError) as raised:
        AuditFiles(str(tmp_path / "file" / "audit"), now=ENDED).write(RESULT, None, OPTIONS, None)
    assert "\u27e8audit_dir\u27e9: cannot write the audit files %s" % (tmp_path / "file" / "audit" / "result-20261207T093012Z") in str(raised.value)
    assert not list(tmp_path.glob("**/.tmp-*"))  # no temporary file left behind
