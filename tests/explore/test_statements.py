"""The read-only rule and the table names, decided by DuckDB's parser (no stack needed)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from flightlake.explore.results import Written, display_value, write_result
from flightlake.explore.statements import QueryError, TableName, named_tables, read_only_query


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "with days as (select 1 as d) select * from days",
        "explain select * from flightlake_stage.flights where year = 2013",
        "  SELECT 1 ;  ",
    ],
)
def test_reads_are_accepted(sql):
    assert read_only_query(sql) == sql.strip().rstrip(";").strip()


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("insert into dw.pipeline_runs values (1)", "not INSERT"),
        ("delete from dw.airport_daily_delays", "not DELETE"),
        ("drop table flightlake_stage.flights", "not DROP"),
        ("copy (select 1) to 'out.csv'", "not COPY"),
        ("attach 'x.db'", "not ATTACH"),
        ("set enable_external_access = true", "not SET"),
        ("explain analyze insert into t values (1)", "EXPLAIN is run only for a SELECT"),
        ("select 1; drop table t", "one query at a time"),
        ("selec 1", 'bad query: syntax error at or near "selec"'),
        ("   ", "no query given"),
    ],
)
def test_anything_but_one_read_is_refused_with_its_reason(sql, expected):
    with pytest.raises(QueryError, match="^.*" + expected.replace("(", r"\(")) as caught:
        read_only_query(sql)
    assert "\n" not in str(caught.value)


def test_named_tables_are_the_ones_read_without_ctes_or_aliases():
    sql = (
        "with busy as (select * from flightlake_analytics.airport_daily a where year = 2013) "
        'select * from busy join "dw"."airport_daily_delays" d using (flight_date, origin_airport), unqualified'
    )
    assert named_tables(sql) == [
        TableName("dw", "airport_daily_delays"),
        TableName("flightlake_analytics", "airport_daily"),
        TableName(None, "unqualified"),
    ]


def test_results_are_written_in_the_format_their_extension_names(tmp_path):
    import datetime
    import json

    import pyarrow.parquet as pq

    table = pa.table({"airport": ["ATL", None], "day": [datetime.date(2013, 1, 2), None], "n": [3, 4]})
    assert write_result(table, tmp_path / "a.csv") == Written("csv", 2)
    assert (tmp_path / "a.csv").read_text().splitlines()[1] == '"ATL",2013-01-02,3'
    write_result(table, tmp_path / "a.json")
    assert json.loads((tmp_path / "a.json").read_text()) == [
        {"airport": "ATL", "day": "2013-01-02", "n": 3},
        {"airport": None, "day": None, "n": 4},
    ]
    write_result(table, tmp_path / "out" / "a.parquet")
    assert pq.read_table(tmp_path / "out" / "a.parquet").equals(table)
    with pytest.raises(QueryError, match=r"use one of \.csv, \.json, \.parquet"):
        write_result(table, tmp_path / "a.xlsx")
    assert [display_value(v) for v in (None, 2.50, 1 / 3, "x")] == ["NULL", "2.5", "0.3333", "x"]
