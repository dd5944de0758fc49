"""A static HTML dashboard of what the warehouse holds: opens offline, from S3 or a local copy.

One file, data embedded as JSON, no external scripts or fonts: per year, anomalous days per
airport, a searchable table of the anomalous days with their reasons, and the charts (linked by
relative path, so the reports zone and its local mirror both work).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pandas as pd

from flightlake.lake.aws import client
from flightlake.lake.tables import dashboard_key
from flightlake.settings import Settings
from flightlake.warehouse import connect

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
    warehouse = connect(settings)
    airports = warehouse.query(_AIRPORTS_SQL)
    anomalies = warehouse.query(_ANOMALIES_SQL)
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
    template = resources.files("flightlake.reporting").joinpath("templates/dashboard.html").read_text()
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
