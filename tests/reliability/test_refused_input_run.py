"""A run only reports success for the data it was given (`flightlake run --data`, through the
runner API as `flightlake run` calls it): a year whose input is refused, or missing from the
data given, fails as `refused` before any task runs, with the refusal in the summary and a
non-zero exit, and is never run on the older file the lake already holds. Years whose input was
accepted still run; without --keep-going the years after a refused one are not run.
"""

from __future__ import annotations

import gzip
import sqlite3

import pytest

from flightlake.cli import main
from flightlake.lake.aws import object_exists
from flightlake.lake.ingest import ingest
from flightlake.lake.tables import RAW_FLIGHTS, raw_object_key
from flightlake.local.harness.main_job import run
from flightlake.local.stack.airflow_env import airflow_home

pytestmark = [pytest.mark.integration, pytest.mark.airflow]
OLD, NEW = 2014, 2015  # OLD: a good file already in the lake; NEW: runs through the DAG
ROWS = 4_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from flightlake.datagen import generate

    out = tmp_path_factory.mktemp("generated")
    generate([OLD, NEW], rows_per_year=ROWS, seed=8, out_dir=out)
    return out


@pytest.fixture(scope="module")
def old_raw(settings, generated) -> str:
    """The lake holds a good OLD file from an earlier run: what a stale success would run on."""
    assert {r.status for r in ingest(settings, [generated / f"{OLD}.csv"])} <= {"uploaded", "unchanged"}
    return raw_etag(settings, OLD)


def raw_etag(settings, year: int) -> str:
    from flightlake.lake.aws import client

    return object_exists(client("s3", settings), RAW_FLIGHTS.bucket(settings), raw_object_key(settings, year))["ETag"]


def dag_runs(settings, year: int) -> int:
    database = airflow_home(settings) / "airflow.db"
    if not database.exists():
        return 0
    with sqlite3.connect(database) as db:
        query = "SELECT COUNT(*) FROM dag_run WHERE dag_id = 'flights_etl' AND logical_date LIKE ?"
        return db.execute(query, (f"{year}-%",)).fetchone()[0]


@pytest.fixture
def data_dir(tmp_path, generated):
    """--data DIR: OLD as gzip bytes under a .csv name (refused), NEW as generated (accepted)."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / f"{OLD}.csv").write_bytes(gzip.compress((generated / f"{OLD}.csv").read_bytes(), compresslevel=1))
    (folder / f"{NEW}.csv").write_bytes((generated / f"{NEW}.csv").read_bytes())
    return folder


def test_a_missing_data_folder_refuses_the_year_and_exits_non_zero(settings, old_raw, tmp_path, capsys):
    missing = tmp_path / "no-such-folder"
    runs_before = dag_runs(settings, OLD)
    assert main(["run", "--data", str(missing), "--years", str(OLD)]) == 1
    printed = capsys.readouterr().out
    assert f"{OLD}  refused before any task ran: {missing}: no such file or folder" in printed
    assert "success" not in printed and "no year ran through Airflow" in printed
    assert dag_runs(settings, OLD) == runs_before and raw_etag(settings, OLD) == old_raw


def test_a_year_missing_from_the_data_is_refused_and_says_how_to_rerun_the_lakes_file(settings, old_raw, data_dir):
    (data_dir / f"{OLD}.csv").rename(data_dir / f"{OLD}.txt")  # there, but not a year file by its name
    summary = run(settings, (OLD,), data_dir=data_dir, echo=lambda line: None)
    [outcome] = summary.outcomes
    assert (outcome.state, summary.ok, summary.log_path) == ("refused", False, None)
    assert f"{data_dir} holds no {OLD} file (skipped there: {OLD}.txt)" in outcome.error
    assert f"flightlake backfill --years {OLD}" in outcome.error
    assert raw_etag(settings, OLD) == old_raw


def test_without_keep_going_the_years_after_a_refused_one_are_not_run(settings, old_raw, data_dir):
    runs_before = (dag_runs(settings, OLD), dag_runs(settings, NEW))
    lines: list[str] = []
    summary = run(settings, (OLD, NEW), data_dir=data_dir, echo=lines.append)
    assert [(o.year, o.state) for o in summary.outcomes] == [(OLD, "refused"), (NEW, "not run")]
    assert "gzip-compressed" in summary.outcomes[0].error and "Fix: gunzip it" in summary.outcomes[0].error
    assert (dag_runs(settings, OLD), dag_runs(settings, NEW)) == runs_before
    assert not any(line.startswith(f"{OLD}  run ") for line in lines)


def test_a_refused_year_fails_before_any_task_and_an_accepted_one_still_runs(settings, old_raw, data_dir):
    runs_before = (dag_runs(settings, OLD), dag_runs(settings, NEW))
    lines: list[str] = []
    summary = run(settings, (OLD, NEW), data_dir=data_dir, keep_going=True, echo=lines.append)
    refused, ran = summary.outcomes
    assert (refused.year, refused.state, refused.tasks) == (OLD, "refused", {})
    assert f"{OLD}.csv: the file is gzip-compressed" in refused.error
    assert (ran.year, ran.state) == (NEW, "success"), lines[-20:]
    assert ran.figures["raw_rows"] == ROWS
    assert not summary.ok  # a non-zero exit
    assert (dag_runs(settings, OLD), dag_runs(settings, NEW)) == (runs_before[0], runs_before[1] + 1)
    assert raw_etag(settings, OLD) == old_raw  # the lake's older file was neither replaced nor run
    assert f"{OLD}  refused before any task ran: {OLD}.csv: the file is gzip-compressed" in "\n".join(lines)
