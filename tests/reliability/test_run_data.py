"""`flightlake run` never replaces what was ingested unless told to (`run_data.prepare_data`, the
data step of every run, against the session's stack; the year is one no other test uses).

Tried first as a user would: generate with seed 9, ingest it, `flightlake run --years Y`. The run
used to re-ingest its own default data over the file and report the wrong rows as a success.
"""

from __future__ import annotations

import hashlib

import pytest

from flightlake.datagen import generate
from flightlake.lake.aws import client
from flightlake.lake.ingest import ingest
from flightlake.lake.tables import RAW_FLIGHTS, raw_object_key
from flightlake.local.harness.run_data import DEFAULT_ROWS_PER_YEAR, DEFAULT_SEED, DataChoice, prepare_data, raw_head

pytestmark = pytest.mark.integration
YEAR = 2018


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def empty_year(settings):
    """No raw file for YEAR in the lake, whatever ran before."""
    client("s3", settings).delete_object(Bucket=RAW_FLIGHTS.bucket(settings), Key=raw_object_key(settings, YEAR))
    return YEAR


def test_a_year_with_no_raw_file_gets_the_default_data_and_says_so(settings, empty_year):
    lines: list[str] = []
    prepared = prepare_data(settings, (YEAR,), DataChoice(), lines.append)
    lake_sha = raw_head(settings, YEAR)["Metadata"]["sha256"]
    assert prepared.refused == {}
    assert prepared.sources == {
        YEAR: f"generated, {DEFAULT_ROWS_PER_YEAR:,} rows, seed {DEFAULT_SEED}: {YEAR}.csv (sha256 {lake_sha})"
    }
    assert any(f"generating 1 years x {DEFAULT_ROWS_PER_YEAR:,} rows (seed {DEFAULT_SEED})" in line for line in lines)


def test_an_ingested_file_is_what_the_run_uses_and_only_generate_replaces_it(settings, empty_year, tmp_path):
    generate([YEAR], rows_per_year=3_000, seed=9, out_dir=tmp_path)
    mine = tmp_path / f"{YEAR}.csv"
    [result] = ingest(settings, [mine])
    assert result.status == "uploaded"
    before = raw_head(settings, YEAR)

    lines: list[str] = []
    prepared = prepare_data(settings, (YEAR,), DataChoice(), lines.append)
    assert prepared.sources == {YEAR: f"{YEAR}.csv (sha256 {sha256(mine)}), already in the lake"}
    assert raw_head(settings, YEAR)["ETag"] == before["ETag"]  # not uploaded again, not replaced
    assert lines == [
        f"data       {YEAR}: the lake's raw file, {YEAR}.csv (sha256 {sha256(mine)}) (--generate or --data replaces it)"
    ]

    lines.clear()
    prepared = prepare_data(settings, (YEAR,), DataChoice(rows_per_year=2_000, seed=4), lines.append)
    now = raw_head(settings, YEAR)["Metadata"]
    assert now["sha256"] != sha256(mine) and now["data-rows"] == "2000"
    assert prepared.sources == {YEAR: f"generated, 2,000 rows, seed 4: {YEAR}.csv (sha256 {now['sha256']})"}
    assert lines[-1] == f"data       {YEAR}: replaced the lake's earlier raw file, {YEAR}.csv (sha256 {sha256(mine)})"


def test_data_given_with_data_names_its_folder(settings, empty_year, tmp_path):
    generate([YEAR], rows_per_year=1_000, seed=5, out_dir=tmp_path)
    prepared = prepare_data(settings, (YEAR,), DataChoice(data_dir=tmp_path), lambda line: None)
    expected = f"{YEAR}.csv (sha256 {sha256(tmp_path / f'{YEAR}.csv')}) from {tmp_path}"
    assert prepared.sources == {YEAR: expected}
