"""Seat declarations from a spreadsheet and from usage, and the HTML licence report, through the real playbooks.

The round trip a person makes: export the licence report's CSV, edit rows in a spreadsheet program (any of the
dialects they write), plan, apply, rerun. Bad rows fail naming the file, the row and the column, before any write.
"""

import csv
import datetime
import glob
import html.parser
import json
import math
import os
import re

import pytest

from tests.simulator.harness import ApiClient

ADJUST = "ingrammicro.marketplace.adjust_licenses"
REPORT = "ingrammicro.marketplace.license_report"
READ_ONLY_POSTS = ("/token", "/orders/estimate", "/validation/parameters")


@pytest.fixture
def sim(simulator):
    simulator.reset()
    return simulator


def writes(log):
    return [entry for entry in log if entry["method"] != "GET" and not entry["path"].endswith(READ_ONLY_POSTS)]


def export(run_playbook, directory, extra=None):
    """Run the licence report; its CSV's header and rows (dicts), and the paths of its files."""
    run = run_playbook(REPORT, dict({"license_report_dir": str(directory)}, **(extra or {})), verbosity=0)
    assert run.rc == 0, run.output[-4000:]
    paths = {ext: sorted(glob.glob(str(directory / ("license-report-*." + ext))))[-1] for ext in ("csv", "json", "html")}
    with open(paths["csv"], newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader), paths


def save(path, header, rows, delimiter=",", bom=False, newline="\n", quoting=csv.QUOTE_ALL):
    """Write rows as a spreadsheet program would (all fields quoted, or only where needed with ``csv.QUOTE_MINIMAL``;
    the given separator, BOM and line ends)."""
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=delimiter, quoting=quoting, lineterminator=newline)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def row_of(rows, customer, mpn):
    return next(row for row in rows if row["customer_external_id"] == customer and row["mpn"] == mpn)


def adjust(sim, run_playbook, csv_path, *args, **variables):
    before = len(sim.requests())
    run = run_playbook(ADJUST, dict({"license_adjustment_licenses_csv": csv_path}, **variables), args=args, verbosity=1)
    return run, sim.requests()[before:]


def plan_notes(output):
    """The plan table's lines."""
    start = output.index('"msg": [', output.index("Show the plan or the result, one row per line"))
    return json.JSONDecoder().raw_decode(output, start + len('"msg": '))[0]


def test_the_spreadsheet_round_trip_changes_exactly_the_edited_rows(sim, run_playbook, tmp_path):
    header, rows, _paths = export(run_playbook, tmp_path / "export")
    assert header[header.index("seats") + 1] == "desired_quantity" and {"used", "buffer", "round_to"} <= set(header)
    assert all(row["desired_quantity"] == "" for row in rows)
    api = ApiClient(sim)
    seats_before = {row["subscription_id"]: int(row["seats"]) for row in rows}
    row_of(rows, "ACME-001", "CFQ7TTC0LDPB:0001:P1Y")["desired_quantity"] = "27"     # 25 -> 27
    row_of(rows, "GLOBEX-002", "SH3AMCLOS").update(used="47", buffer="10%", round_to="5")  # 40 -> 55 from usage
    edited = save(tmp_path / "licenses.csv", header, rows)

    check, log = adjust(sim, run_playbook, edited, "--check")
    assert check.rc == 0, check.output[-4000:]
    assert writes(log) == []
    table = "\n".join(plan_notes(check.output))
    assert "Total 2 line(s) - 2 increase" in table
    assert "from licenses.csv row " in table and "used 47 + 10% = 51.7 -> 55 (packs of 5)" in table

    run, log = adjust(sim, run_playbook, edited)
    assert run.rc == 0, run.output[-4000:]
    assert len([entry for entry in log if entry["method"] == "POST" and entry["path"].endswith("/orders")]) == 2
    expected = dict(seats_before, **{row_of(rows, "ACME-001", "CFQ7TTC0LDPB:0001:P1Y")["subscription_id"]: 27,
                                     row_of(rows, "GLOBEX-002", "SH3AMCLOS")["subscription_id"]: 55})
    assert {sid: api.subscription_seats(sid) for sid in seats_before if len(api.get("/subscriptions/" + sid)["products"]) == 1} \
        == {sid: seats for sid, seats in expected.items() if len(api.get("/subscriptions/" + sid)["products"]) == 1}

    again, log = adjust(sim, run_playbook, edited)
    assert again.rc == 0 and writes(log) == []
    assert "changed=0" in again.output


def test_names_that_look_like_formulas_are_written_as_text_and_still_declare_their_customer(sim, run_playbook, tmp_path):
    """Customer names and external ids set in the Marketplace to what a spreadsheet runs as a formula: the report's CSV
    and the audit CSV write them as text (a single quote before), and the report's CSV, edited, still declares them."""
    evil = sim.seed(customers=1, subscriptions_per_customer=1, external_id_prefix="+PLUS-",
                    name_prefix='=HYPERLINK("http://evil.example/","Click me") ')["customers"][0]
    other = sim.seed(customers=1, subscriptions_per_customer=1, external_id_prefix="@SUM(1+1)-", name_prefix="-Minus ")["customers"][0]
    header, rows, paths = export(run_playbook, tmp_path / "export", {"license_report_customers": [evil["externalId"], other["externalId"]]})
    with open(paths["csv"], newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert "'" + evil["externalId"] in cells and "'" + evil["name"] in cells and "'" + other["name"] in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not re.fullmatch(r"-[\d.]+", cell))]
    row_of(rows, "'" + evil["externalId"], evil["subscriptions"][0]["mpn"])["desired_quantity"] = str(evil["subscriptions"][0]["quantity"] + 1)
    edited = save(tmp_path / "licenses.csv", header, rows)
    check, log = adjust(sim, run_playbook, edited, "--check", license_adjustment_output_dir=str(tmp_path / "audit"))
    assert check.rc == 0, check.output[-4000:]
    assert writes(log) == []
    assert "Total 1 line(s) - 1 increase" in "\n".join(plan_notes(check.output))
    with open(glob.glob(str(tmp_path / "audit" / "plan-*.csv"))[0], newline="", encoding="utf-8") as handle:
        audit = list(csv.DictReader(handle))
    assert [(row["customer"], row["customer_name"], row["delta"]) for row in audit] == [("'" + evil["externalId"], "'" + evil["name"], "1")]


def test_yaml_lines_and_csv_rows_plan_together_and_a_subscription_declared_twice_is_an_error(sim, run_playbook, tmp_path):
    header, rows, _paths = export(run_playbook, tmp_path / "export")
    row_of(rows, "ACME-001", "CFQ7TTC0LDPB:0001:P1Y")["desired_quantity"] = "27"
    edited = save(tmp_path / "licenses.csv", header, rows)
    together, log = adjust(sim, run_playbook, edited, "--check", license_adjustment_licenses=[
        {"customer": "INITECH-003", "mpn": "CFQ7TTC0LH18:0001:P1M", "used": 10, "buffer": 3}])
    assert together.rc == 0, together.output[-4000:]
    assert "Total 2 line(s) - 2 increase" in "\n".join(plan_notes(together.output))
    twice, log = adjust(sim, run_playbook, edited, "--check", license_adjustment_licenses=[
        {"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 26}])
    assert twice.rc != 0 and writes(log) == []
    assert "declares the same subscription as line 1; declare each subscription once" in twice.output


def test_a_spreadsheet_saved_with_semicolons_a_bom_and_crlf_plans_the_same(sim, run_playbook, tmp_path):
    """What a European Excel saves. Each of the three alone is read alike by the CSV reader's unit tests
    (test_declarations.py); this run proves the module reads such a file as the report wrote it."""
    dialect = dict(delimiter=";", bom=True, newline="\r\n")
    header, rows, _paths = export(run_playbook, tmp_path / "export")
    assert any("," in row["customer_name"] or " " in row["product"] for row in rows)  # quoted fields are exercised
    row_of(rows, "ACME-001", "CFQ7TTC0LDPB:0001:P1Y")["desired_quantity"] = "27"
    row_of(rows, "GLOBEX-002", "SH3AMCLOS").update(used="47", buffer="10%", round_to="5")
    plain, _log = adjust(sim, run_playbook, save(tmp_path / "plain.csv", header, rows), "--check")
    other, log = adjust(sim, run_playbook, save(tmp_path / "licenses.csv", header, rows, **dialect), "--check")
    assert plain.rc == 0 and other.rc == 0, other.output[-4000:]
    assert writes(log) == []
    assert [line.replace("plain.csv", "licenses.csv") for line in plan_notes(plain.output)] == plan_notes(other.output)


# Rows that are wrong in the file itself are checked by the CSV reader's unit tests (tests/unit/.../test_declarations.py);
# these runs prove the wiring, and the rows that only the API can tell are wrong.
BAD_ROWS = {
    "changed header": (
        lambda header, rows: [header.__setitem__(header.index("desired_quantity"), "desired seats")]
        + [row.__setitem__("desired seats", row.pop("desired_quantity")) for row in rows],
        "licenses.csv row 1: the header has changed: column desired_quantity is missing", False),
    "unknown customer": (
        lambda header, rows: rows.append(dict(row_of(rows, "ACME-001", "CFQ7TTC0LDPB:0001:P1Y"), customer_external_id="NOPE-404",
                                              customer_id="", subscription_id="", desired_quantity="3")),
        "licenses.csv row {last} (NOPE-404 CFQ7TTC0LDPB:0001:P1Y none -> 3): column A (customer_external_id): customer NOPE-404 "
        "not found", True),
    "unknown product": (
        lambda header, rows: rows.append(dict(row_of(rows, "ACME-001", "CFQ7TTC0LDPB:0001:P1Y"), mpn="NOT-A-PRODUCT",
                                              subscription_id="", desired_quantity="3")),
        "licenses.csv row {last} (ACME-001 NOT-A-PRODUCT none -> 3): column F (mpn): customer ACME-001 holds no subscription of "
        "NOT-A-PRODUCT, and NOT-A-PRODUCT is not in the catalog", True),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_rows_fail_naming_file_row_and_column_before_any_write(sim, run_playbook, tmp_path, case):
    edit, message, needs_the_api = BAD_ROWS[case]
    header, rows, _paths = export(run_playbook, tmp_path / "export")
    edit(header, rows)
    index = rows.index(row_of(rows, "ACME-001", "CFQ7TTC0LDPB:0001:P1Y"))
    path = save(tmp_path / "licenses.csv", header, rows)
    column = header.index("desired_quantity") if "desired_quantity" in header else 0
    message = message.format(row=index + 2, last=len(rows) + 1, col=chr(ord("A") + column))
    for args in (("--check",), ()):
        run, log = adjust(sim, run_playbook, path, *args)
        assert run.rc != 0
        assert message in run.output, run.output[-3000:]
        assert writes(log) == []
        if not needs_the_api:
            assert log == []  # the file itself was wrong: not a single request


def test_a_quantity_with_a_thousands_separator_is_refused_not_read_as_one_seat(sim, run_playbook, tmp_path):
    """1.000 (German) is 1000 seats to the person who typed it: never planned as 1 seat. "1,000" (US, quoted) and the
    other ways of writing it are refused by the CSV reader's unit tests (test_declarations.py) with the same message."""
    typed, in_the_file = "1.000", ",1.000,"
    header, rows, _paths = export(run_playbook, tmp_path / "export")
    row = row_of(rows, "ACME-001", "CFQ7TTC0LDPB:0001:P1Y")
    row["desired_quantity"] = typed
    path = save(tmp_path / "licenses.csv", header, rows, quoting=csv.QUOTE_MINIMAL)
    with open(path, encoding="utf-8", newline="") as handle:  # as a spreadsheet program writes it: quoted only with a comma
        assert in_the_file in handle.read()
    number = rows.index(row) + 2
    column = chr(ord("A") + header.index("desired_quantity"))
    message = ('licenses.csv row %d, column %s (desired_quantity): desired_quantity must be a whole number of seats; \\"%s\\" looks '
               'like 1000 written with a thousands separator: write 1000 (no separators)' % (number, column, typed))
    for args in (("--check",), ()):
        before = len(sim.requests())
        run = run_playbook(ADJUST, {"license_adjustment_licenses_csv": path}, args=args, verbosity=0)
        assert run.rc != 0, run.output[-3000:]
        assert "-> 1 " not in run.output and "Total " not in run.output  # no plan at all, let alone 25 -> 1
        assert sim.requests()[before:] == []  # the file itself was wrong: not a single request, so nothing written
        assert message in run.output, run.output[-3000:]  # at the default verbosity
        assert "has no attribute" not in run.output


def test_a_line_break_character_in_an_ignored_cell_keeps_every_row_planned(sim, run_playbook, tmp_path):
    """U+0085, U+2028 and \\x1c end a line for str.splitlines(), not for a CSV: the rows holding them and the rows after
    them are planned, with the row numbers a spreadsheet shows."""
    header, rows, _paths = export(run_playbook, tmp_path / "export")
    declared = row_of(rows, "ACME-001", "CFQ7TTC0LDPB:0001:P1Y")
    declared["desired_quantity"] = "27"
    row_of(rows, "GLOBEX-002", "SH3AMCLOS").update(used="47", buffer="10%", round_to="5")
    plain, _log = adjust(sim, run_playbook, save(tmp_path / "plain.csv", header, rows), "--check")
    assert plain.rc == 0, plain.output[-4000:]
    declared["customer_name"] = declared["customer_name"].replace(" ", "\x85", 1)  # in the row that declares seats
    rows[0]["product"] = "\u2028" + rows[0]["product"]
    for row in rows[1:]:
        row["customer_name"] += "\x1c"
    edited = save(tmp_path / "licenses.csv", header, rows, quoting=csv.QUOTE_MINIMAL)
    with open(edited, encoding="utf-8", newline="") as handle:
        assert "\x85" in handle.read()
    check, log = adjust(sim, run_playbook, edited, "--check")
    assert check.rc == 0, check.output[-4000:]
    assert writes(log) == []
    table = plan_notes(check.output)
    assert "Total 2 line(s) - 2 increase" in "\n".join(table)
    assert [line.replace("plain.csv", "licenses.csv") for line in plan_notes(plain.output)] == table


def test_usage_lines_with_percentage_buffers_and_packs(sim, run_playbook, tmp_path):
    lines = [{"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "used": 47, "buffer": "10%", "round_to": 5},   # 25 -> 55
             {"customer": "GLOBEX-002", "mpn": "SH3AMCLOS", "used": 38, "buffer": 2, "maximum": 39},                  # 40 -> 39
             {"customer": "INITECH-003", "mpn": "CFQ7TTC0LH18:0001:P1M", "used": 3, "minimum": 12}]                   # 12 -> 12
    check = run_playbook(ADJUST, {"license_adjustment_licenses": lines, "license_adjustment_allow_decrease": True,
                                  "license_adjustment_output_dir": str(tmp_path / "audit")}, args=("--check",), verbosity=1)
    assert check.rc == 0, check.output[-4000:]
    plan = json.loads(open(glob.glob(str(tmp_path / "audit" / "plan-*.json"))[0], encoding="utf-8").read())["plan"]
    assert [(line["current"], line["desired"], line["action"], line["derivation"]) for line in plan] == [
        (25, 55, "increase", "used 47 + 10% = 51.7 -> 55 (packs of 5)"),
        (40, 39, "decrease", "used 38 + 2 = 40 -> 39 (maximum 39)"),
        (12, 12, "none", "used 3 -> 12 (minimum 12)")]
    table = "\n".join(plan_notes(check.output))
    assert "used 47 + 10% = 51.7 -> 55 (packs of 5)" in table
    # The same guardrails as a declared quantity: the computed decrease needs license_adjustment_allow_decrease.
    guarded = run_playbook(ADJUST, {"license_adjustment_licenses": lines}, args=("--check",), verbosity=0)
    assert guarded.rc != 0 and "needs license_adjustment_allow_decrease: true" in guarded.output


def test_a_usage_line_with_a_bad_buffer_names_the_line(sim, run_playbook):
    run = run_playbook(ADJUST, {"license_adjustment_licenses": [{"subscription_id": "3000001", "used": 20, "buffer": "lots"}]},
                       verbosity=0)
    assert run.rc != 0 and sim.requests() == []
    assert 'license_adjustment_licenses line 1: buffer must be a number of seats such as 5 or a percentage such as \\"10%\\"' \
        in run.output


# ---------------------------------------------------------------------------------------------------- the HTML report

class Cells(html.parser.HTMLParser):
    """Every table row of every section: {section id: [{"attrs": {...}, "cells": [(attrs, text)]}]}."""

    def __init__(self):
        super().__init__()
        self.sections, self.section, self.row, self.cell, self.external = {}, None, None, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "link", "img", "iframe") or (tag != "a" and any(str(value).startswith("http") for value in attrs.values())):
            self.external.append((tag, attrs))
        if tag == "section":
            self.section = attrs.get("id")
            self.sections[self.section] = []
        elif tag == "tr" and self.section:
            self.row = {"attrs": attrs, "cells": []}
        elif tag == "td" and self.row is not None:
            self.cell = [attrs, ""]

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row["cells"].append((self.cell[0], self.cell[1].strip()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.row["cells"]:
                self.sections[self.section].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def months(period):
    return {"month": 1, "year": 12}[period["type"]] * int(period["duration"])


def test_the_html_report_shows_the_simulators_figures(sim, run_playbook, tmp_path):
    api = ApiClient(sim)
    # One subscription with auto-renewal off, and a deferred decrease in a licence-adjustment audit file.
    off = run_playbook(ADJUST, {"license_adjustment_licenses": [{"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y", "quantity": 20}],
                                "license_adjustment_allow_decrease": True, "license_adjustment_decrease_window_days": 0,
                                "license_adjustment_output_dir": str(tmp_path / "audit")}, verbosity=0)
    assert off.rc == 0, off.output[-3000:]
    session = api.session
    assert session.patch(api.base + "/subscriptions/3000006", json={"renewalStatus": False}, timeout=10).ok

    # Relative to where ansible-playbook runs (the repository), as users give it.
    relative_audit = os.path.relpath(tmp_path / "audit", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    _header, _rows, paths = export(run_playbook, tmp_path / "report", {"license_report_adjustment_dir": relative_audit})
    with open(paths["html"], encoding="utf-8") as handle:
        page = handle.read()
    parsed = Cells()
    parsed.feed(page)
    assert parsed.external == [] and "<script" not in page.lower() and "@import" not in page and "url(" not in page

    catalog = {product["id"]: product for product in api.rows("/products")}
    customers = {customer["id"]: customer for customer in api.rows("/customers")}
    today = datetime.datetime.now(datetime.timezone.utc).date()
    spend, product_seats, renewals, auto_off = {}, {}, {"30": set(), "60": set(), "90": set()}, set()
    for row in api.rows("/subscriptions"):
        if row["status"] not in ("active", "hold", "pending"):
            continue
        subscription = api.get("/subscriptions/" + row["id"])
        customer = customers[subscription["customerId"]]["externalId"]
        for product in subscription["products"]:
            if subscription["status"] == "active":
                price = float(catalog[product["id"]]["prices"][0]["amount"])
                spend[customer] = spend.get(customer, 0) + price * product["quantity"] / months(subscription["billingPeriod"])
                product_seats[product["mpn"]] = product_seats.get(product["mpn"], 0) + product["quantity"]
        days = (datetime.date.fromisoformat(subscription["renewalDate"]) - today).days
        for window, (low, high) in {"30": (0, 30), "60": (31, 60), "90": (61, 90)}.items():
            if low <= days <= high:
                renewals[window].add(subscription["id"])
        if not subscription["renewalStatus"]:
            auto_off.add(subscription["id"])

    shown_spend = {row["attrs"]["data-customer"]: sum(json.loads(row["cells"][3][0]["data-monthly"]).values())
                   for row in parsed.sections["spend-by-customer"]}
    assert shown_spend.keys() == spend.keys()
    assert all(math.isclose(shown_spend[key], spend[key], abs_tol=0.01) for key in spend), (shown_spend, spend)
    assert all(("{:,.2f} USD per month".format(spend[row["attrs"]["data-customer"]])) == row["cells"][3][1]
               for row in parsed.sections["spend-by-customer"])
    assert {row["attrs"]["data-mpn"]: int(row["cells"][2][1]) for row in parsed.sections["spend-by-product"]} == product_seats
    for window in ("30", "60", "90"):
        shown = {row["attrs"].get("data-subscription") for row in parsed.sections["renewals-" + window]} - {None}
        assert shown == renewals[window], window
    assert {row["attrs"]["data-subscription"] for row in parsed.sections["auto-renew-off"]} == auto_off == {"3000006"}
    deferred = parsed.sections["deferred-decreases"]
    assert [(row["attrs"]["data-subscription"], row["cells"][2][1], row["cells"][3][1]) for row in deferred] == [("3000001", "25", "20")]
    assert "width=device-width" in page and "@media print" in page


def pending_in_report(run_playbook, directory, audit_dir):
    """``[(subscription, seats now, seats wanted)]`` of the HTML report's pending decreases."""
    _header, _rows, paths = export(run_playbook, directory, {"license_report_adjustment_dir": str(audit_dir)})
    parsed = Cells()
    with open(paths["html"], encoding="utf-8") as handle:
        parsed.feed(handle.read())
    return [(row["attrs"]["data-subscription"], row["cells"][2][1], row["cells"][3][1]) for row in parsed.sections["deferred-decreases"]
            if "data-subscription" in row["attrs"]]


def test_a_deferred_decrease_stays_in_the_report_whatever_runs_come_after(sim, run_playbook, tmp_path):
    """Deferred, then a check-mode plan, then a refused run, then a run into another directory: the report still lists
    the pending decrease; a run that declares the seats it has clears it."""
    audit = tmp_path / "audit"
    acme_standard = {"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y"}
    globex = {"customer": "GLOBEX-002", "mpn": "SH3AMCLOS"}
    runs = [
        ({"license_adjustment_licenses": [dict(acme_standard, quantity=20)], "license_adjustment_allow_decrease": True,
          "license_adjustment_decrease_window_days": 0, "license_adjustment_output_dir": str(audit)}, (), 0),
        ({"license_adjustment_licenses": [dict(globex, quantity=41)], "license_adjustment_output_dir": str(audit)}, ("--check",), 0),
        ({"license_adjustment_licenses": [dict(globex, quantity=90)], "license_adjustment_max_increase": 5,
          "license_adjustment_output_dir": str(audit)}, (), 2),
        ({"license_adjustment_licenses": [dict(globex, quantity=41)], "license_adjustment_output_dir": str(tmp_path / "elsewhere")}, (), 0),
    ]
    for variables, args, code in runs:
        run = run_playbook(ADJUST, variables, args=args, verbosity=0)
        assert run.rc == code, run.output[-3000:]
    # The newest audit file is the refused run's, and the check-mode plan came after the deferral: it is still listed.
    assert pending_in_report(run_playbook, tmp_path / "report", audit) == [("3000001", "25", "20")]
    keep = run_playbook(ADJUST, {"license_adjustment_licenses": [dict(acme_standard, quantity=25)],
                                 "license_adjustment_output_dir": str(audit)}, verbosity=0)
    assert keep.rc == 0, keep.output[-3000:]
    assert pending_in_report(run_playbook, tmp_path / "report-kept", audit) == []


def test_a_missing_adjustment_directory_names_the_variable(sim, run_playbook, tmp_path):
    run = run_playbook(REPORT, {"license_report_dir": str(tmp_path / "report"),
                                "license_report_adjustment_dir": str(tmp_path / "no-such-dir")}, verbosity=0)
    assert run.rc != 0 and sim.requests() == []
    assert "license_report_adjustment_dir: %s is not a directory" % (tmp_path / "no-such-dir") in run.output


def test_a_csv_on_customer_hosts_is_refused_before_any_request(sim, run_playbook, tmp_path):
    """Every customer host would plan all of the file's rows: the CSV is planned once, on localhost."""
    header, rows, _paths = export(run_playbook, tmp_path / "export")
    row_of(rows, "ACME-001", "CFQ7TTC0LDPB:0001:P1Y")["desired_quantity"] = "27"
    edited = save(tmp_path / "licenses.csv", header, rows)
    inventory = tmp_path / "customers.marketplace.yml"
    inventory.write_text('plugin: ingrammicro.marketplace.customers\n')
    before = len(sim.requests())
    run = run_playbook(ADJUST, {"license_adjustment_licenses_csv": edited, "license_adjustment_hosts": "all:!localhost"},
                       args=("-i", str(inventory)), verbosity=0)
    assert run.rc != 0
    assert "license_adjustment_licenses_csv declares the seats of every customer and is planned in one run: run it on " \
           "localhost" in run.output
    assert writes(sim.requests()[before:]) == []
    for host in ("ACME-001", "GLOBEX-002", "INITECH-003", "UMBRELLA-004"):
        assert re.search(r"%s\s*: ok=\d+\s+changed=0\s+unreachable=0\s+failed=1" % host, run.output), run.output[-3000:]
