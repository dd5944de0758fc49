"""An interactive HTML dashboard of what the warehouse holds: opens offline, from S3 or a local copy.

One file, no external scripts or fonts: plotly.js is written inline (from the plotly package),
the data is embedded as JSON. Per airport and year, a chart of daily flights (flown, cancelled)
and average delay with the anomalous days marked, hover for a day's figures and reason, airport
and year pickers, a `#airport=XXX&year=YYYY` address that opens that view; per year, anomalous
days per airport, a searchable table of the anomalous days linking to their airport's view, and
the PNG charts (linked by relative path, so the reports zone and its local mirror both work).
The daily figures are packed per year (`dashboard_series`) so ten years still open in well under
two seconds. Each year's packed figures are a piece of their own in the reports zone, written by
that year's report; the page is assembled from the warehouse's summary and the pieces, so a
year's report packs its own year only, not every year again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pandas as pd

from flightlake.lake.arrow_io import read_year
from flightlake.lake.aws import client
from flightlake.lake.tables import AIRPORT_DAILY_ANOMALIES, DASHBOARD, dashboard_key, dashboard_series_key
from flightlake.reporting.airport_names import places
from flightlake.reporting.dashboard_series import year_series
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
    """The page's summary: per year and airport (`dw.airport_year_summary`) and the anomalous days."""
    warehouse = connect(settings)
    return page_data(warehouse.query(_AIRPORTS_SQL), warehouse.query(_ANOMALIES_SQL), settings.warehouse)


def page_data(airports: pd.DataFrame, anomalies: pd.DataFrame, warehouse: str) -> dict[str, Any]:
    """The summary from the two views' rows (bench/ builds them without a warehouse)."""
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
        "airport_names": places(sorted({r["airport"] for y in years for r in y["airport_rows"]})),
        "warehouse": warehouse,
        "charts_root": CHARTS_ROOT,
        "max_charts": MAX_CHARTS,
        "years": years,
    }


def _json(value: Any) -> str:
    """Compact JSON that cannot end the <script> element it sits in."""
    return json.dumps(value, separators=(",", ":"), default=str).replace("</", "<\\/")


def plotly_js() -> str:
    """plotly.js as the plotly package ships it, to be written inline: nothing is fetched."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().replace("</script", "<\\/script")


def series_piece(frame: pd.DataFrame, year: int) -> str:
    """A year's packed daily figures as the JSON the page embeds."""
    return _json(year_series(frame, year))


def render_html(data: dict[str, Any], pieces: dict[int, str] | None = None) -> str:
    """The page: the summary data, each year's packed daily figures (`series_piece`), and
    plotly.js inline."""
    template = resources.files("flightlake.reporting").joinpath("templates/dashboard.html").read_text()
    years = "\n".join(
        f'<script id="series-{year}" type="application/json">{piece}</script>'
        for year, piece in sorted((pieces or {}).items())
    )
    page = template.replace("/*DATA*/", _json(data)).replace("/*SERIES*/", years)
    return page.replace("/*PLOTLYJS*/", plotly_js())


def write_piece(settings: Settings, year: int) -> str:
    """Pack the year's daily figures from the lake and keep them as its piece of the page."""
    piece = series_piece(read_year(settings, AIRPORT_DAILY_ANOMALIES, year), year)
    client("s3", settings).put_object(
        Bucket=settings.zone("reports").bucket,
        Key=dashboard_series_key(settings, year),
        Body=piece.encode(),
        ContentType="application/json",
    )
    return piece


def _pieces(settings: Settings, years: list[int], known: dict[int, str]) -> dict[int, str]:
    """Every year's piece: those in `known` as given, the others from the reports zone; a year
    without one (its report ran before pieces existed) gets it now."""
    s3 = client("s3", settings)
    pieces: dict[int, str] = {}
    for year in years:
        if year in known:
            pieces[year] = known[year]
            continue
        try:
            body = s3.get_object(Bucket=settings.zone("reports").bucket, Key=dashboard_series_key(settings, year))
        except s3.exceptions.NoSuchKey:
            pieces[year] = write_piece(settings, year)
        else:
            pieces[year] = body["Body"].read().decode()
    return pieces


def publish(settings: Settings, year: int) -> dict[str, Any]:
    """Write `year`'s piece, then assemble the dashboard from the warehouse and every year's
    piece and put it in the reports zone."""
    piece = write_piece(settings, year)
    data = dashboard_data(settings)
    page = render_html(data, _pieces(settings, [y["year"] for y in data["years"]], {year: piece}))
    bucket = settings.zone("reports").bucket
    client("s3", settings).put_object(
        Bucket=bucket, Key=dashboard_key(settings), Body=page.encode(), ContentType="text/html; charset=utf-8"
    )
    return {
        "uri": DASHBOARD.uri(settings),
        "years": [y["year"] for y in data["years"]],
        "anomalies": sum(y["anomalies"] for y in data["years"]),
    }
