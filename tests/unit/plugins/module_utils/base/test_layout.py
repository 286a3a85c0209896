"""Tables and CSV files as the roles write them: no CSV cell a spreadsheet program would run as a formula, and the
licence CSV reader reads the collection's own escaped cells back as their values."""

import csv
import io

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._layout import csv_cell, csv_text, csv_value
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._declarations import read_csv

FORMULAS = ['=HYPERLINK("http://evil.example/","Click me")', "@SUM(1+1) Holdings", "+PLUS-204", "-2+3", "\tTAB", "\rCR"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text_and_read_back_as_it_was(text):
    assert csv_cell(text) == "'" + text
    assert csv_value(csv_cell(text)) == text


@pytest.mark.parametrize("value, cell", [(-3, "-3"), ("-3", "-3"), ("+5", "+5"), ("-12.50", "-12.50"), (None, ""), (True, "true"),
                                         ("Acme = good", "Acme = good"), ("'quoted'", "'quoted'")])
def test_numbers_and_ordinary_text_stay_as_they_are(value, cell):
    assert csv_cell(value) == cell
    assert csv_value(cell) == cell


def test_no_cell_of_a_written_file_starts_a_formula():
    text = csv_text(["customer_external_id", "customer_name", "delta"], [[name, name, -2] for name in FORMULAS])
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r")) or (cell.startswith("-") and cell != "-2")]


def test_a_report_csv_with_escaped_cells_round_trips_as_a_declaration(tmp_path):
    rows = [["+PLUS-204", "CFQ7TTC0LDPB:0001:P1Y", '=HYPERLINK("http://evil.example/","Click me")', 30],
            ["@SUM(1+1)-7", "SH3AMCLOS", "-Minus Ltd", 12]]
    path = tmp_path / "licenses.csv"
    path.write_text(csv_text(["customer_external_id", "mpn", "customer_name", "desired_quantity"], rows), encoding="utf-8")
    lines = read_csv(str(path))
    assert [(line["customer"], line["mpn"], line["quantity"]) for line in lines] == [
        ("+PLUS-204", "CFQ7TTC0LDPB:0001:P1Y", 30), ("@SUM(1+1)-7", "SH3AMCLOS", 12)]


def test_an_escaped_formula_in_a_seat_count_is_still_refused(tmp_path):
    path = tmp_path / "licenses.csv"
    path.write_text(csv_text(["customer_external_id", "mpn", "desired_quantity"], [["ACME-001", "SH3AMCLOS", "=1+1"]]), encoding="utf-8")
    with pytest.raises(IMConfigError, match=r"licenses.csv row 2, column C \(desired_quantity\): desired_quantity must be a whole number"):
        read_csv(str(path))
