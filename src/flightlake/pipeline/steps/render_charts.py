"""A chart per airport and year: daily flights, anomalous days marked.

Reads `analytics.airport_daily_anomalies` for the year, renders one PNG per airport
(`flightlake.reporting.charts`, in parallel across `FLIGHTLAKE_WORKERS` processes), and replaces
the year's charts in the reports zone:

    reports/charts/year=YYYY/airport=XXX/daily.png     one per airport
    reports/charts/year=YYYY/index.json, index.html    the list, busiest anomalies first
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from flightlake.lake.aws import client, delete_prefix
from flightlake.lake.tables import AIRPORT_DAILY_ANOMALIES, chart_index_key, chart_key, charts_prefix, charts_uri
from flightlake.settings import Settings

if TYPE_CHECKING:
    from flightlake.reporting.charts import Chart

UPLOAD_THREADS = 8


def upload(settings: Settings, charts: list[Chart], year: int) -> dict[str, Any]:
    """Replace the year's charts in the reports zone; returns the index written beside them."""
    from flightlake.reporting.charts import index_document, index_page

    s3 = client("s3", settings)
    bucket = settings.zone("reports").bucket
    delete_prefix(s3, bucket, charts_prefix(settings, year))

    def put(chart: Chart) -> None:
        s3.put_object(
            Bucket=bucket, Key=chart_key(settings, year, chart.airport), Body=chart.png, ContentType="image/png"
        )

    with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
        list(pool.map(put, charts))
    index = index_document(charts, year)
    s3.put_object(
        Bucket=bucket, Key=chart_index_key(settings, year, "index.json"), Body=json.dumps(index, indent=1).encode(),
        ContentType="application/json",
    )  # fmt: skip
    s3.put_object(
        Bucket=bucket, Key=chart_index_key(settings, year, "index.html"), Body=index_page(index).encode(),
        ContentType="text/html; charset=utf-8",
    )  # fmt: skip
    return index


def run(
    settings: Settings, year: int, run_id: str | None = None, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """The step: render every airport's chart of the year and publish them with their index."""
    from flightlake.lake.arrow_io import read_year
    from flightlake.reporting.charts import render_all

    started = time.monotonic()
    result = read_year(settings, AIRPORT_DAILY_ANOMALIES, year)
    charts = render_all(result, year, settings.workers, progress)
    index = upload(settings, charts, year)
    done = {
        "year": year,
        "charts": len(charts),
        "anomalies": index["anomalies"],
        "location": charts_uri(settings, year),
        "duration_s": round(time.monotonic() - started, 2),
    }
    print(f"charts {year}: {done['charts']} rendered to {done['location']} in {done['duration_s']} s")
    return done
