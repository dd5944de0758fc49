"""`flightlake sql --env`: the same text through Athena, against botocore's Stubber (moto's Athena
only returns canned results, so the calls and their answers are spelled out here)."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import boto3
import pytest
from botocore.stub import Stubber

from flightlake.cli import main
from flightlake.explore.athena import AthenaTarget, athena_text, run_athena
from flightlake.explore.statements import QueryError

TARGET = AthenaTarget(
    "flightlake-dev-sql",
    {"flightlake_stage": "flightlake_dev_stage", "flightlake_analytics": "flightlake_dev_analytics"},
)
README_QUERY = (
    "select origin_airport, count(*) as days from flightlake_analytics.airport_daily where year = 2013 "
    "group by 1 order by 2 desc limit 5"
)


def athena_client():
    return boto3.client("athena", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def cell(value):
    return {} if value is None else {"VarCharValue": value}


def results_page(rows, token=None, header=False):
    columns = [
        {"Name": "origin_airport", "Type": "varchar"},
        {"Name": "days", "Type": "bigint"},
        {"Name": "first_day", "Type": "date"},
        {"Name": "cancel_rate", "Type": "double"},
    ]
    data = ([[c["Name"] for c in columns]] if header else []) + rows
    page = {
        "ResultSet": {"Rows": [{"Data": [cell(v) for v in row]} for row in data],
                      "ResultSetMetadata": {"ColumnInfo": [{**c, "CatalogName": "hive", "Label": c["Name"]} for c in columns]}},
        "UpdateCount": 0,
    }  # fmt: skip
    if token:
        page["NextToken"] = token
    return page


def execution(state, reason=None):
    status = {"State": state, **({"StateChangeReason": reason} if reason else {})}
    return {"QueryExecution": {"QueryExecutionId": "q-1", "Status": status, "Statistics": {"DataScannedInBytes": 4096}}}


def stub_success(stubber, text):
    stubber.add_response(
        "start_query_execution", {"QueryExecutionId": "q-1"}, {"QueryString": text, "WorkGroup": TARGET.workgroup}
    )
    stubber.add_response("get_query_execution", execution("RUNNING"), {"QueryExecutionId": "q-1"})
    stubber.add_response("get_query_execution", execution("SUCCEEDED"), {"QueryExecutionId": "q-1"})
    stubber.add_response(
        "get_query_results",
        results_page([["ATL", "365", "2013-01-01", "0.0125"]], token="t2", header=True),
        {"QueryExecutionId": "q-1"},
    )
    stubber.add_response(
        "get_query_results",
        results_page([["ORD", "364", None, None]]),
        {"QueryExecutionId": "q-1", "NextToken": "t2"},
    )


def test_local_database_names_become_the_environments():
    assert athena_text(README_QUERY, TARGET) == README_QUERY.replace("flightlake_analytics", "flightlake_dev_analytics")
    quoted = 'select * from "flightlake_stage".flights s join flightlake_stage_extra.t on true'
    assert (
        athena_text(quoted, TARGET)
        == 'select * from "flightlake_dev_stage".flights s join flightlake_stage_extra.t on true'
    )
    with pytest.raises(QueryError, match=r"^dw\.airport_daily_delays: Athena reads the lake's tables only"):
        athena_text("select * from dw.airport_daily_delays", TARGET)
    with pytest.raises(QueryError, match="read-only"):
        athena_text("drop table flightlake_stage.flights", TARGET)


def test_a_query_runs_in_the_workgroup_and_every_page_comes_back_typed():
    athena = athena_client()
    sleeps = []
    with Stubber(athena) as stubber:
        stub_success(stubber, athena_text(README_QUERY, TARGET))
        table, statistics = run_athena(athena, README_QUERY, TARGET, sleep=sleeps.append)
        stubber.assert_no_pending_responses()
    assert table.to_pylist() == [
        {"origin_airport": "ATL", "days": 365, "first_day": datetime.date(2013, 1, 1), "cancel_rate": 0.0125},
        {"origin_airport": "ORD", "days": 364, "first_day": None, "cancel_rate": None},
    ]
    assert str(table.schema.field("days").type) == "int64" and statistics["DataScannedInBytes"] == 4096
    assert sleeps == [0.5]  # polled once while RUNNING


def test_a_failed_query_says_why_in_one_line():
    athena = athena_client()
    with Stubber(athena) as stubber:
        stubber.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
        reason = "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved"
        stubber.add_response("get_query_execution", execution("FAILED", reason))
        with pytest.raises(QueryError, match=f"^Athena query q-1 failed: {reason}$"):
            run_athena(athena, "select nope from flightlake_stage.flights", TARGET, sleep=lambda s: None)


def test_the_command_with_env_sends_the_text_to_that_environments_athena(monkeypatch, capsys, tmp_path):
    athena = athena_client()
    settings = SimpleNamespace(
        glue_databases={
            "raw": "flightlake_dev_raw",
            "stage": "flightlake_dev_stage",
            "analytics": "flightlake_dev_analytics",
        }
    )
    target = SimpleNamespace(
        names=SimpleNamespace(athena_workgroup=TARGET.workgroup), settings=settings, clients={"athena": athena}
    )
    monkeypatch.setattr("flightlake.cli.data.deployed_target", lambda name, settings: target)
    out = tmp_path / "top.csv"
    with Stubber(athena) as stubber:
        stub_success(stubber, athena_text(README_QUERY, TARGET))
        assert main(["sql", "--env", "dev", README_QUERY, "--output", str(out)]) == 0
    assert out.read_text().splitlines() == [
        '"origin_airport","days","first_day","cancel_rate"',
        '"ATL",365,2013-01-01,0.0125',
        '"ORD",364,,',
    ]
    assert "athena: workgroup flightlake-dev-sql" in capsys.readouterr().out


def readme_queries() -> list[str]:
    from tests.conftest import REPO

    text = (REPO / "docs" / "sql.md").read_text()
    return re.findall(r'^\.venv/bin/flightlake sql "(.+)"$', text, re.MULTILINE)


def test_the_documented_lake_queries_go_to_athena_unchanged_but_for_the_database_names():
    queries = readme_queries()
    assert len(queries) == 4
    lake_only = [q for q in queries if "dw." not in q]
    assert len(lake_only) == 3
    for query in lake_only:
        sent = athena_text(query, TARGET)
        assert sent == query.replace("flightlake_analytics.", "flightlake_dev_analytics.").replace(
            "flightlake_stage.", "flightlake_dev_stage."
        )
    with pytest.raises(QueryError, match="dw tables live in Redshift"):
        athena_text(queries[-1], TARGET)
