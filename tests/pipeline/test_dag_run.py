"""The DAG through Airflow on the embedded stack: two years end to end, a re-run, a failure,
and the dashboard in a real headless browser."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from flightlake.cli import main as cli_main
from flightlake.lake import catalog
from flightlake.lake.arrow_io import read_year
from flightlake.lake.aws import client, list_keys
from flightlake.lake.manifests import read_manifest
from flightlake.lake.tables import (
    AIRPORT_DAILY,
    AIRPORT_DAILY_ANOMALIES,
    RAW_FLIGHTS,
    STAGE_FLIGHTS,
    chart_index_key,
    dashboard_key,
    raw_object_key,
)
from flightlake.local.harness.main_job import RunSummary, backfill, run
from flightlake.local.stack.airflow_env import airflow_home
from flightlake.pipeline.registry import STEPS
from flightlake.warehouse import connect

STEP_NAMES = [step.name for step in STEPS]

pytestmark = [pytest.mark.integration, pytest.mark.airflow]
YEARS = (2012, 2013)
ROWS = 100_000


@pytest.fixture(scope="module")
def first_run(settings):
    lines: list[str] = []
    summary = run(settings, YEARS, rows_per_year=ROWS, seed=3, echo=lines.append)
    return summary, lines


def warehouse_counts(settings) -> dict[int, tuple[int, int]]:
    frame = connect(settings).query(
        "SELECT year, COUNT(*) AS n, COUNT(DISTINCT flight_date || origin_airport) AS distinct_days "
        "FROM dw.airport_daily_delays GROUP BY year ORDER BY year",
    )
    return {int(r.year): (int(r.n), int(r.distinct_days)) for r in frame.itertuples()}


def airflow_runs(settings) -> list[tuple[str, str]]:
    """This module's DagRuns (other tests run other years in the same session's Airflow)."""
    with sqlite3.connect(airflow_home(settings) / "airflow.db") as db:
        runs = db.execute(
            "SELECT substr(logical_date, 1, 4), state FROM dag_run WHERE dag_id = 'flights_etl' ORDER BY id"
        ).fetchall()
    return [run for run in runs if int(run[0]) in YEARS]


def test_two_years_run_through_airflow_and_every_zone_holds_them(first_run, settings, s3, glue):
    summary, lines = first_run
    assert [(o.year, o.state) for o in summary.outcomes] == [(2012, "success"), (2013, "success")], lines[-20:]
    assert summary.task_order == STEP_NAMES  # the harness learns the order from the DAG itself
    task_lines = [line.split() for line in lines if line.startswith("2012 ") and line.endswith(" s")]
    shown = [words[1] for words in task_lines if words[2] == "success" and words[1] != "run"]
    assert sorted(shown) == sorted(STEP_NAMES)  # one line per task, from the listener, in run order:
    for step in STEPS:  # each after what it comes after (load_warehouse and render_charts in either order)
        assert all(shown.index(before) < shown.index(step.name) for before in step.after), shown
    assert airflow_runs(settings) == [("2012", "success"), ("2013", "success")]
    for outcome in summary.outcomes:
        assert {task: info["state"] for task, info in outcome.tasks.items()} == dict.fromkeys(STEP_NAMES, "success")
        figures = outcome.figures
        assert figures["raw_rows"] == ROWS == figures["stage_rows"] + figures["rejects"]
        assert figures["warehouse_rows"] == figures["anomaly_rows"] > 10_000
        assert figures["charts"] == figures["airports"] > 300
        year = outcome.year
        assert read_manifest(settings, STAGE_FLIGHTS, year)["rows_out"] == ROWS
        assert read_manifest(settings, AIRPORT_DAILY, year)["rows_out"] == figures["airport_days"]
        assert read_manifest(settings, AIRPORT_DAILY_ANOMALIES, year)["anomalies"] == figures["anomalies"]
        reports = settings.zone("reports").bucket
        index = json.loads(
            s3.get_object(Bucket=reports, Key=chart_index_key(settings, year, "index.json"))["Body"].read()
        )
        charts = [o["Key"] for o in list_keys(s3, reports, f"charts/year={year}/") if o["Key"].endswith("daily.png")]
        assert len(charts) == len(index["charts"]) == figures["charts"]
        assert f"charts/year={year}/airport=ATL/daily.png" in charts
        assert (
            s3.head_object(Bucket=RAW_FLIGHTS.bucket(settings), Key=raw_object_key(settings, year))["ContentLength"] > 0
        )
    for table in (RAW_FLIGHTS, STAGE_FLIGHTS, AIRPORT_DAILY, AIRPORT_DAILY_ANOMALIES):
        assert set(YEARS) <= set(catalog.partition_years(table, settings)), table.name
    assert s3.head_object(Bucket=settings.zone("reports").bucket, Key=dashboard_key(settings))["ContentLength"] > 10_000
    counts = warehouse_counts(settings)
    assert {y: counts[y] for y in YEARS} == {o.year: (o.figures["warehouse_rows"],) * 2 for o in summary.outcomes}
    assert any("2013  report" in line and "success" in line for line in lines)
    assert summary.dashboard is not None and summary.dashboard.exists()


def pipeline_runs(settings, year: int) -> int:
    query = "SELECT COUNT(*) AS n FROM dw.pipeline_runs WHERE year = :year"
    return int(connect(settings).query(query, {"year": year}).iloc[0]["n"])


@dataclass(frozen=True)
class SecondBackfill:
    """Both years backfilled again, 2012's raw file corrupted for the while: 2012 must fail at
    its first task, and 2013 runs a second time. Two tests share it because each year run whole
    through Airflow costs about two minutes of CI."""

    counts_before: dict[int, tuple[int, int]]
    runs_before: int  # dw.pipeline_runs rows of 2013
    summary: RunSummary
    raw_uri: str


@pytest.fixture(scope="module")
def second_backfill(first_run, settings) -> SecondBackfill:
    s3 = client("s3", settings)
    counts_before, runs_before = warehouse_counts(settings), pipeline_runs(settings, 2013)
    bucket, key = RAW_FLIGHTS.bucket(settings), raw_object_key(settings, 2012)
    original = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    s3.put_object(Bucket=bucket, Key=key, Body=b"\x00\x01 this is not a CSV\n")
    try:
        summary = backfill(settings, YEARS, keep_going=True, echo=lambda line: None)
    finally:
        s3.put_object(Bucket=bucket, Key=key, Body=original)
    return SecondBackfill(counts_before, runs_before, summary, f"s3://{bucket}/{key}")


def test_running_a_year_again_duplicates_nothing(second_backfill, settings):
    again = second_backfill.summary.outcomes[1]
    assert (again.year, again.state) == (2013, "success")
    assert warehouse_counts(settings) == second_backfill.counts_before  # 2012 failed: left as it was
    assert pipeline_runs(settings, 2013) == second_backfill.runs_before + 1
    assert again.figures["warehouse_rows"] == second_backfill.counts_before[2013][0]


def test_a_corrupt_raw_file_fails_its_year_naming_the_file_and_later_years_still_run(second_backfill):
    failed, later = second_backfill.summary.outcomes
    assert (failed.year, failed.state) == (2012, "failed") and (later.year, later.state) == (2013, "success")
    assert failed.error.startswith("check_raw: ")
    assert second_backfill.raw_uri in failed.error and "header" in failed.error and "Fix:" in failed.error
    assert failed.tasks["check_raw"]["state"] == "failed" and failed.tasks["raw_to_stage"]["state"] == "upstream_failed"


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it)")
    return path


BROWSER_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
)  # fmt: skip


def dump_dom(url: str, profile: Path, *extra: str) -> str:
    return subprocess.run(
        [chromium(), *BROWSER_FLAGS, f"--user-data-dir={profile}", *extra, "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip


@pytest.mark.browser
def test_dashboard_renders_the_anomaly_table_in_a_headless_browser(first_run, tmp_path):
    summary, _ = first_run
    flags = [f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000"]
    url = summary.dashboard.as_uri()
    dom = dump_dom(url, tmp_path / "profile", "--virtual-time-budget=5000")
    body = dom.split('<table id="anomaly-table">', 1)[1].split("</table>", 1)[0]
    rendered_rows = body.count("<tr data-airport=")
    expected = sum(o.figures["anomalies"] for o in summary.outcomes if o.year == 2013)
    assert rendered_rows == expected > 0
    assert "anomalous days" in dom and 'class="active"' in dom
    screenshot = Path(summary.dashboard).with_name("screenshot.png")
    subprocess.run(
        [chromium(), *BROWSER_FLAGS, *flags, "--window-size=1400,1800", f"--screenshot={screenshot}", url],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert screenshot.stat().st_size > 20_000


@pytest.mark.browser
def test_picking_an_airport_marks_exactly_the_warehouses_anomalous_days(first_run, settings, tmp_path):
    summary, _ = first_run
    page = summary.dashboard.read_text()
    assert not re.search(r"<script[^>]*\bsrc=", page)  # plotly.js is inline: nothing from a network
    assert not re.search(r"""<(?:link|img|iframe)[^>]*(?:src|href)=["']?https?://""", page)
    busiest = connect(settings).query(
        "SELECT origin_airport, COUNT(*) AS n FROM dw.anomalous_days WHERE year = 2013 "
        "GROUP BY 1 ORDER BY 2 ASC, 1 LIMIT 1 OFFSET 1"
    )  # not the airport the page opens on (the one with the most anomalous days)
    airport = str(busiest.iloc[0]["origin_airport"])
    expected = connect(settings).query(
        "SELECT flight_date FROM dw.anomalous_days WHERE year = 2013 AND origin_airport = :airport ORDER BY 1",
        {"airport": airport},
    )
    expected_dates = [str(d) for d in expected["flight_date"]]
    dom = dump_dom(f"{summary.dashboard.as_uri()}#airport={airport}&year=2013", tmp_path / "profile")
    chart = re.search(r'<div id="daily-chart"[^>]*>', dom).group(0)
    assert f'data-airport="{airport}"' in chart and 'data-year="2013"' in chart
    marked = re.search(r'data-marked-dates="([^"]*)"', chart).group(1).split(",")
    assert marked == expected_dates and len(expected_dates) > 0
    marks_layer = dom.split('class="trace scatter traceanomalies"', 1)[1].split("</g></g>", 1)[0]
    assert marks_layer.count('class="point"') == len(expected_dates)  # one drawn triangle per anomalous day
    assert re.search(rf'<option value="{airport}" selected="">', dom)  # the picker shows the airport picked
    ready_ms = int(re.search(r'data-ready-ms="(\d+)"', dom).group(1))
    print(f"dashboard ready in {ready_ms} ms ({len(page) / 1e6:.1f} MB page, {len(YEARS)} years)")
    assert 0 < ready_ms < 60_000  # a sanity bound only: speed is measured in bench/bench_dashboard.py


def test_sql_answers_the_readme_query_like_the_lakes_own_files(first_run, settings, capsys, tmp_path):
    query = (
        "select origin_airport, count(*) from flightlake_analytics.airport_daily where year = 2013 "
        "group by 1 order by 2 desc limit 5"
    )
    out = tmp_path / "top.csv"
    assert cli_main(["sql", query, "--output", str(out)]) == 0
    answer = pd.read_csv(out)
    days = read_year(settings, AIRPORT_DAILY, 2013).groupby("origin_airport").size()
    assert len(answer) == 5
    assert answer.iloc[:, 1].tolist() == days.sort_values(ascending=False).head(5).tolist()
    assert all(days[airport] == count for airport, count in answer.itertuples(index=False))


def test_sql_joins_lake_rows_to_their_warehouse_rows(first_run, settings):
    from flightlake.explore.session import LakeSession

    query = (
        "select d.origin_airport, count(*) as anomalous_days, sum(a.scheduled_flights) as flights "
        "from dw.anomalous_days d join flightlake_analytics.airport_daily a "
        "on a.origin_airport = d.origin_airport and a.flight_date = d.flight_date "
        "where a.year = 2013 and d.year = 2013 group by 1 order by 1"
    )
    with LakeSession(settings) as session:
        got = session.query(query).table.to_pandas()
    warehouse = connect(settings).query("SELECT origin_airport, flight_date FROM dw.anomalous_days WHERE year = 2013")
    lake = read_year(settings, AIRPORT_DAILY, 2013)
    warehouse["flight_date"] = pd.to_datetime(warehouse["flight_date"]).dt.date
    lake["flight_date"] = pd.to_datetime(lake["flight_date"]).dt.date
    merged = warehouse.merge(lake, on=["origin_airport", "flight_date"])
    expected = merged.groupby("origin_airport").agg(
        anomalous_days=("flight_date", "size"), flights=("scheduled_flights", "sum")
    )
    assert len(got) == len(expected) > 0
    assert got["origin_airport"].tolist() == expected.index.tolist()
    assert got["anomalous_days"].tolist() == expected["anomalous_days"].tolist()
    assert [int(v) for v in got["flights"]] == expected["flights"].tolist()


def test_every_query_of_the_readme_answers_after_a_run(first_run, settings):
    from flightlake.explore.session import LakeSession
    from tests.explore.test_athena import readme_queries

    with LakeSession(settings) as session:
        rows = {query: session.query(query).table.num_rows for query in readme_queries()}
    assert len(rows) == 4 and all(count > 0 for count in rows.values()), rows


def test_sql_names_a_missing_table(first_run, capsys):
    assert cli_main(["sql", "select * from flightlake_analytics.airport_weekly"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("flightlake sql: unknown table flightlake_analytics.airport_weekly; known tables: ")
    assert "flightlake_analytics.airport_daily" in error and "dw.airport_daily_delays" in error
