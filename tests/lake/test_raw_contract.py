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
