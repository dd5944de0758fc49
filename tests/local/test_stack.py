"""The embedded stack against real services: moto's server, PostgreSQL, Spark on s3a://."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from flightlake.lake import catalog
from flightlake.lake.tables import STAGE_FLIGHTS
from flightlake.local.stack import processes
from flightlake.local.stack.manager import Stack
from flightlake.local.stack.postgres import PostgresNotFound, find_bindir
from flightlake.settings import load_settings
from tests.conftest import make_state_dir, stack_environment

pytestmark = pytest.mark.integration


def test_s3_put_list_get(s3, settings):
    bucket = settings.zone("raw").bucket
    s3.put_object(Bucket=bucket, Key="smoke/a.txt", Body=b"alpha")
    s3.put_object(Bucket=bucket, Key="smoke/b.txt", Body=b"beta")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="smoke/")["Contents"]]
    assert keys == ["smoke/a.txt", "smoke/b.txt"]
    assert s3.get_object(Bucket=bucket, Key="smoke/b.txt")["Body"].read() == b"beta"


def test_glue_table_with_partitions_registered_and_read_back(glue, settings):
    for year in (2012, 2013):
        catalog.register_partition(STAGE_FLIGHTS, settings, year, {"rows": str(year)})
    catalog.register_partition(STAGE_FLIGHTS, settings, 2013, {"rows": "again"})  # update, not a duplicate
    database = settings.glue_databases["stage"]
    table = glue.get_table(DatabaseName=database, Name="flights")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]][:3] == [
        "fl_date",
        "op_carrier",
        "op_carrier_fl_num",
    ]
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "int"}]
    partitions = glue.get_partitions(DatabaseName=database, TableName="flights")["Partitions"]
    written_here = [p for p in partitions if p["Values"][0] in ("2012", "2013")]
    by_year = {p["Values"][0]: p for p in written_here}
    # Other tests share this catalog and may add their own years; the ones written here appear once each.
    assert len(written_here) == 2 and sorted(by_year) == ["2012", "2013"]
    assert by_year["2013"]["Parameters"] == {"rows": "again"}
    assert by_year["2013"]["StorageDescriptor"]["Location"] == "s3://flightlake-stage/flights/year=2013/"
    years = catalog.partition_years(STAGE_FLIGHTS, settings)
    assert years == sorted(set(years)) and {2012, 2013} <= set(years)


def test_postgres_round_trip_and_ddl_applied(embedded_stack):
    import psycopg

    with psycopg.connect(embedded_stack.env["FLIGHTLAKE_WAREHOUSE_DSN"]) as conn:
        conn.execute("CREATE TEMP TABLE roundtrip (id int, name text)")
        conn.execute("INSERT INTO roundtrip VALUES (%s, %s), (%s, %s)", (1, "JFK", 2, "LGA"))
        assert conn.execute("SELECT name FROM roundtrip ORDER BY id").fetchall() == [("JFK",), ("LGA",)]
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'dw' ORDER BY 1"
        ).fetchall()
    assert ("airport_daily_delays",) in tables and ("pipeline_runs",) in tables
    assert ("airport_year_summary",) in tables  # the view


def test_spark_writes_parquet_to_s3a_and_reads_it_back(spark, s3, settings):
    path = settings.zone("stage").uri("smoke_spark", scheme="s3a")
    frame = spark.createDataFrame([(i, f"row{i}", 2013 + i % 2) for i in range(100)], "id int, name string, year int")
    frame.write.mode("overwrite").partitionBy("year").parquet(path)
    back = spark.read.parquet(path)
    assert back.count() == 100
    assert sorted(r.year for r in back.select("year").distinct().collect()) == [2013, 2014]
    keys = [
        o["Key"] for o in s3.list_objects_v2(Bucket=settings.zone("stage").bucket, Prefix="smoke_spark/")["Contents"]
    ]
    assert any(k.startswith("smoke_spark/year=2013/") and k.endswith(".parquet") for k in keys)


def test_up_twice_is_harmless(embedded_stack):
    before = {s.name: s for s in embedded_stack.stack.status()}
    pids = {name: embedded_stack.stack.pid_files.read(name).pid for name in ("emulator", "postgres")}
    lines: list[str] = []
    embedded_stack.stack.up(echo=lines.append)
    assert any("already running" in line for line in lines)
    assert {name: embedded_stack.stack.pid_files.read(name).pid for name in pids} == pids
    assert {s.name: s.endpoint for s in embedded_stack.stack.status()} == {n: s.endpoint for n, s in before.items()}


def _alive_with(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker in cmdline and state != "Z":
                found.append(int(entry))
    return found


def test_down_stops_everything_and_state_survives_up_again(monkeypatch):
    """A second, private stack: data written before `down` is there after `up`."""
    import boto3
    import psycopg

    state_dir = make_state_dir("flightlake-test-cycle-")
    for key, value in stack_environment(state_dir).items():
        monkeypatch.setenv(key, value)
    for name in ("AWS_ENDPOINT_URL", "FLIGHTLAKE_WAREHOUSE_DSN"):
        monkeypatch.delenv(name, raising=False)
    stack = Stack(load_settings())
    try:
        env = stack.up(echo=lambda line: None)
        session = boto3.session.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"]
        )
        s3 = session.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1")
        glue = session.client("glue", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1")
        s3.put_object(
            Bucket="flightlake-raw",
            Key="keep/me.csv",
            Body=b"a,b\n1,2\n",
            ContentType="text/csv",
            Metadata={"rows": "1"},
        )
        # keys no file system can hold side by side: a "file" and a "folder" of the same name
        s3.put_object(Bucket="flightlake-stage", Key="t", Body=b"file")
        s3.put_object(Bucket="flightlake-stage", Key="t/", Body=b"")
        s3.put_object(Bucket="flightlake-stage", Key="t/part-0", Body=b"part")
        glue.create_table(DatabaseName="flightlake_raw", TableInput={"Name": "kept", "PartitionKeys": []})
        with psycopg.connect(env["FLIGHTLAKE_WAREHOUSE_DSN"], autocommit=True) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS dw.survivor (x int)")
            conn.execute("INSERT INTO dw.survivor VALUES (42)")
        stack.up(echo=lambda line: None)  # twice: harmless
        pids = [stack.pid_files.read(n).pid for n in ("emulator", "postgres")]

        stopped = stack.down(echo=lambda line: None)
        assert stopped == ["emulator", "postgres"]
        assert not any(processes.is_running(processes.Tracked("x", pid, "")) for pid in pids)
        assert _alive_with(str(state_dir)) == []

        env = stack.up(echo=lambda line: None)
        s3 = session.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1")
        glue = session.client("glue", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1")
        kept = s3.get_object(Bucket="flightlake-raw", Key="keep/me.csv")
        assert kept["Body"].read() == b"a,b\n1,2\n"
        assert (kept["ContentType"], kept["Metadata"]) == ("text/csv", {"rows": "1"})
        stage = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket="flightlake-stage")["Contents"]}
        assert stage == {"t": 4, "t/": 0, "t/part-0": 4}
        assert glue.get_table(DatabaseName="flightlake_raw", Name="kept")["Table"]["Name"] == "kept"
        with psycopg.connect(env["FLIGHTLAKE_WAREHOUSE_DSN"]) as conn:
            assert conn.execute("SELECT x FROM dw.survivor").fetchall() == [(42,)]
    finally:
        stack.down(echo=lambda line: None)
        assert _alive_with(str(state_dir)) == []
        shutil.rmtree(state_dir, ignore_errors=True)


def test_missing_postgres_binaries_name_the_install_command(monkeypatch):
    monkeypatch.setenv("FLIGHTLAKE_PG_BINDIR", "/nonexistent/pg/bin")
    with pytest.raises(PostgresNotFound) as raised:
        find_bindir(load_settings())
    message = str(raised.value)
    assert "FLIGHTLAKE_PG_BINDIR" in message
    assert "apt-get install -y postgresql-15" in message and "brew install postgresql@15" in message
