"""What each task of the `flights_etl` DAG does, as plain functions of the year.

The DAG file stays a thin description (it must parse in well under a second); the work, and its
heavy imports, happen here when a task runs. Every function returns a small dict for XCom and
raises `FlightlakeError` for failures whose message is meant for the person reading the log.
Errors that retrying cannot fix (a file that breaks the contract, a missing input) are marked
`retryable = False` so the DAG fails them at once.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flightlake.settings import load_settings


def check_raw(year: int) -> dict[str, Any]:
    from flightlake.raw_check import check_raw_year

    raw = check_raw_year(load_settings(), year)
    print(f"raw {year}: {raw.uri}, {raw.data_rows:,} rows, {raw.size / 1e6:,.1f} MB, checked by {raw.checked}")
    return asdict(raw)


def run_spark(job: str, year: int) -> dict[str, Any]:
    from flightlake.spark_submit import submit

    run = submit(load_settings(), job, year)
    return asdict(run)


def detect_anomalies(year: int) -> dict[str, Any]:
    from flightlake.anomaly_stage import run_year

    manifest = run_year(load_settings(), year)
    print(
        f"anomalies {year}: {manifest['anomalies']} flagged at {manifest['airports_scored']} scored airports "
        f"({manifest['airports_insufficient']} with too little data), {manifest['gap_days']} missing airport-days"
    )
    return manifest


def load_warehouse(year: int, airflow_run_id: str | None = None) -> dict[str, Any]:
    from flightlake.warehouse import load_year

    result = load_year(load_settings(), year, airflow_run_id, on_step=lambda step: print(f"load {year}: {step}"))
    print(
        f"warehouse {year}: {result.rows_staged} staged, {result.rows_inserted} inserted, {result.rows_updated} "
        f"updated, {result.rows_deleted} deleted; {result.rows_for_year} rows for the year"
    )
    return result.as_dict()


def render_charts(year: int) -> dict[str, Any]:
    from flightlake.charts import render_year

    done = render_year(load_settings(), year)
    print(f"charts {year}: {done['charts']} rendered to {done['location']} in {done['duration_s']} s")
    return done


def report(year: int) -> dict[str, Any]:
    from flightlake.dashboard import publish
    from flightlake.report import ReconciliationError, reconcile, write_report

    settings = load_settings()
    year_report = reconcile(settings, year)
    uri = write_report(settings, year_report)
    for check in year_report.checks:
        print(f"{'ok ' if check['ok'] else 'BAD'} {check['check']}: {check['left']} vs {check['right']}")
    if not year_report.ok:
        raise ReconciliationError(f"{year}: counts do not reconcile, see {uri}")
    dashboard = publish(settings)
    print(f"report {year}: {uri}; dashboard {dashboard['uri']}")
    return {"report": uri, "dashboard": dashboard["uri"], **year_report.figures}


def report_failure(context: dict[str, Any]) -> None:
    """Task failure callback: one line naming the task, the year and the error, for
    `flightlake run` to show in its summary (and for anyone reading the task log)."""
    from flightlake.airflow_runner import emit

    error = context.get("exception")
    emit(
        event="failure",
        year=context["logical_date"].year,
        task=context["ti"].task_id,
        error=str(error) if error else "failed",
    )
