"""Seat declarations: seats from usage (pure), and licence CSVs in the dialects spreadsheet programs write."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ingrammicro.marketplace.plugins.module_utils._declarations import (
    column_letter, desired_from_usage, read_csv,
)
from ansible_collections.ingrammicro.marketplace.plugins.module_utils._errors import IMConfigError

HEADER = ["customer_external_id", "customer_id", "customer_name", "subscription_id", "status", "mpn", "product", "seats",
          "desired_quantity", "used", "buffer"]


def test_usage_with_a_percentage_rounded_up_to_packs():
    assert desired_from_usage(47, "10%", round_to=5) == (55, "used 47 + 10% = 51.7 -> 55 (packs of 5)")


def test_usage_with_seats_minimum_and_maximum():
    assert desired_from_usage(8, "2") == (10, "used 8 + 2 = 10")
    assert desired_from_usage(3, 1, minimum=10) == (10, "used 3 + 1 = 4 -> 10 (minimum 10)")
    assert desired_from_usage(300, "10%", maximum=300) == (300, "used 300 + 10% = 330 -> 300 (maximum 300)")
    assert desired_from_usage(0) == (1, "used 0 -> 1 (at least 1 seat)")


@pytest.mark.parametrize("arguments, message", [
    (dict(used="many"), "used must be a whole number"),
    (dict(used=5, buffer="lots"), "buffer must be a number of seats such as 5 or a percentage such as \"10%\""),
    (dict(used=5, round_to=0), "round_to must be 1 or more"),
    (dict(used=5, minimum=10, maximum=5), "minimum 10 is above maximum 5"),
])
def test_usage_problems_name_the_field(arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        desired_from_usage(**arguments)


@given(used=st.integers(0, 10000), percent=st.integers(0, 200), pack=st.integers(1, 50))
def test_usage_never_gives_fewer_seats_than_used_plus_buffer_nor_more_than_one_pack_above(used, percent, pack):
    desired, _text = desired_from_usage(used, "%d%%" % percent, round_to=pack)
    wanted = used * (100 + percent) / 100
    assert desired >= wanted and desired % pack == 0 and desired - wanted < pack + 1e-9 or desired == 1


def test_column_letters():
    assert [column_letter(index) for index in (0, 8, 25, 26, 27, 701, 702)] == ["A", "I", "Z", "AA", "AB", "ZZ", "AAA"]


def write(tmp_path, rows, separator=",", bom=False, newline="\n", name="licenses.csv"):
    def cell(value):
        text = str(value)
        return '"%s"' % text.replace('"', '""') if separator in text or '"' in text or " " in text else text

    content = newline.join(separator.join(cell(value) for value in row) for row in rows) + newline
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + content.encode("utf-8"))
    return str(path)


ROWS = [HEADER,
        ["ACME-001", "1000001", "Acme Manufacturing Inc.", "3000001", "active", "CFQ7TTC0LDPB:0001:P1Y", "Microsoft 365", "25", "30", "", ""],
        ["ACME-001", "1000001", "Acme Manufacturing Inc.", "3000002", "active", "CFQ7TTC0LH16:0001:P1Y", "Exchange", "10", "", "", ""],
        ["GLOBEX-002", "1000002", "Globex, Inc.", "3000006", "active", "SH3AMCLOS", "Acronis", "40", "", "47", "10%"]]


@pytest.mark.parametrize("dialect", [dict(), dict(separator=";"), dict(bom=True), dict(newline="\r\n"),
                                     dict(separator=";", bom=True, newline="\r\n")])
def test_csv_dialects_read_alike(tmp_path, dialect):
    lines = read_csv(write(tmp_path, ROWS, **dialect))
    assert [(line["subscription_id"], line["quantity"], line["derivation"], line["source"]) for line in lines] == [
        ("3000001", 30, None, "licenses.csv row 2"),
        ("3000006", 52, "used 47 + 10% = 51.7 -> 52", "licenses.csv row 4")]  # row 3 keeps its seats
    assert lines[0]["customer"] == "ACME-001" and lines[1]["columns"]["used"] == "J (used)"


@pytest.mark.parametrize("edit, message", [
    (lambda rows: rows[1].__setitem__(8, "ten"),
     "licenses.csv row 2, column I (desired_quantity): desired_quantity must be a whole number, got 'ten'"),
    (lambda rows: rows[1].__setitem__(8, "0"), "licenses.csv row 2, column I (desired_quantity): desired_quantity must be 1 or more"),
    (lambda rows: rows[0].__setitem__(8, "desired qty"), "licenses.csv row 1: the header has changed: column desired_quantity is missing"),
    (lambda rows: rows.append(list(rows[1])), "licenses.csv row 5: declares the same subscription as row 2"),
    (lambda rows: rows[3].__setitem__(10, "lots"), "licenses.csv row 4, column K (buffer): buffer must be a number of seats"),
    (lambda rows: rows[1].__setitem__(9, "20"), "licenses.csv row 2, columns I (desired_quantity) and J (used): give desired_quantity or used"),
])
def test_csv_problems_name_file_row_and_column(tmp_path, edit, message):
    rows = [list(row) for row in ROWS]
    edit(rows)
    with pytest.raises(IMConfigError) as error:
        read_csv(write(tmp_path, rows))
    assert message in str(error.value)


def test_csv_that_is_not_utf8_says_how_to_save_it(tmp_path):
    path = tmp_path / "licenses.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\nACME-001,1000001,Caf\xe9,3000001,active,X,Y,1,2,,\n")
    with pytest.raises(IMConfigError, match="licenses.csv is not UTF-8 text .*save it as CSV UTF-8"):
        read_csv(str(path))
