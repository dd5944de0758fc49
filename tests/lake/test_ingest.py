"""`flightlake ingest` against the emulator: every documented refusal and acceptance, and that a
refused file leaves nothing behind."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from flightlake.lake import catalog
from flightlake.lake.aws import list_keys
from flightlake.lake.ingest import ingest
from flightlake.lake.raw_contract import ContractViolation
from flightlake.lake.schemas import KAGGLE_HEADER as HEADER
from flightlake.lake.tables import RAW_FLIGHTS, raw_object_key
from flightlake.pipeline.steps.check_raw import check_raw_year

pytestmark = pytest.mark.integration

ROW = "{date},UA,2429,EWR,DEN,1517,1512.0,-5.0,15.0,1527.0,1712.0,10.0,1745,1722.0,-23.0,0.0,,0.0,268.0,250.0,225.0,1605.0,,,,,,"


def year_file(
    path: Path, year: int, rows: int = 20, eol: str = "\n", header: str = HEADER, date_year: int | None = None
) -> Path:
    lines = [header] + [ROW.format(date=f"{date_year or year}-01-{1 + i % 28:02d}") for i in range(rows)]
    path.write_bytes((eol.join(lines) + eol).encode())
    return path


def raw_keys(s3, settings) -> list[str]:
    """The raw zone's data files (the manifests beside them are counted apart)."""
    keys = [o["Key"] for o in list_keys(s3, RAW_FLIGHTS.bucket(settings), "")]
    return [key for key in keys if not key.startswith("_manifests/")]


@pytest.fixture
def clean_raw(s3, settings):
    """An empty raw zone before and after each test (other tests own their own years)."""
    from flightlake.lake.aws import delete_prefix

    delete_prefix(s3, RAW_FLIGHTS.bucket(settings), "")
    yield
    delete_prefix(s3, RAW_FLIGHTS.bucket(settings), "")


def only(results, status):
    assert len(results) == 1, results
    assert results[0].status == status, results[0]
    return results[0]


def test_good_file_is_uploaded_registered_and_not_uploaded_twice(tmp_path, s3, glue, settings, clean_raw):
    path = year_file(tmp_path / "2010.csv", 2010, rows=50)
    result = only(ingest(settings, [path]), "uploaded")
    assert result.rows == 50 and result.key == raw_object_key(settings, 2010)
    head = s3.head_object(Bucket=RAW_FLIGHTS.bucket(settings), Key=result.key)
    assert head["Metadata"]["data-rows"] == "50" and len(head["Metadata"]["sha256"]) == 64
    assert s3.get_object(Bucket=RAW_FLIGHTS.bucket(settings), Key=result.key)["Body"].read() == path.read_bytes()
    assert 2010 in catalog.partition_years(RAW_FLIGHTS, settings)
    etag = head["ETag"]
    again = only(ingest(settings, [path]), "unchanged")
    assert again.year == 2010
    assert s3.head_object(Bucket=RAW_FLIGHTS.bucket(settings), Key=result.key)["ETag"] == etag
    assert check_raw_year(settings, 2010).checked == "metadata"


def test_crlf_and_bom_are_accepted_with_a_note(tmp_path, settings, clean_raw):
    path = tmp_path / "2011.csv"
    year_file(path, 2011, eol="\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = only(ingest(settings, [path]), "uploaded")
    assert "CRLF line endings" in result.notes and "UTF-8 byte-order mark" in result.notes
    assert result.rows == 20


@pytest.mark.parametrize(
    ("name", "make", "problem", "fix"),
    [
        (
            "2012.csv",
            lambda p: year_file(p, 2012, header=HEADER.replace("ORIGIN,DEST", "DEST,ORIGIN")),
            "out of order",
            "28 columns",
        ),
        ("2012.csv", lambda p: year_file(p, 2012, header=HEADER + ",EXTRA"), "extra column(s) 'EXTRA'", "28 columns"),
        (
            "2012.csv",
            lambda p: year_file(p, 2012, header=HEADER.replace(",TAXI_IN", "")),
            "missing column(s) 'TAXI_IN'",
            "28",
        ),
        ("2012.csv", lambda p: year_file(p, 2012, date_year=2011), "rows are dated 2012", "rename the file"),
        ("2012.csv", lambda p: p.write_bytes(b""), "the file is empty", "download"),
        ("2012.csv", lambda p: p.write_bytes((HEADER + "\n").encode()), "no data rows", "download"),
        ("flights.csv", lambda p: year_file(p, 2012), "no year", "YYYY.csv"),
    ],
)
def test_contract_breaches_are_refused_naming_file_problem_and_fix(
    tmp_path, s3, settings, clean_raw, name, make, problem, fix
):
    path = tmp_path / name
    make(path)
    result = only(ingest(settings, [path]), "refused")
    assert result.error.startswith(name) and problem in result.error and "Fix:" in result.error and fix in result.error
    assert raw_keys(s3, settings) == []


def test_non_utf8_row_is_accepted_and_reported_with_its_line(tmp_path, settings, clean_raw):
    path = year_file(tmp_path / "2013.csv", 2013, rows=10)
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b"EWR", b"E\xffR")  # line 5 of the file
    path.write_bytes(b"\n".join(lines))
    result = only(ingest(settings, [path]), "uploaded")
    assert any("1 rows not UTF-8 (lines 5" in note for note in result.notes)


def test_zip_with_two_csvs_uploads_both_and_a_bad_member_refuses_the_zip(tmp_path, s3, settings, clean_raw):
    good = tmp_path / "archive.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.write(year_file(tmp_path / "2014.csv", 2014), "2014.csv")
        archive.write(year_file(tmp_path / "2015.csv", 2015), "2015.csv")
    results = ingest(settings, [good])
    assert [(r.year, r.status) for r in results] == [(2014, "uploaded"), (2015, "uploaded")]
    assert sorted(raw_keys(s3, settings)) == [raw_object_key(settings, 2014), raw_object_key(settings, 2015)]

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.write(year_file(tmp_path / "2016.csv", 2016), "2016.csv")
        archive.writestr("2017.csv", "not,a,header\n1,2,3\n")
    results = ingest(settings, [bad])
    assert {r.status for r in results} == {"refused"}
    assert any("2017.csv" in r.error and "header" in r.error for r in results)
    assert any("2016.csv" in r.error and "same zip was refused" in r.error for r in results)
    assert raw_object_key(settings, 2016) not in raw_keys(s3, settings)


def test_two_files_for_one_year_are_refused_after_the_first(tmp_path, settings, clean_raw):
    first = year_file(tmp_path / "2013.csv", 2013)
    second = year_file(tmp_path / "copy_2013.csv", 2013, rows=5)
    results = ingest(settings, [first, second])
    assert [r.status for r in results] == ["uploaded", "refused"]
    assert "one file per year" in results[1].error


def test_check_raw_refuses_a_file_copied_in_by_hand(s3, settings, clean_raw):
    key = raw_object_key(settings, 2009)
    s3.put_object(Bucket=RAW_FLIGHTS.bucket(settings), Key=key, Body=b"garbage,header\n1,2\n")
    with pytest.raises(ContractViolation) as raised:
        check_raw_year(settings, 2009)
    assert f"s3://{RAW_FLIGHTS.bucket(settings)}/{key}" in str(raised.value) and "header" in str(raised.value)
    with pytest.raises(ContractViolation, match="no raw file for 2008"):
        check_raw_year(settings, 2008)


def test_files_of_other_years_are_skipped_unread_when_years_are_given(tmp_path, s3, settings, clean_raw):
    """`flightlake run --data archive.zip --years 2014` brings in 2014 only: a bad 2015 member is
    not read, so it cannot refuse the zip for 2014."""
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(year_file(tmp_path / "2014.csv", 2014), "2014.csv")
        bundle.writestr("2015.csv", "not,a,header\n1,2,3\n")
    results = ingest(settings, [archive], years=[2014])
    assert [(r.name, r.status) for r in results] == [
        ("archive.zip:2015.csv", "skipped"),
        ("archive.zip:2014.csv", "uploaded"),
    ]
    assert "a 2015 file; the years asked for are 2014" in results[0].notes[0]
    assert raw_keys(s3, settings) == [raw_object_key(settings, 2014)]
