"""The year's charts into the reports zone, uploaded while the rest are still being drawn.

    reports/charts/year=YYYY/airport=XXX/daily.png     one per airport
    reports/charts/year=YYYY/index.json, index.html    the list, busiest anomalies first

The year's old charts go first; each new chart is handed to an upload thread as soon as its
worker has drawn it (`charts.render_each`), so the uploads overlap the drawing instead of
following it; the index comes last, once every chart is in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flightlake.lake.aws import client, delete_prefix
from flightlake.lake.tables import chart_index_key, chart_key, charts_prefix
from flightlake.reporting.charts import Chart, index_document, index_page
from flightlake.settings import Settings

UPLOAD_THREADS = 8


def upload(settings: Settings, charts: Iterable[Chart], year: int) -> tuple[list[Chart], dict[str, Any]]:
    """Replace the year's charts in the reports zone; returns them and the index written beside them."""
    s3 = client("s3", settings)
    bucket = settings.zone("reports").bucket
    delete_prefix(s3, bucket, charts_prefix(settings, year))

    def put(chart: Chart) -> None:
        s3.put_object(
            Bucket=bucket, Key=chart_key(settings, year, chart.airport), Body=chart.png, ContentType="image/png"
        )

    uploaded: list[Chart] = []
    with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
        sent = []
        for chart in charts:
            uploaded.append(chart)
            sent.append(pool.submit(put, chart))
        for done in sent:
            done.result()
    index = index_document(uploaded, year)
    s3.put_object(
        Bucket=bucket, Key=chart_index_key(settings, year, "index.json"), Body=json.dumps(index, indent=1).encode(),
        ContentType="application/json",
    )  # fmt: skip
    s3.put_object(
        Bucket=bucket, Key=chart_index_key(settings, year, "index.html"), Body=index_page(index).encode(),
        ContentType="text/html; charset=utf-8",
    )  # fmt: skip
    return uploaded, index
