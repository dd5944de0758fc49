"""The row cases of the corpus (`corpus.ROW_CASES`), all in one year file between good rows:
ingest accepts the file and counts its rows as raw_to_stage will; raw_to_stage (in-process, the
shared Spark session) stages every good row and rejects each bad one with its reason, found by
its line number; blank and header lines are neither. Nothing is lost: rows in = staged + rejects.
"""

from __future__ import annotations

from collections import Counter

import pytest

from flightlake.lake.arrow_io import read_year
from flightlake.lake.ingest import ingest
from flightlake.lake.manifests import read_manifest
from flightlake.lake.tables import STAGE_FLIGHTS, STAGE_REJECTS
from tests.pipeline.test_spark_steps import run_job
from tests.reliability.corpus import ROW_YEAR, SKIPPED, STAGED, row_file

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def staged(settings, spark, tmp_path_factory):
    data, expected = row_file()
    path = tmp_path_factory.mktemp("rows") / f"{ROW_YEAR}.csv"
    path.write_bytes(data)
    [result] = ingest(settings, [path])
    run_job("raw_to_stage", ROW_YEAR)
    rows = read_year(settings, STAGE_FLIGHTS, ROW_YEAR)
    rejects = read_year(settings, STAGE_REJECTS, ROW_YEAR)
    return result, expected, rows, rejects, read_manifest(settings, STAGE_FLIGHTS, ROW_YEAR)


def test_each_bad_row_is_rejected_with_its_reason_at_its_line(staged):
    _, expected, _, rejects, _ = staged
    reasons = dict(zip(rejects["line_number"], rejects["reason"], strict=True))
    wrong = []
    for line in expected:
        got = reasons.get(line.line)
        if line.outcome in (STAGED, SKIPPED):
            if got is not None:
                wrong.append((line.line, line.case, line.outcome, got))
        elif got is None or line.outcome not in got:
            wrong.append((line.line, line.case, line.outcome, got))
    assert wrong == []
    assert len(reasons) == len(rejects)  # one reject per line


def test_no_good_row_is_lost(staged):
    _, expected, rows, rejects, manifest = staged
    assert Counter(rows["op_carrier_fl_num"]) == Counter(line.number for line in expected if line.outcome == STAGED)
    data_lines = [line for line in expected if line.outcome != SKIPPED]
    assert manifest["rows_in"] == len(data_lines) == manifest["rows_out"] + manifest["rejects"]
    assert manifest["rejects"] == len(rejects) == sum(line.outcome != STAGED for line in data_lines)


def test_ingest_counts_rows_the_way_raw_to_stage_does(staged):
    result, expected, _, _, _ = staged
    data_lines = [line for line in expected if line.outcome != SKIPPED]
    assert result.status in ("uploaded", "unchanged") and result.rows == len(data_lines)
    other_year = sum(not line.data.startswith(f"{ROW_YEAR}-".encode()) for line in data_lines)
    skipped = len(expected) - len(data_lines)
    notes = "; ".join(result.notes)
    assert f"{other_year} rows not dated {ROW_YEAR}" in notes and f"{skipped} blank or repeated header" in notes
    not_utf8 = [line.line for line in expected if b"\xff" in line.data]
    assert f"{len(not_utf8)} rows not UTF-8 (lines {', '.join(map(str, not_utf8))}" in notes


def test_a_file_with_more_flagged_lines_than_are_read_again_by_row_id_gives_the_same_rejects(
    staged, settings, monkeypatch
):
    """Beyond REREAD_LIMIT flagged lines the fast path picks them out again: same lines, same reasons."""
    from flightlake.spark.transforms import line_verdicts

    _, _, _, rejects, _ = staged
    monkeypatch.setattr(line_verdicts, "REREAD_LIMIT", 1)
    run_job("raw_to_stage", ROW_YEAR)
    again = read_year(settings, STAGE_REJECTS, ROW_YEAR)
    expected = sorted(zip(rejects["line_number"], rejects["reason"], strict=True))
    assert len(expected) > 1 and sorted(zip(again["line_number"], again["reason"], strict=True)) == expected
