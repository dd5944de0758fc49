"""A static HTML dashboard of what the warehouse holds: opens offline, from S3 or a local copy.

One file, data embedded as JSON, no external scripts or fonts: per year, anomalous days per
airport, a searchable table of the anomalous days with their reasons, and the charts (linked by
relative path, so the reports zone and its local mirror both work).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from flightlake.aws import client, list_keys
from flightlake.lake import dashboard_key
from flightlake.settings import Settings
from flightlake.warehouse_query import query

MAX_CHARTS = 12
CHARTS_ROOT = "../charts/"  # from dashboard/index.html to charts/year=YYYY/...

_AIRPORTS_SQL = """
SELECT year, origin_airport, anomaly_days, days_reported - gap_days AS days, gap_days,
       scheduled_flights, cancelled_flights
FROM dw.airport_year_summary
ORDER BY year, anomaly_days DESC, origin_airport
"""
_ANOMALIES_SQL = """
SELECT year, flight_date, origin_airport, scheduled_flights, cancellation_rate, avg_dep_delay,
       anomaly_score, method, reason
FROM dw.anomalous_days
ORDER BY year, flight_date, origin_airport
"""


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def dashboard_data(settings: Settings) -> dict[str, Any]:
    airports = query(settings, _AIRPORTS_SQL)
    anomalies = query(settings, _ANOMALIES_SQL)
    years = []
    for year in sorted(int(y) for y in airports["year"].unique()):
        a = airports[airports["year"] == year]
        d = anomalies[anomalies["year"] == year]
        years.append(
            {
                "year": year,
                "airports": len(a),
                "anomalies": int(a["anomaly_days"].sum()),
                "gap_days": int(a["gap_days"].sum()),
                "flights": int(pd.to_numeric(a["scheduled_flights"]).fillna(0).sum()),
                "airport_rows": [
                    {
                        "airport": r.origin_airport,
                        "anomaly_days": int(r.anomaly_days),
                        "days": int(r.days),
                        "gap_days": int(r.gap_days),
                        "flights": int(_clean(r.scheduled_flights) or 0),
                        "cancelled": int(_clean(r.cancelled_flights) or 0),
                    }
                    for r in a.itertuples()
                ],
                "anomaly_rows": [
                    {
                        "date": str(r.flight_date),
                        "airport": r.origin_airport,
                        "flights": int(_clean(r.scheduled_flights) or 0),
                        "cancellation_rate": float(_clean(r.cancellation_rate) or 0.0),
                        "avg_dep_delay": _clean(r.avg_dep_delay),
                        "score": _clean(r.anomaly_score),
                        "method": r.method,
                        "reason": r.reason,
                    }
                    for r in d.itertuples()
                ],
            }
        )
    return {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "warehouse": settings.warehouse,
        "charts_root": CHARTS_ROOT,
        "max_charts": MAX_CHARTS,
        "years": years,
    }


def render_html(data: dict[str, Any]) -> str:
    template = resources.files("flightlake").joinpath("templates/dashboard.html").read_text()
    payload = json.dumps(data, separators=(",", ":"), default=str).replace("</", "<\\/")
    return template.replace("/*DATA*/", payload)


def publish(settings: Settings) -> dict[str, Any]:
    """Build the dashboard from the warehouse and put it in the reports zone."""
    data = dashboard_data(settings)
    page = render_html(data)
    bucket = settings.zone("reports").bucket
    client("s3", settings).put_object(
        Bucket=bucket, Key=dashboard_key(settings), Body=page.encode(), ContentType="text/html; charset=utf-8"
    )
    return {
        "uri": f"s3://{bucket}/{dashboard_key(settings)}",
        "years": [y["year"] for y in data["years"]],
        "anomalies": sum(y["anomalies"] for y in data["years"]),
    }


def mirror_reports(settings: Settings, target: Path) -> Path:
    """Copy the reports zone to a local directory (in parallel, only what changed); returns the
    dashboard's path. Ten years hold ~3,600 charts: one by one, the copy took longer than a year's run."""
    from concurrent.futures import ThreadPoolExecutor

    s3 = client("s3", settings)
    zone = settings.zone("reports")
    prefix = zone.key("")  # "" without a prefix
    wanted = []
    for obj in list_keys(s3, zone.bucket, prefix):
        relative = obj["Key"][len(prefix) :].lstrip("/")
        path = target / relative
        if path.exists() and path.stat().st_size == obj["Size"] and not relative.endswith((".html", ".json")):
            continue
        wanted.append((obj["Key"], path))

    def fetch(item: tuple[str, Path]) -> None:
        key, path = item
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(zone.bucket, key, str(path))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fetch, wanted))
    return target / "dashboard" / "index.html"
