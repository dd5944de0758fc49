"""The file cases of the corpus (`corpus.FILE_CASES`) through `flightlake ingest` on the embedded
stack, and the accepted ones on through raw_to_stage (in-process, the shared Spark session).

A refused file: the message starts with the file's name, says what is wrong and, after "Fix:",
what to do, in under 1,000 characters whatever the file holds, and nothing is uploaded. A skipped
folder entry or zip member is reported with its reason. An accepted file loses no good row: each
is staged exactly once and rows in = staged + rejects. The accepted cases share the year
`FILE_YEAR`, each replacing the last; cases that upload the same bytes (the same rows from a
.csv.gz, a zip, a folder) go through Spark once, the others compare their upload with it.
"""

from __future__ import annotations

import pytest

from flightlake.lake.arrow_io import read_year
from flightlake.lake.aws import object_exists
from flightlake.lake.ingest import ingest
from flightlake.lake.manifests import read_manifest
from flightlake.lake.tables import RAW_FLIGHTS, STAGE_FLIGHTS, STAGE_REJECTS, raw_object_key
from tests.pipeline.test_spark_steps import run_job
from tests.reliability.corpus import FILE_CASES, FILE_YEAR, FileCase

pytestmark = pytest.mark.integration
NOT_ACCEPTED = [case for case in FILE_CASES if case.outcome != "accepted"]
ACCEPTED = [case for case in FILE_CASES if case.outcome == "accepted"]
MAX_MESSAGE = 1_000
_STAGED: dict[str, int] = {}  # sha256 of uploaded bytes already through raw_to_stage -> good rows staged


def kind(case: FileCase) -> str:
    return case.kind


def the_result(results, case: FileCase):
    """The result the case is about: by the end of its name, or the only one not skipped."""
    if case.result:
        found = [r for r in results if r.name.endswith(case.result)]
    else:
        found = [r for r in results if r.status != "skipped"]
    assert len(found) == 1, results
    return found[0]


def raw_etag(s3, settings) -> str | None:
    head = object_exists(s3, RAW_FLIGHTS.bucket(settings), raw_object_key(settings, FILE_YEAR))
    return head["ETag"] if head else None


def test_the_corpus_holds_at_least_forty_kinds_of_bad_input():
    from tests.reliability.corpus import ROW_CASES, STAGED

    bad_files = [case for case in FILE_CASES if case.kind != "a clean file"]
    bad_rows = [case for case in ROW_CASES if case.outcome != STAGED]
    assert len({case.kind for case in FILE_CASES}) == len(FILE_CASES)  # each kind once
    assert len(bad_files) + len(bad_rows) >= 40


@pytest.mark.parametrize("case", NOT_ACCEPTED, ids=kind)
def test_bad_file_is_refused_naming_file_problem_and_fix_or_skipped_with_its_reason(case, tmp_path, s3, settings):
    before = raw_etag(s3, settings)
    result = the_result(ingest(settings, [case.make(tmp_path)]), case)
    assert result.status == case.outcome, result
    if case.outcome == "skipped":
        assert case.says in "; ".join(result.notes), result.notes
        return
    problem, fix_mark, fix = result.error.partition(" Fix: ")
    assert result.error.startswith(f"{result.name}: "), result.error
    assert case.says in problem, result.error
    assert fix_mark and case.fix in fix, result.error
    assert len(result.error) < MAX_MESSAGE, f"{len(result.error):,} characters"
    assert raw_etag(s3, settings) == before  # nothing uploaded


@pytest.mark.parametrize("case", ACCEPTED, ids=kind)
def test_accepted_file_loses_no_good_row(case, tmp_path, s3, settings, spark):
    result = the_result(ingest(settings, [case.make(tmp_path)]), case)
    assert result.status in ("uploaded", "unchanged"), result
    assert result.year == FILE_YEAR and result.rows == case.rows + case.rejects
    assert case.says in "; ".join(result.notes), result.notes
    sha256 = object_exists(s3, RAW_FLIGHTS.bucket(settings), result.key)["Metadata"]["sha256"]
    if sha256 not in _STAGED:
        run_job("raw_to_stage", FILE_YEAR)
        staged = read_year(settings, STAGE_FLIGHTS, FILE_YEAR)
        assert sorted(staged["op_carrier_fl_num"]) == list(range(1, case.rows + 1))  # every good row, once
        assert len(read_year(settings, STAGE_REJECTS, FILE_YEAR)) == case.rejects
        manifest = read_manifest(settings, STAGE_FLIGHTS, FILE_YEAR)
        assert manifest["rows_in"] == manifest["rows_out"] + manifest["rejects"] == case.rows + case.rejects
        _STAGED[sha256] = case.rows
    assert _STAGED[sha256] == case.rows
