"""Counts reconciled across every zone and the warehouse, then the dashboard rebuilt.

Each hop must account for every row of the one before it:
raw rows = stage rows + rejects; airport-days in analytics = scored + insufficient rows of the
anomaly table (the rest are gap days it adds); warehouse rows for the year = anomaly rows; one
chart per airport. A mismatch fails the run: a silent loss is worse than a red task. The report
goes to `reports/runs/year=YYYY/report.json`; the dashboard (`flightlake.reporting.dashboard`)
gets the year's packed daily figures and is assembled again from the warehouse and every year's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flightlake.errors import FlightlakeError
from flightlake.lake.aws import client
from flightlake.lake.manifests import read_manifest
from flightlake.lake.provenance import DERIVED, stale_tables
from flightlake.lake.tables import (
    AIRPORT_DAILY,
    AIRPORT_DAILY_ANOMALIES,
    STAGE_FLIGHTS,
    chart_index_key,
    object_uri,
    run_report_key,
)
from flightlake.settings import Settings
from flightlake.warehouse import connect
from flightlake.warehouse.columns import TABLE as WAREHOUSE_TABLE


class ReconciliationError(FlightlakeError):
    """Counts do not add up between two zones."""


@dataclass
class YearReport:
    year: int
    figures: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)

    def check(self, name: str, left: int, right: int) -> None:
        self.checks.append({"check": name, "left": left, "right": right, "ok": left == right})

    @property
    def ok(self) -> bool:
        return all(c["ok"] for c in self.checks)


def _manifest(settings: Settings, table: Any, year: int) -> dict[str, Any]:
    manifest = read_manifest(settings, table, year)
    if manifest is None:
        raise ReconciliationError(f"no manifest for {table.name} {year}: did its step run?")
    return manifest


def reconcile(settings: Settings, year: int) -> YearReport:
    stage = _manifest(settings, STAGE_FLIGHTS, year)
    daily = _manifest(settings, AIRPORT_DAILY, year)
    anomalies = _manifest(settings, AIRPORT_DAILY_ANOMALIES, year)
    warehouse = (
        connect(settings)
        .query(
            "SELECT COUNT(*) AS n, SUM(CASE WHEN is_anomaly THEN 1 ELSE 0 END) AS anomalies "
            f"FROM {WAREHOUSE_TABLE} WHERE year = :year",
            {"year": year},
        )
        .iloc[0]
    )
    s3 = client("s3", settings)
    index = json.loads(
        s3.get_object(Bucket=settings.zone("reports").bucket, Key=chart_index_key(settings, year, "index.json"))[
            "Body"
        ].read()
    )
    report = YearReport(year)
    report.figures = {
        "raw_rows": stage["rows_in"],
        "stage_rows": stage["rows_out"],
        "rejects": stage["rejects"],
        "reject_reasons": stage.get("reject_reasons", {}),
        "airport_days": daily["rows_out"],
        "airports": daily["airports"],
        "anomaly_rows": anomalies["rows_out"],
        "gap_days": anomalies["gap_days"],
        "anomalies": anomalies["anomalies"],
        "airports_scored": anomalies["airports_scored"],
        "warehouse_rows": int(warehouse["n"]),
        "warehouse_anomalies": int(warehouse["anomalies"] or 0),
        "charts": len(index["charts"]),
    }
    f = report.figures
    report.check("raw rows = stage rows + rejects", f["raw_rows"], f["stage_rows"] + f["rejects"])
    report.check("stage rows = flights counted in analytics", f["stage_rows"], daily["rows_in"])
    report.check("airport-days + gap days = anomaly rows", f["airport_days"] + f["gap_days"], f["anomaly_rows"])
    report.check("anomaly rows = warehouse rows for the year", f["anomaly_rows"], f["warehouse_rows"])
    report.check("anomalies = warehouse anomalies", f["anomalies"], f["warehouse_anomalies"])
    report.check("one chart per airport", f["charts"], f["airports"])
    stale = stale_tables(settings, year)
    f["stale_tables"] = stale
    report.check("tables derived from the raw file now in the lake", len(DERIVED) - len(stale), len(DERIVED))
    return report


def write_report(settings: Settings, report: YearReport) -> str:
    key = run_report_key(settings, report.year)
    body = {"year": report.year, "ok": report.ok, "figures": report.figures, "checks": report.checks}
    client("s3", settings).put_object(
        Bucket=settings.zone("reports").bucket,
        Key=key,
        Body=json.dumps(body, indent=1).encode(),
        ContentType="application/json",
    )
    return object_uri(settings, "reports", key)


def run(settings: Settings, year: int, run_id: str | None = None) -> dict[str, Any]:
    """The step: reconcile, write the report, fail on a mismatch, publish the dashboard."""
    from flightlake.reporting.dashboard import publish

    year_report = reconcile(settings, year)
    uri = write_report(settings, year_report)
    for check in year_report.checks:
        print(f"{'ok ' if check['ok'] else 'BAD'} {check['check']}: {check['left']} vs {check['right']}")
    if not year_report.ok:
        stale = year_report.figures.get("stale_tables") or []
        note = f"; {', '.join(stale)} hold data of an earlier raw file" if stale else ""
        raise ReconciliationError(f"{year}: counts do not reconcile{note}, see {uri}")
    dashboard = publish(settings, year)
    print(f"report {year}: {uri}; dashboard {dashboard['uri']}")
    return {"report": uri, "dashboard": dashboard["uri"], **year_report.figures}
