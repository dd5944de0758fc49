"""The warehouse load on the embedded PostgreSQL (real server) and, by Stubber, on Redshift."""

from __future__ import annotations

import threading
from datetime import datetime

import pandas as pd
import psycopg
import pytest

from flightlake.anomalies import detect
from flightlake.lake.schemas import DAILY_ANOMALY_COLUMNS, names
from flightlake.settings import load_settings
from flightlake.warehouse import WarehouseLoadError
from flightlake.warehouse import redshift as redshift_load
from flightlake.warehouse.base import RUN_FIELDS
from flightlake.warehouse.load_script import load_steps
from flightlake.warehouse.postgres import APPLICATION_NAME
from flightlake.warehouse.postgres import load_frame as load_postgres
from tests.anomalies.test_anomalies import airport_year, with_events

pytestmark = pytest.mark.integration
YEAR = 2013
SOURCE = "s3://flightlake-analytics/airport_daily_anomalies/year=2013/"
VALUES = names(DAILY_ANOMALY_COLUMNS)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    daily = pd.concat([with_events(airport_year("BIG", 400, 1)), airport_year("MID", 60, 2)], ignore_index=True)
    return detect(daily, YEAR, "robust")


@pytest.fixture
def dsn(embedded_stack) -> str:
    dsn = embedded_stack.env["FLIGHTLAKE_WAREHOUSE_DSN"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM dw.airport_daily_delays WHERE year = %s", (YEAR,))
        conn.execute("DELETE FROM dw.pipeline_runs WHERE year = %s", (YEAR,))
    return dsn


def table(dsn: str) -> pd.DataFrame:
    with psycopg.connect(dsn) as conn:
        cursor = conn.execute(
            f"SELECT {', '.join(VALUES)}, year FROM dw.airport_daily_delays WHERE year = %s "
            "ORDER BY origin_airport, flight_date",
            (YEAR,),
        )
        return pd.DataFrame(cursor.fetchall(), columns=[*VALUES, "year"])


def runs(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT run_id, rows_staged, rows_inserted, rows_updated, rows_deleted, rows_for_year, anomalies_for_year "
            # started_at has whole seconds: two quick loads tie on it, and the Airflow run id orders them
            "FROM dw.pipeline_runs WHERE year = %s ORDER BY started_at, airflow_run_id, run_id",
            (YEAR,),
        ).fetchall()


def test_loading_twice_keeps_one_row_per_airport_day_with_the_same_values(dsn, frame):
    first = load_postgres(dsn, YEAR, frame, SOURCE, "run-1")
    after_first = table(dsn)
    second = load_postgres(dsn, YEAR, frame, SOURCE, "run-2")
    after_second = table(dsn)
    assert len(after_first) == len(after_second) == len(frame) == 2 * 365
    pd.testing.assert_frame_equal(after_first, after_second)
    assert int(after_second["is_anomaly"].sum()) == int(frame["is_anomaly"].sum()) >= 2
    assert (first.rows_inserted, first.rows_updated) == (len(frame), 0)
    assert (second.rows_inserted, second.rows_updated, second.rows_deleted) == (0, len(frame), 0)
    recorded = runs(dsn)
    assert [r[0] for r in recorded] == [first.run_id, second.run_id]
    assert recorded[1][1:] == (len(frame), 0, len(frame), 0, len(frame), int(frame["is_anomaly"].sum()))


def test_rows_the_source_no_longer_has_are_deleted(dsn, frame):
    load_postgres(dsn, YEAR, frame, SOURCE)
    smaller = frame[frame["origin_airport"] != "MID"]
    result = load_postgres(dsn, YEAR, smaller, SOURCE)
    assert result.rows_deleted == 365 and result.rows_for_year == 365
    assert set(table(dsn)["origin_airport"]) == {"BIG"}


def test_a_load_killed_midway_leaves_the_warehouse_as_it_was(dsn, frame):
    load_postgres(dsn, YEAR, frame, SOURCE, "good")
    before, before_runs = table(dsn), runs(dsn)
    changed = frame.assign(reason="changed", is_anomaly=False)

    def kill_at_merge(step: str) -> None:
        if step != "merge":
            return
        with psycopg.connect(dsn, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                (APPLICATION_NAME,),
            ).fetchall()
        assert killed == [(True,)]

    with pytest.raises(WarehouseLoadError, match="failed at step 'merge' and was rolled back"):
        load_postgres(dsn, YEAR, changed, SOURCE, "killed", on_step=kill_at_merge)
    pd.testing.assert_frame_equal(table(dsn), before)
    assert runs(dsn) == before_runs


def test_concurrent_reader_never_sees_a_half_loaded_year(dsn, frame):
    load_postgres(dsn, YEAR, frame, SOURCE)
    seen: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not stop.is_set():
                seen.append(
                    conn.execute("SELECT COUNT(*) FROM dw.airport_daily_delays WHERE year = %s", (YEAR,)).fetchone()[0]
                )

    watcher = threading.Thread(target=watch)
    watcher.start()
    load_postgres(dsn, YEAR, frame[frame["origin_airport"] == "BIG"], SOURCE)
    stop.set()
    watcher.join()
    assert set(seen) <= {730, 365} and seen


def test_load_script_covers_every_column_in_order():
    steps = dict(load_steps())
    assert list(steps) == ["create_stage", "record_run", "delete_vanished", "merge", "finish_run", "drop_stage"]
    create = steps["create_stage"]
    positions = [create.index(f"    {name} ") for name in VALUES]
    assert positions == sorted(positions)  # Redshift's Parquet COPY maps columns by position
    merge = steps["merge"]
    for name in VALUES[2:]:
        assert f"{name} = s.{name}" in merge
        assert f"s.{name}" in merge.split("VALUES", 1)[1]
    assert "MERGE INTO dw.airport_daily_delays\nUSING" in merge  # no target alias: Redshift has none


def test_redshift_load_sends_one_batch_with_parameters(monkeypatch):
    import boto3
    from botocore.stub import ANY, Stubber

    env = {
        "FLIGHTLAKE_WAREHOUSE": "redshift",
        "FLIGHTLAKE_REDSHIFT_WORKGROUP": "flightlake-wg",
        "FLIGHTLAKE_REDSHIFT_DATABASE": "dev",
        "FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN": "arn:aws:iam::123456789012:role/flightlake-copy",
    }
    settings = load_settings(env)
    data_api = boto3.client("redshift-data", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    statements = redshift_load.batch_statements(SOURCE, env["FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN"])
    assert statements[1] == (
        f"COPY stage_airport_daily FROM '{SOURCE}' IAM_ROLE 'arn:aws:iam::123456789012:role/flightlake-copy' "
        "FORMAT AS PARQUET"
    )
    params = {
        "run_id": "abc",
        "year": YEAR,
        "source_uri": SOURCE,
        "airflow_run_id": "af",
        "started_at": datetime(2026, 1, 1),
    }
    monkeypatch.setattr(redshift_load, "run_parameters", lambda year, source, run: {**params, "airflow_run_id": run})
    stub = Stubber(data_api)
    stub.add_response(
        "batch_execute_statement",
        {"Id": "batch-1"},
        {
            "WorkgroupName": "flightlake-wg",
            "Database": "dev",
            "Sqls": statements,
            "Parameters": [
                {"name": "airflow_run_id", "value": "af"},
                {"name": "finished_at", "value": "2026-01-01 00:00:00"},
                {"name": "run_id", "value": "abc"},
                {"name": "source_uri", "value": SOURCE},
                {"name": "started_at", "value": "2026-01-01 00:00:00"},
                {"name": "year", "value": "2013"},
            ],
            "StatementName": "flightlake-load-2013",
        },
    )
    stub.add_response("describe_statement", {"Id": "batch-1", "Status": "FINISHED"}, {"Id": "batch-1"})
    stub.add_response(
        "execute_statement",
        {"Id": "q-1"},
        {
            "WorkgroupName": "flightlake-wg",
            "Database": "dev",
            "Sql": ANY,
            "Parameters": [{"name": "run_id", "value": "abc"}],
        },
    )
    stub.add_response("describe_statement", {"Id": "q-1", "Status": "FINISHED"}, {"Id": "q-1"})
    stub.add_response(
        "get_statement_result",
        {
            "Records": [[{"longValue": v} for v in (730, 730, 0, 0, 730, 2)]],
            "ColumnMetadata": [{"name": name} for name in RUN_FIELDS],
            "TotalNumRows": 1,
        },
        {"Id": "q-1"},
    )
    with stub:
        result = redshift_load.RedshiftWarehouse(settings, data_api).load_year(YEAR, "af")
    stub.assert_no_pending_responses()
    assert (result.rows_staged, result.rows_inserted, result.rows_for_year, result.anomalies_for_year) == (
        730,
        730,
        730,
        2,
    )


def test_redshift_copy_refuses_values_that_are_not_what_they_claim():
    from flightlake.settings import SettingsError

    with pytest.raises(SettingsError):
        redshift_load.copy_statement("s3://bucket/x' IAM_ROLE 'evil", "arn:aws:iam::123456789012:role/r")
    with pytest.raises(SettingsError, match="FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN"):
        redshift_load.copy_statement(SOURCE, "not-an-arn")
