"""`flightlake sql` on the embedded stack, over a table the test registers in the Glue catalog
itself (so the catalog, not `lake.tables`, is what makes it queryable) and a warehouse table it
creates; every answer is checked against the frame that was written."""

from __future__ import annotations

import datetime
import json

import pandas as pd
import pytest

from flightlake.cli import main
from flightlake.explore.session import LakeSession
from flightlake.explore.statements import QueryError
from flightlake.lake.arrow_io import write_year
from flightlake.lake.aws import client, delete_prefix
from flightlake.lake.catalog import register_partition
from flightlake.lake.tables import Table

pytestmark = pytest.mark.integration
PROBE = Table(
    "analytics",
    "sql_probe",
    (("flight_date", "date"), ("origin_airport", "string"), ("flights", "bigint"), ("delay", "double")),
    "parquet",
    "written by tests/explore: one good year and one unreadable year",
)
GOOD_YEAR, BROKEN_YEAR = 2012, 2011


@pytest.fixture(scope="module")
def probe(settings):
    days = pd.date_range("2012-01-01", periods=40, freq="D").date
    frame = pd.DataFrame(
        {
            "flight_date": [d for d in days for _ in range(3)],
            "origin_airport": ["ATL", "JFK", "ORD"] * len(days),
            "flights": [100 + i for i in range(3 * len(days))],
            "delay": [float(i % 17) if i % 5 else None for i in range(3 * len(days))],
        }
    )
    write_year(settings, PROBE, GOOD_YEAR, frame)
    register_partition(PROBE, settings, GOOD_YEAR)
    s3 = client("s3", settings)
    s3.put_object(
        Bucket=PROBE.bucket(settings), Key=PROBE.partition_key(settings, BROKEN_YEAR) + "part-0.parquet", Body=b"no"
    )
    register_partition(PROBE, settings, BROKEN_YEAR)
    yield frame, f"{settings.glue_databases['analytics']}.{PROBE.name}"
    client("glue", settings).delete_table(DatabaseName=settings.glue_databases["analytics"], Name=PROBE.name)
    delete_prefix(s3, PROBE.bucket(settings), PROBE.location(settings).split("/", 3)[3])


@pytest.fixture(scope="module")
def warehouse_probe(settings):
    import psycopg

    with psycopg.connect(settings.require_warehouse_dsn(), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE dw.sql_probe (day DATE, code VARCHAR(8), n INTEGER, big BIGINT, rate DOUBLE PRECISION,"
            " flag BOOLEAN, at TIMESTAMP, note VARCHAR(40))"
        )
        conn.execute(
            "INSERT INTO dw.sql_probe VALUES ('2012-01-02', 'ATL', 7, 9000000000, 0.25, true, '2012-01-02 03:04:05', ''),"
            " ('2012-01-03', 'JFK', NULL, 1, NULL, false, NULL, NULL), ('2012-01-04', 'ORD', 3, 2, 1.5, NULL, NULL, 'a,\"b\"')"
        )
    yield
    with psycopg.connect(settings.require_warehouse_dsn(), autocommit=True) as conn:
        conn.execute("DROP TABLE dw.sql_probe")


def test_a_table_registered_in_the_catalog_answers_like_the_frame_written(settings, probe):
    frame, name = probe
    with LakeSession(settings) as session:
        answer = session.query(
            f"select origin_airport, count(*) as days, sum(flights) as flights, avg(delay) as delay "
            f"from {name} where year = {GOOD_YEAR} group by 1 order by 1"
        )
    expected = frame.groupby("origin_airport").agg(
        days=("flights", "size"), flights=("flights", "sum"), delay=("delay", "mean")
    )
    got = answer.table.to_pandas().set_index("origin_airport")
    assert list(got.index) == ["ATL", "JFK", "ORD"]
    assert got["days"].tolist() == expected["days"].tolist() == [40, 40, 40]
    assert got["flights"].tolist() == expected["flights"].tolist()
    assert got["delay"].round(9).tolist() == expected["delay"].round(9).tolist()
    assert answer.tables == (name,)


def test_a_filter_on_the_partition_skips_the_other_years_files(settings, probe):
    _, name = probe
    with LakeSession(settings) as session:
        rows = session.query(f"select count(*) as n from {name} where year = {GOOD_YEAR}").table.column("n")[0].as_py()
        assert rows == 120  # the unreadable 2011 file was never opened
        with pytest.raises(QueryError, match=r"query failed: .*[Pp]arquet"):
            session.query(f"select count(*) from {name}")  # without the filter it is read, and fails
        plan = session.explain(f"select flights from {name} where year = {GOOD_YEAR}")
    assert "ARROW_SCAN" in plan and f'"year" = {GOOD_YEAR}' in plan  # the filter reaches the Arrow scan


def test_unknown_tables_and_columns_are_named(settings, probe):
    _, name = probe
    database = settings.glue_databases["analytics"]
    with LakeSession(settings) as session:
        with pytest.raises(QueryError) as table_error:
            session.query(f"select * from {database}.no_such_table")
        with pytest.raises(QueryError) as column_error:
            session.query(f"select no_such_column from {name} where year = {GOOD_YEAR}")
        with pytest.raises(QueryError) as qualified_error:
            session.query(f"select p.flightz from {name} p where year = {GOOD_YEAR}")
        with pytest.raises(QueryError) as bare_error:
            session.query("select * from sql_probe")
    assert str(table_error.value).startswith(f"unknown table {database}.no_such_table; known tables: ")
    assert name in str(table_error.value) and "dw.airport_daily_delays" in str(table_error.value)
    assert str(column_error.value).startswith("unknown column no_such_column")
    assert str(qualified_error.value) == "unknown column p.flightz"
    assert "name it with its database" in str(bare_error.value)


def test_warehouse_tables_keep_their_types_and_nulls_and_join_the_lake(settings, probe, warehouse_probe):
    frame, name = probe
    with LakeSession(settings) as session:
        rows = session.query("select * from dw.sql_probe order by day").table.to_pylist()
        joined = session.query(
            f"select l.origin_airport, l.flights, w.n from {name} l join dw.sql_probe w "
            f"on l.flight_date = w.day and l.origin_airport = w.code where l.year = {GOOD_YEAR} order by 1"
        ).table.to_pylist()
        with pytest.raises(Exception, match="read-only"):
            session.warehouse().connection.execute("DELETE FROM dw.sql_probe")
    assert rows == [
        {"day": datetime.date(2012, 1, 2), "code": "ATL", "n": 7, "big": 9000000000, "rate": 0.25, "flag": True,
         "at": datetime.datetime(2012, 1, 2, 3, 4, 5), "note": ""},
        {"day": datetime.date(2012, 1, 3), "code": "JFK", "n": None, "big": 1, "rate": None, "flag": False, "at": None,
         "note": None},
        {"day": datetime.date(2012, 1, 4), "code": "ORD", "n": 3, "big": 2, "rate": 1.5, "flag": None, "at": None,
         "note": 'a,"b"'},
    ]  # fmt: skip
    lake = frame.set_index(["flight_date", "origin_airport"])["flights"]
    assert joined == [
        {"origin_airport": "ATL", "flights": int(lake[(datetime.date(2012, 1, 2), "ATL")]), "n": 7},
        {"origin_airport": "JFK", "flights": int(lake[(datetime.date(2012, 1, 3), "JFK")]), "n": None},
        {"origin_airport": "ORD", "flights": int(lake[(datetime.date(2012, 1, 4), "ORD")]), "n": 3},
    ]


def test_the_command_writes_files_and_fails_in_one_line(settings, probe, tmp_path, capsys):
    frame, name = probe
    out = tmp_path / "top.json"
    query = f"select origin_airport, sum(flights) as flights from {name} where year = {GOOD_YEAR} group by 1 order by 2 desc"
    assert main(["sql", query, "--output", str(out)]) == 0
    assert json.loads(out.read_text()) == [
        {"origin_airport": a, "flights": int(n)}
        for a, n in frame.groupby("origin_airport")["flights"].sum().sort_values(ascending=False).items()
    ]
    (tmp_path / "q.sql").write_text(query + ";\n")
    assert main(["sql", "--file", str(tmp_path / "q.sql"), "--max-rows", "1"]) == 0
    shown = capsys.readouterr().out
    assert "ORD" in shown and "ATL" not in shown and "3 rows in" in shown and "first 1 shown" in shown
    assert "warehouse" not in shown  # no dw table read
    assert main(["sql", "select count(*) as runs from dw.pipeline_runs"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "dw tables from the local warehouse postgresql://" in said and "@127.0.0.1:" in said
    assert main(["sql", f"select * from {name}_missing"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"flightlake sql: unknown table {name}_missing;") and error.count("\n") == 1
    assert main(["sql", f"update {name} set flights = 0"]) == 2
    assert "read-only" in capsys.readouterr().err


def test_the_query_can_come_on_standard_input_or_at_the_prompt(settings, probe, monkeypatch, capsys):
    import io

    _, name = probe
    query = f"select count(*) as days from {name} where year = {GOOD_YEAR} and origin_airport = 'JFK'"
    monkeypatch.setattr("sys.stdin", io.StringIO(query))
    assert main(["sql"]) == 0
    assert "│ 40   │" in capsys.readouterr().out
    answers = iter(["\\d", query, ";", "select nope", f"from {name} where year = {GOOD_YEAR};", "\\q"])
    monkeypatch.setattr("sys.stdin", SimpleTTY())
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["sql"]) == 0
    shown = capsys.readouterr().out
    assert name in shown and "dw.airport_daily_delays" in shown  # \d lists the tables
    assert "│ 40   │" in shown  # the query ended by ';' on its own line ran
    assert "error: unknown column nope" in shown  # an error at the prompt is shown, the prompt goes on


class SimpleTTY:
    """Standard input of a terminal, for the prompt (its lines come from the patched input())."""

    def isatty(self) -> bool:
        return True
