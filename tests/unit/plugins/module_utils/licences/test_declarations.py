"""Seat declarations: seats from usage (pure), and licence CSVs in the dialects spreadsheet programs write."""

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.licences._declarations import (
    column_letter, desired_from_usage, read_csv,
)

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
     "licenses.csv row 2, column I (desired_quantity): desired_quantity must be a whole number, 1 or more, got \"ten\""),
    (lambda rows: rows[1].__setitem__(8, "0"), "licenses.csv row 2, column I (desired_quantity): desired_quantity must be 1 or more"),
    (lambda rows: rows[0].__setitem__(8, "desired qty"), "licenses.csv row 1: the header has changed: column desired_quantity is missing"),
    (lambda rows: rows.append(list(rows[1])), "licenses.csv row 5: declares the same subscription as row 2"),
    (lambda rows: rows[3].__setitem__(10, "lots"), "licenses.csv row 4, column K (buffer): buffer must be a number of seats"),
    (lambda rows: rows[1].__setitem__(9, "20"), "licenses.csv row 2, columns I (desired_quantity) and J (used): give desired_quantity or used"),
    (lambda rows: rows[1].__setitem__(8, "1.000"), 'licenses.csv row 2, column I (desired_quantity): desired_quantity must be a whole '
                                                   'number of seats; "1.000" looks like 1000 written with a thousands separator: write 1000'),
    (lambda rows: rows[1].__setitem__(8, "1,000"), 'licenses.csv row 2, column I (desired_quantity): desired_quantity must be a whole '
                                                   'number of seats; "1,000" looks like 1000 written with a thousands separator: write 1000'),
    (lambda rows: rows[1].__setitem__(8, "12,5"), 'licenses.csv row 2, column I (desired_quantity): desired_quantity must be a whole '
                                                  'number of seats, got "12,5"'),
    (lambda rows: rows[1].__setitem__(8, "=1+1"), 'licenses.csv row 2, column I (desired_quantity): desired_quantity must be a whole '
                                                  'number, 1 or more, got "=1+1"'),
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


# ------------------------------------------------------------------------------ numbers as people type them in a sheet

def quantity_problem(tmp_path, typed, row=1, column=8):
    """The message read_csv gives when ``typed`` is in ``column`` of data row ``row`` (``row`` 1 is row 2 of the sheet)."""
    rows = [list(row) for row in ROWS]
    rows[row][column] = typed
    with pytest.raises(IMConfigError) as error:
        read_csv(write(tmp_path, rows))
    return str(error.value)


@pytest.mark.parametrize("typed, seats", [
    ("30", 30), ("+30", 30), (" 30 ", 30), ("030", 30), ("30.0", 30), ("30,0", 30), ("30.00", 30), ("30,00", 30),
    ("30.0000", 30), ("1000", 1000),
])
def test_csv_quantities_typed_as_whole_numbers_are_read(tmp_path, typed, seats):
    rows = [list(row) for row in ROWS]
    rows[1][8] = typed
    assert read_csv(write(tmp_path, rows))[0]["quantity"] == seats


@pytest.mark.parametrize("typed, shown, number", [
    ("1.000", "1.000", 1000),                 # German
    ("1,000", "1,000", 1000),                 # US, quoted in the CSV
    ("1 000", "1 000", 1000),                 # French with a plain space
    ("1\u00a0000", "1\\xa0000", 1000),        # no-break space
    ("1\u202f000", "1\\u202f000", 1000),      # narrow no-break space
    ("1\u2009000", "1\\u2009000", 1000),      # thin space
    ("1'000", "1'000", 1000),                 # Swiss
    ("1\u2019000", "1\u2019000", 1000),       # Swiss, as Windows writes it
    ("1.500", "1.500", 1500),
    ("1.000.000", "1.000.000", 1000000),
    ("1,000,000", "1,000,000", 1000000),
    ("1.000,00", "1.000,00", 1000),           # German, with decimals
    ("1,000.00", "1,000.00", 1000),           # US, with decimals
    ("12.000", "12.000", 12000),
    ("12,000", "12,000", 12000),
], ids=["de", "us", "space", "nbsp", "narrow-nbsp", "thin-space", "ch", "ch-typographic", "1.500", "de-million", "us-million",
        "de-decimals", "us-decimals", "12.000", "12,000"])
def test_csv_quantities_with_thousands_separators_are_refused_never_read_as_a_small_number(tmp_path, typed, shown, number):
    message = quantity_problem(tmp_path, typed)
    assert ('licenses.csv row 2, column I (desired_quantity): desired_quantity must be a whole number of seats; "%s" looks like %d '
            'written with a thousands separator: write %d (no separators)' % (shown, number, number)) in message


@pytest.mark.parametrize("typed, lead", [("12.000", 12), ("12,000", 12), ("1.000", 1)])
def test_three_zero_decimals_are_refused_naming_both_readings(tmp_path, typed, lead):
    message = quantity_problem(tmp_path, typed)
    assert "write %d000 (no separators), or %d if the %s are decimals" % (lead, lead, typed[-4:]) in message


@pytest.mark.parametrize("typed", ["12.5", "12,5", "0.5", "12.50", "12,05", "1.000,5", "1,000.25"])
def test_csv_quantities_with_a_fraction_are_refused(tmp_path, typed):
    assert 'licenses.csv row 2, column I (desired_quantity): desired_quantity must be a whole number of seats, got "%s"' % typed \
        in quantity_problem(tmp_path, typed)


@pytest.mark.parametrize("typed", ["12345.000", "0.000", "1,000.000"])
def test_csv_quantities_that_are_not_grouped_as_thousands_but_end_in_three_digits_are_refused(tmp_path, typed):
    assert ('licenses.csv row 2, column I (desired_quantity): desired_quantity must be a whole number of seats; "%s" could hold '
            'decimals or thousands separators: write the seats as digits only (no separators, no decimals)' % typed) \
        in quantity_problem(tmp_path, typed)


@pytest.mark.parametrize("field", ["used", "buffer", "minimum", "maximum", "round_to"])
@pytest.mark.parametrize("typed, message", [
    ("1.000", '%s must be a whole number of seats; "1.000" looks like 1000 written with a thousands separator: write 1000 '
              '(no separators), or 1 if the .000 are decimals'),
    ("1\u00a0000", '%s must be a whole number of seats; "1\\xa0000" looks like 1000 written with a thousands separator: '
                   'write 1000 (no separators)'),
    ("2,5", '%s must be a whole number of seats, got "2,5"'),
], ids=["thousands", "nbsp", "fraction"])
def test_every_whole_number_field_refuses_thousands_separators_and_fractions(field, typed, message):
    arguments = dict(used=5, **{field: typed}) if field != "used" else dict(used=typed)
    with pytest.raises(ValueError) as error:
        desired_from_usage(**arguments)
    assert str(error.value) == message % field


def test_every_whole_number_field_takes_zero_decimals():
    assert desired_from_usage("47.0", "2,00", minimum="10.00", maximum="100,0", round_to="5.0") == (50, "used 47 + 2 = 49 -> 50 (packs of 5)")


@pytest.mark.parametrize("row, column, typed, message", [
    (3, 9, "1.000", 'licenses.csv row 4, column J (used): used must be a whole number of seats; "1.000" looks like 1000'),
    (3, 10, "1,000", 'licenses.csv row 4, column K (buffer): buffer must be a whole number of seats; "1,000" looks like 1000'),
    (3, 10, "2.5", 'licenses.csv row 4, column K (buffer): buffer must be a whole number of seats, got "2.5"'),
])
def test_csv_usage_columns_with_separators_name_their_column(tmp_path, row, column, typed, message):
    assert message in quantity_problem(tmp_path, typed, row, column)


# ------------------------------------------------------------------- characters str.splitlines() would take for a line end

LINE_BREAKERS = {"NEL": "\x85", "LS": "\u2028", "PS": "\u2029", "FS": "\x1c", "GS": "\x1d", "RS": "\x1e", "VT": "\x0b", "FF": "\x0c"}


@pytest.mark.parametrize("name", sorted(LINE_BREAKERS))
@pytest.mark.parametrize("cell", ["Acme{}Manufacturing", "Acme Manufacturing,{} Inc."], ids=["plain-cell", "quoted-cell"])
def test_a_line_break_character_in_a_cell_keeps_every_row_and_its_number(tmp_path, name, cell):
    rows = [list(row) for row in ROWS]
    rows[1][2] = cell.format(LINE_BREAKERS[name])          # customer_name, ignored, of a row that declares seats
    rows[2][6] = "Exchange{}Online".format(LINE_BREAKERS[name])
    path = write(tmp_path, rows)
    with open(path, encoding="utf-8", newline="") as handle:
        assert (",\"Acme Manufacturing,%s Inc.\"," % LINE_BREAKERS[name] in handle.read()) == (cell != "Acme{}Manufacturing")
    assert [(line["subscription_id"], line["quantity"], line["source"]) for line in read_csv(path)] == [
        ("3000001", 30, "licenses.csv row 2"), ("3000006", 52, "licenses.csv row 4")]
    rows[3][10] = "lots"
    with pytest.raises(IMConfigError) as error:
        read_csv(write(tmp_path, rows))
    assert str(error.value).startswith("licenses.csv row 4, column K (buffer): buffer must be a number of seats")


@pytest.mark.parametrize("name", sorted(LINE_BREAKERS))
def test_the_separator_fallback_reads_the_whole_header_line(tmp_path, monkeypatch, name):
    """When the separator cannot be sniffed it is counted on the header line, which only CR or LF ends."""
    def unsure(*_args, **_kwargs):
        raise csv.Error("Could not determine delimiter")

    monkeypatch.setattr(csv.Sniffer, "sniff", unsure)
    path = write(tmp_path, ROWS, separator=";")
    with open(path, "r+b") as handle:  # a line-break character before the header's first separator
        content = handle.read()
        handle.seek(0)
        handle.write(LINE_BREAKERS[name].encode() + content)
    assert [line["source"] for line in read_csv(path)] == ["licenses.csv row 2", "licenses.csv row 4"]
