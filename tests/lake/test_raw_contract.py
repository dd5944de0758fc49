"""The raw contract on byte streams: counts must not depend on where chunks happen to split."""

from __future__ import annotations

import pytest

from flightlake.lake.raw_contract import ContractViolation, check_stream, year_from_name
from flightlake.lake.schemas import KAGGLE_HEADER as HEADER

ROW = "{d},UA,2429,EWR,DEN,1517,1512.0,-5.0,15.0,1527.0,1712.0,10.0,1745,1722.0,-23.0,0.0,,0.0,268.0,250.0,225.0,1605.0,,,,,,"


def year_file(rows: int = 40, year: int = 2015) -> bytes:
    return ("\n".join([HEADER] + [ROW.format(d=f"{year}-02-{1 + i % 28:02d}") for i in range(rows)]) + "\n").encode()


def test_every_chunk_split_gives_the_same_counts():
    data = year_file()
    start = data.index(b"\n2015-", 400)
    for cut in range(start - 4, start + 8):
        report = check_stream(iter([data[:cut], data[cut:]]), "2015.csv")
        assert (report.data_rows, report.other_year_rows) == (40, 0), cut


def test_a_character_split_between_chunks_is_not_a_bad_byte():
    data = year_file().replace(b"EWR", "ÉWR".encode(), 1)
    cut = data.index("É".encode()) + 1  # between the two bytes of É
    report = check_stream(iter([data[:cut], data[cut:]]), "2015.csv")
    assert report.non_utf8_rows == 0 and report.sha256 and report.size == len(data)


def test_rows_of_another_year_are_counted_and_a_majority_refuses_the_file():
    mixed = year_file(30) + year_file(5, 2014).split(b"\n", 1)[1]
    report = check_stream(iter([mixed]), "2015.csv")
    assert (report.data_rows, report.other_year_rows) == (35, 5)
    with pytest.raises(ContractViolation, match="only 5 of its 35 rows are dated 2014"):
        check_stream(iter([mixed]), "flights_2014.csv")


@pytest.mark.parametrize(("name", "year"), [("2013.csv", 2013), ("/data/flights_2009.csv", 2009), ("x/2018", 2018)])
def test_year_from_name(name, year):
    assert year_from_name(name) == year


@pytest.mark.parametrize("name", ["flights.csv", "2012_2013.csv", "201.csv"])
def test_names_without_exactly_one_year_are_refused(name):
    with pytest.raises(ContractViolation, match=r"YYYY\.csv"):
        year_from_name(name)


def messy_file() -> bytes:
    """Rows of the year, and everything the row count must see through: blank lines, repeated
    headers (with and without a BOM), CRLF, a row of another year, bytes that are not UTF-8, a
    line longer than the cap, and no newline at the end."""
    rows = year_file(30).decode().split("\n")[1:-1]
    other = year_file(1, 2014).decode().split("\n")[1]
    lines = [HEADER, *rows[:10], "", "   ", HEADER, "\ufeff" + HEADER, *rows[10:20], other, "\r", rows[20] + "\r"]
    body = "\n".join(lines).encode() + b"\n" + rows[21].replace("EWR", "E\udcffR").encode("utf-8", "surrogateescape")
    return body + b"\n2015-01-01," + b"x" * 70_000 + b"\n" + "\n".join(rows[22:]).encode()


@pytest.mark.parametrize("size", [1, 7, 100, 4096, 70_001, 1 << 20])
def test_counts_do_not_depend_on_chunk_size_and_skip_blank_and_header_lines(size):
    data = messy_file()
    report = check_stream((data[i : i + size] for i in range(0, len(data), size)), "2015.csv")
    # 30 rows + 1 of 2014 + the long line; 2 blank, 1 spaces-only, 1 "\r", 2 headers are not rows
    assert (report.data_rows, report.other_year_rows, report.skipped_lines) == (32, 1, 5)
    assert report.non_utf8_rows == 1 and report.non_utf8_lines == [29]


def test_a_long_line_is_quoted_short_and_a_file_without_a_valid_row_is_refused():
    data = (HEADER + "\n2015-01-01,").encode() + b"x" * 3_000_000
    with pytest.raises(ContractViolation) as raised:
        check_stream(iter([data[:1000], data[1000:]]), "2015.csv")
    message = str(raised.value)
    assert "none of its 1 rows is a flight row of 2015" in message and "(3,000,011 bytes in all)" in message
    assert len(message) < 600
