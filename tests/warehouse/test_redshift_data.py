"""The Redshift path of the warehouse against the emulator's Redshift Data API (real statements on
the embedded PostgreSQL, in the workgroup's own database, Redshift's COPY from the lake's
Parquet): the same rows as the PostgreSQL path, a batch that fails leaves nothing behind, and what
Redshift would refuse is refused."""

from __future__ import annotations

import io
import time
from datetime import date

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from flightlake.anomalies import detect
from flightlake.lake.arrow_io import write_year
from flightlake.lake.schemas import DAILY_ANOMALY_COLUMNS, names
from flightlake.lake.tables import AIRPORT_DAILY_ANOMALIES
from flightlake.local.emulator.redshift_namespaces import namespace_dsn
from flightlake.settings import load_settings
from flightlake.warehouse import WarehouseLoadError
from flightlake.warehouse.postgres import load_frame as load_postgres
from flightlake.warehouse.redshift import RedshiftWarehouse
from tests.anomalies.test_anomalies import airport_year, with_events
from tests.conftest import REPO

pytestmark = pytest.mark.integration
YEAR = 2010  # a year of its own: other tests load 2012-2013 and the rehearsal its own
VALUES = names(DAILY_ANOMALY_COLUMNS)
REDSHIFT = {
    "FLIGHTLAKE_WAREHOUSE": "redshift",
    "FLIGHTLAKE_REDSHIFT_WORKGROUP": "flightlake-test",
    "FLIGHTLAKE_REDSHIFT_DATABASE": "dev",
    "FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN": "arn:aws:iam::123456789012:role/flightlake-copy",
}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    daily = pd.concat([with_events(airport_year("BIG", 400, 1)), airport_year("MID", 60, 2)], ignore_index=True)
    moved = daily.assign(flight_date=[day.replace(year=YEAR) for day in daily["flight_date"]])  # 2013 -> 2010
    return detect(moved, YEAR, "robust")


@pytest.fixture(scope="module")
def namespace(embedded_stack) -> str:
    """The DSN of the workgroup's own database (its Redshift namespace), its DDL applied through the
    Data API as the deploy applies it."""
    import os

    RedshiftWarehouse(load_settings({**os.environ, **REDSHIFT})).apply_ddl(REPO / "postgres_init")
    return namespace_dsn(
        embedded_stack.env["FLIGHTLAKE_WAREHOUSE_DSN"], REDSHIFT["FLIGHTLAKE_REDSHIFT_WORKGROUP"], "dev"
    )


@pytest.fixture
def redshift(embedded_stack, namespace, frame, s3) -> RedshiftWarehouse:
    """The Redshift warehouse through the emulator; the year's Parquet in the lake, the year's
    rows gone from both warehouses."""
    import os

    settings = load_settings({**os.environ, **REDSHIFT})
    write_year(settings, AIRPORT_DAILY_ANOMALIES, YEAR, frame)
    for dsn in (embedded_stack.env["FLIGHTLAKE_WAREHOUSE_DSN"], namespace):
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("DELETE FROM dw.airport_daily_delays WHERE year = %s", (YEAR,))
            conn.execute("DELETE FROM dw.pipeline_runs WHERE year = %s", (YEAR,))
    return RedshiftWarehouse(settings)


def warehouse_state(dsn: str) -> tuple[pd.DataFrame, list[tuple]]:
    """The year's rows (without the load's own columns) and its run records."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            f"SELECT {', '.join(VALUES)}, year FROM dw.airport_daily_delays WHERE year = %s "
            "ORDER BY origin_airport, flight_date",
            (YEAR,),
        )
        table = pd.DataFrame(rows.fetchall(), columns=[*VALUES, "year"])
        runs = conn.execute("SELECT * FROM dw.pipeline_runs WHERE year = %s ORDER BY run_id", (YEAR,)).fetchall()
    return table, runs


def wait(data_api, statement_id: str) -> dict:
    while True:
        described = data_api.describe_statement(Id=statement_id)
        if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            return described
        time.sleep(0.1)


def test_a_load_through_the_data_api_gives_the_rows_a_postgres_load_gives(redshift, embedded_stack, namespace, frame):
    local = embedded_stack.env["FLIGHTLAKE_WAREHOUSE_DSN"]
    result = redshift.load_year(YEAR, airflow_run_id=None)  # a NULL parameter, written as NULL
    through_redshift, runs = warehouse_state(namespace)
    assert (result.rows_staged, result.rows_inserted, result.rows_for_year) == (len(frame),) * 3 == (730,) * 3
    assert [run[0] for run in runs] == [result.run_id]
    assert warehouse_state(local)[1] == []  # the workgroup's namespace is not the local warehouse
    source = AIRPORT_DAILY_ANOMALIES.partition_uri(redshift.settings, YEAR)
    load_postgres(local, YEAR, frame, source)
    through_postgres, _ = warehouse_state(local)
    pd.testing.assert_frame_equal(through_redshift, through_postgres)


def test_a_file_that_is_not_parquet_under_the_copy_prefix_fails_the_load_and_changes_nothing(redshift, namespace, s3):
    dsn = namespace
    redshift.load_year(YEAR, "first")
    before = warehouse_state(dsn)
    bucket = AIRPORT_DAILY_ANOMALIES.bucket(redshift.settings)
    key = AIRPORT_DAILY_ANOMALIES.partition_key(redshift.settings, YEAR) + "_manifest.json"
    s3.put_object(Bucket=bucket, Key=key, Body=b'{"rows_out": 730}')  # what used to sit beside the data
    try:
        with pytest.raises(WarehouseLoadError) as failure:
            redshift.load_year(YEAR, "second")
    finally:
        s3.delete_object(Bucket=bucket, Key=key)
    message = str(failure.value)
    assert f"the Redshift load of {YEAR} failed and was rolled back at statement 2 (COPY stage_airport_daily" in message
    assert f"Spectrum Scan Error. code: 15007 context: File 's3://{bucket}/{key}' has an invalid version number" in (
        message
    )
    after = warehouse_state(dsn)
    pd.testing.assert_frame_equal(after[0], before[0])
    assert after[1] == before[1]  # no run record either: the whole batch was rolled back


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (VALUES[:-1], "Unmatched number of columns between table and file. Table columns: 17, Data columns: 16"),
        ([*VALUES[:1], "origin_airport_number", *VALUES[2:]], "has an incompatible Parquet schema for column"),
    ],
)
def test_parquet_whose_columns_do_not_match_the_table_by_position_fails_the_copy(
    redshift, frame, s3, columns, expected
):
    table = pa.Table.from_pandas(frame[VALUES], preserve_index=False)
    if "origin_airport_number" in columns:
        numbers = pa.array(range(len(frame)), type=pa.int64())
        table = table.set_column(1, "origin_airport_number", numbers)
    else:
        table = table.select(list(columns))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    bucket = AIRPORT_DAILY_ANOMALIES.bucket(redshift.settings)
    key = AIRPORT_DAILY_ANOMALIES.partition_key(redshift.settings, YEAR) + "part-00000.parquet"
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())
    with pytest.raises(WarehouseLoadError, match=expected):
        redshift.load_year(YEAR, "mismatch")


def test_a_batch_is_one_transaction_and_reports_each_statement(redshift, namespace):
    data_api = redshift.data_api
    target = {"WorkgroupName": "flightlake-test", "Database": "dev"}
    insert = (
        "INSERT INTO dw.pipeline_runs VALUES (:run_id, :year, 's3://x/', 0, 0, 0, 0, 0, 0, NULL, "
        "'2010-01-01 00:00:00', '2010-01-01 00:00:00')"
    )
    params = [{"name": "run_id", "value": "batch-test"}, {"name": "year", "value": str(YEAR)}]
    batch = data_api.batch_execute_statement(**target, Sqls=[insert, "SELECT 1 / 0"], Parameters=params)
    described = wait(data_api, batch["Id"])
    assert described["Status"] == "FAILED" and described["Error"] == "ERROR: division by zero"
    assert [sub["Status"] for sub in described["SubStatements"]] == ["FINISHED", "FAILED"]
    assert [sub["Id"] for sub in described["SubStatements"]] == [f"{batch['Id']}:1", f"{batch['Id']}:2"]
    with psycopg.connect(namespace) as conn:
        assert conn.execute("SELECT COUNT(*) FROM dw.pipeline_runs WHERE run_id = 'batch-test'").fetchone() == (0,)


def test_results_are_typed_and_paged_as_the_data_api_pages_them(redshift):
    from flightlake.local.emulator.redshift_data import RESULT_PAGE_ROWS

    rows = RESULT_PAGE_ROWS + 5
    frame = redshift.query(
        "SELECT n, DATE '2010-01-01' + n AS day, n * 0.5 AS half, n % 2 = 0 AS even, ':not_a_parameter' AS text, "
        "NULL::varchar AS nothing FROM generate_series(1, :rows) AS n ORDER BY n",
        {"rows": rows},
    )
    assert len(frame) == rows and frame["n"].tolist() == list(range(1, rows + 1))
    first = frame.iloc[0]
    assert (first["day"], first["half"], first["even"], first["text"], first["nothing"]) == (
        date(2010, 1, 2),
        0.5,
        False,
        ":not_a_parameter",
        None,
    )
    statement = redshift.data_api.execute_statement(
        WorkgroupName="flightlake-test", Database="dev", Sql=f"SELECT * FROM generate_series(1, {rows})"
    )
    wait(redshift.data_api, statement["Id"])
    page = redshift.data_api.get_statement_result(Id=statement["Id"])
    assert len(page["Records"]) == RESULT_PAGE_ROWS and page["TotalNumRows"] == rows and page["NextToken"]
    assert page["Records"][0] == [{"longValue": 1}] and page["ColumnMetadata"][0]["typeName"] == "int4"


@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        ("INSERT INTO dw.pipeline_runs (run_id) VALUES ('x') ON CONFLICT DO NOTHING",
         "Amazon Redshift does not accept INSERT ... ON CONFLICT"),
        ("MERGE INTO dw.airport_daily_delays t USING dw.airport_daily_delays s ON t.year = s.year "
         "WHEN MATCHED THEN DELETE", "an alias for MERGE's target table"),
        ("UNLOAD ('SELECT 1') TO 's3://flightlake-analytics/x' IAM_ROLE 'arn:aws:iam::1:role/r'", "UNLOAD is Redshift"),
        ("COPY dw.pipeline_runs FROM 's3://flightlake-analytics/x' IAM_ROLE 'arn:aws:iam::1:role/r' CSV",
         "FORMAT CSV: the emulator's Redshift copies Parquet only"),
        ("SELECT :missing", 'parameter ":missing" is used in the statement but has no value'),
    ],
)  # fmt: skip
def test_what_redshift_would_refuse_or_the_emulator_cannot_run_fails_by_name(redshift, sql, refusal):
    statement = redshift.data_api.execute_statement(WorkgroupName="flightlake-test", Database="dev", Sql=sql)
    described = wait(redshift.data_api, statement["Id"])
    assert described["Status"] == "FAILED" and refusal in described["Error"]


def test_a_running_statement_can_be_cancelled_and_unknown_ones_are_not_found(redshift):
    data_api = redshift.data_api
    statement = data_api.execute_statement(WorkgroupName="flightlake-test", Database="dev", Sql="SELECT pg_sleep(30)")
    while data_api.describe_statement(Id=statement["Id"])["Status"] != "STARTED":
        time.sleep(0.05)
    assert data_api.cancel_statement(Id=statement["Id"])["Status"] is True
    assert wait(data_api, statement["Id"])["Status"] == "ABORTED"
    listed = data_api.list_statements(Status="ABORTED")["Statements"]
    assert statement["Id"] in [s["Id"] for s in listed]
    with pytest.raises(ClientError) as missing:
        data_api.describe_statement(Id="00000000-0000-0000-0000-000000000000")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as refused:
        data_api.list_databases(WorkgroupName="flightlake-test", Database="dev")
    assert refused.value.response["Error"]["Code"] == "UnsupportedOperationException"
    assert "ListDatabases" in refused.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as session:
        data_api.execute_statement(
            WorkgroupName="flightlake-test", Database="dev", Sql="SELECT 1", SessionKeepAliveSeconds=60
        )
    assert session.value.response["Error"]["Code"] == "ValidationException"
    assert session.value.response["Error"]["Message"].startswith("SessionKeepAliveSeconds: ")


def test_redshifts_role_grants_run_as_postgresql_spells_them():
    from flightlake.local.emulator.redshift_sql import to_postgres

    grants = (REPO / "deploy" / "redshift" / "grants.sql").read_text()
    assert "TO ROLE flightlake_pipeline" in grants  # what the deploy sends
    sql = "ALTER DEFAULT PRIVILEGES IN SCHEMA dw GRANT SELECT ON TABLES TO ROLE flightlake_reader -- 'to role' stays"
    assert to_postgres(sql) == sql.replace("TO ROLE flightlake_reader", "TO flightlake_reader")
    assert to_postgres("REVOKE ALL ON SCHEMA dw FROM ROLE r") == "REVOKE ALL ON SCHEMA dw FROM r"
    assert to_postgres("SELECT 'TO ROLE x'") == "SELECT 'TO ROLE x'"
