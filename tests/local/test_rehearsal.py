"""`flightlake run --rehearse-aws`: one generated year through the DAG as MWAA runs it (Glue job
runs under Glue 5.0's runtime and the Redshift Data API, on the emulator), against the same year
through the local path; the rehearsal writes its own warehouse database and dashboard, leaving the
local ones as the local run left them; and a Glue job that refuses its input failing its task at
once, with the job's message."""

from __future__ import annotations

import sqlite3

import pandas as pd
import psycopg
import pytest

from flightlake.deploy.names import DATABASE
from flightlake.deploy.runtime_env import mwaa_environment
from flightlake.lake.aws import client, list_keys
from flightlake.lake.tables import AIRPORT_DAILY_ANOMALIES
from flightlake.local.emulator.redshift_namespaces import namespace_database, namespace_dsn
from flightlake.local.harness.main_job import backfill, run
from flightlake.local.harness.rehearsal import PATH, aws_path, metadata_db, mwaa_path
from flightlake.local.harness.rehearsal_deploy import ENVIRONMENT, deploy_to_emulator
from flightlake.pipeline.registry import STEPS
from flightlake.warehouse.columns import LOAD_COLUMNS, TABLE, TABLE_COLUMNS, names

STEP_NAMES = [step.name for step in STEPS]

pytestmark = [pytest.mark.integration, pytest.mark.airflow, pytest.mark.timeout(2400)]
YEAR = 2009  # a year no other test runs, and older than theirs: the dashboard opens on the newest
ROWS = 30_000
SEED = 16
COMPARED = [name for name in names(TABLE_COLUMNS) if name not in ("run_id", "loaded_at")]


def warehouse_rows(dsn: str) -> pd.DataFrame:
    """The year in the warehouse, without what each load sets itself (its run id and time)."""
    assert [name for name, _ in LOAD_COLUMNS][1:] == ["run_id", "loaded_at"]
    with psycopg.connect(dsn) as conn:
        cursor = conn.execute(
            f"SELECT {', '.join(COMPARED)} FROM {TABLE} WHERE year = %s ORDER BY flight_date, origin_airport", (YEAR,)
        )
        return pd.DataFrame(cursor.fetchall(), columns=COMPARED)


def whole_warehouse(dsn: str) -> list[tuple]:
    """Every row of the warehouse's tables, every year, the load's own columns included."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(f"SELECT * FROM {TABLE} ORDER BY flight_date, origin_airport").fetchall()
        return rows + conn.execute("SELECT * FROM dw.pipeline_runs ORDER BY run_id").fetchall()


@pytest.fixture(scope="module")
def both_paths(embedded_stack):
    settings, dsn = embedded_stack.settings, embedded_stack.env["FLIGHTLAKE_WAREHOUSE_DSN"]
    local = run(settings, (YEAR,), rows_per_year=ROWS, seed=SEED, echo=lambda line: None)
    assert [o.state for o in local.outcomes] == ["success"], local.outcomes
    local_rows = warehouse_rows(dsn)
    local_state = (whole_warehouse(dsn), local.dashboard.read_bytes())
    lines: list[str] = []
    rehearsal = run(settings, (YEAR,), rows_per_year=ROWS, seed=SEED, echo=lines.append, path=aws_path(lines.append))
    after = (whole_warehouse(dsn), local.dashboard.read_bytes())
    again: list[str] = []
    deployed = deploy_to_emulator(settings, again.append)  # what the rehearsal deployed; a second time
    return local, local_rows, rehearsal, lines, deployed, again, local_state, after


def test_the_rehearsal_runs_the_year_as_mwaa_does_and_its_warehouse_equals_the_local_one(both_paths, settings):
    local, local_rows, rehearsal, lines, deployed = both_paths[:5]
    (outcome,) = rehearsal.outcomes
    assert outcome.state == "success", (outcome.error, lines[-12:])
    assert {task: info["state"] for task, info in outcome.tasks.items()} == dict.fromkeys(STEP_NAMES, "success")
    assert rehearsal.path == PATH and local.path.startswith("local path")  # what the summary table's title says
    database = namespace_database(deployed.workgroup, DATABASE)
    assert rehearsal.warehouse.startswith(f"redshift-serverless://{deployed.workgroup}/{DATABASE} ")
    assert f"database {database} of the embedded PostgreSQL" in rehearsal.warehouse
    assert any(note.startswith("Glue job runs under the AWS Glue 5.0 runtime: Python 3.11") for note in rehearsal.notes)
    rehearsed_rows = warehouse_rows(namespace_dsn(settings.warehouse_dsn, deployed.workgroup, DATABASE))
    assert len(rehearsed_rows) == outcome.figures["warehouse_rows"] > 10_000
    pd.testing.assert_frame_equal(rehearsed_rows, local_rows)  # row for row, value for value
    shared = ("raw_rows", "rejects", "airports", "anomalies", "airport_days", "warehouse_rows", "charts")
    assert {k: outcome.figures[k] for k in shared} == {k: local.outcomes[0].figures[k] for k in shared}


def test_the_local_warehouse_and_dashboard_are_as_the_local_run_left_them(both_paths, settings):
    local, rehearsal, (before, after) = both_paths[0], both_paths[2], both_paths[6:]
    assert after == before  # every row of every year, the run records, the dashboard's bytes
    assert rehearsal.dashboard != local.dashboard
    assert rehearsal.dashboard == settings.state_dir / "rehearsal" / "reports" / "dashboard" / "index.html"
    assert rehearsal.dashboard.exists() and str(YEAR) in rehearsal.dashboard.read_text()


def test_the_spark_steps_were_glue_job_runs_of_the_releases_definitions(both_paths, settings, glue):
    _, _, rehearsal, _, deployed, again = both_paths[:6]
    assert deployed.uploaded == 0 and any("0 of " in line for line in again)  # the release is stored once
    release = f"s3://{deployed.artifacts_bucket}/releases/{deployed.version}"
    release_id = deployed.version.rsplit("-", 1)[1]
    assert deployed.jobs == tuple(
        f"flightlake-{ENVIRONMENT}-{release_id}-{job}" for job in ("raw-to-stage", "stage-to-analytics")
    )
    for name, step in zip(deployed.jobs, ("raw_to_stage", "stage_to_analytics"), strict=True):
        job = glue.get_job(JobName=name)["Job"]
        wheel = job["DefaultArguments"]["--additional-python-modules"]
        assert wheel.startswith(f"{release}/glue/flightlake-") and wheel.endswith(".whl")
        assert job["Command"]["ScriptLocation"] == f"{release}/spark_jobs/run_step.py"
        assert job["DefaultArguments"]["--step"] == step
        assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
        newest = glue.get_job_runs(JobName=name)["JobRuns"][0]
        assert newest["JobRunState"] == "SUCCEEDED"
        assert newest["Arguments"] == {"--year": str(YEAR), "--run-id": newest["Arguments"]["--run-id"]}
        assert newest["Arguments"]["--run-id"]  # the DagRun that asked, recorded in the manifests
    # MWAA's configuration: what the release's startup.sh exports for this environment, which is
    # what the deploy computes for it (runtime glue, warehouse redshift, the lake, the jobs).
    wanted = {**mwaa_environment(deployed.names, release_id), "FLIGHTLAKE_RELEASE": deployed.version}
    assert deployed.mwaa_environment == wanted
    assert deployed.mwaa_environment["FLIGHTLAKE_RUNTIME"] == "glue"
    assert deployed.mwaa_environment["FLIGHTLAKE_WAREHOUSE"] == "redshift"
    log = rehearsal.log_path.read_text()
    assert log.count("[DAG TEST] running trigger in line") == 2  # both Glue steps deferred to the triggerer
    assert f"[raw_to_stage] {ROWS} raw rows -> {ROWS} staged" in log  # the driver's log, in the task log


def test_the_load_was_a_redshift_copy_of_only_parquet_then_the_merge(both_paths, settings, s3):
    deployed = both_paths[4]
    data_api = client("redshift-data", settings)
    (load,) = [s for s in data_api.list_statements(StatementName=f"flightlake-load-{YEAR}")["Statements"]]
    described = data_api.describe_statement(Id=load["Id"])
    assert described["Status"] == "FINISHED" and len(described["SubStatements"]) == 7
    copy = described["SubStatements"][1]
    assert copy["QueryString"].startswith("COPY stage_airport_daily FROM 's3://") and copy["Status"] == "FINISHED"
    assert copy["ResultRows"] == both_paths[2].outcomes[0].figures["warehouse_rows"]
    assert copy["QueryString"].startswith(
        f"COPY stage_airport_daily FROM 's3://{deployed.lake.zone('analytics').bucket}/"
    )
    prefix = AIRPORT_DAILY_ANOMALIES.partition_key(deployed.lake, YEAR)
    keys = [obj["Key"] for obj in list_keys(s3, AIRPORT_DAILY_ANOMALIES.bucket(deployed.lake), prefix)]
    assert keys and all(key.endswith(".parquet") for key in keys)  # nothing else under the COPY prefix


def test_a_glue_job_that_refuses_its_input_fails_its_task_at_once_with_the_jobs_message(both_paths, settings, glue):
    lines: list[str] = []
    deployed = deploy_to_emulator(settings, lines.append)
    name = deployed.jobs[0]
    job = glue.get_job(JobName=name)["Job"]
    broken = {**job["DefaultArguments"], "--FLIGHTLAKE_RAW_PREFIX": "nowhere"}  # a job deployed with a wrong prefix
    update = {k: job[k] for k in ("Role", "Command", "GlueVersion", "WorkerType", "NumberOfWorkers", "Timeout")}
    glue.update_job(JobName=name, JobUpdate={**update, "DefaultArguments": broken})
    runs_before = len(glue.get_job_runs(JobName=name)["JobRuns"])
    try:
        summary = backfill(settings, (YEAR,), echo=lines.append, path=lambda s: mwaa_path(s, deployed))
    finally:
        deploy_to_emulator(settings, lines.append)  # the jobs as the release defines them again
    (outcome,) = summary.outcomes
    assert outcome.state == "failed"
    assert outcome.tasks["check_raw"]["state"] == "success" and outcome.tasks["raw_to_stage"]["state"] == "failed"
    assert all(outcome.tasks[task]["state"] == "upstream_failed" for task in STEP_NAMES[2:])
    expected = f"ended FAILED: JobInputError: no raw file for {YEAR} at s3://"
    assert outcome.error.startswith(f"raw_to_stage: Glue job {name} run jr_") and expected in outcome.error
    assert f"/nowhere/airline_delays/year={YEAR}/" in outcome.error
    with sqlite3.connect(metadata_db(settings)) as db:  # the rehearsal's own, as MWAA's
        tries = db.execute(
            "SELECT try_number, state FROM task_instance WHERE run_id = ? AND task_id = 'raw_to_stage'",
            (outcome.run_id,),
        ).fetchall()
    assert tries == [(1, "failed")]  # retries are configured (2), and none was used
    assert len(glue.get_job_runs(JobName=name)["JobRuns"]) == runs_before + 1  # one Glue run, not three
