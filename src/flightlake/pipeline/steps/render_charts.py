"""A chart per airport and year: daily flights, anomalous days marked.

Reads `analytics.airport_daily_anomalies` for the year, renders one PNG per airport
(`flightlake.reporting.charts`, in parallel across `FLIGHTLAKE_WORKERS` processes), and replaces
the year's charts in the reports zone, each uploaded as soon as it is drawn
(`flightlake.reporting.chart_uploads`):

    reports/charts/year=YYYY/airport=XXX/daily.png     one per airport
    reports/charts/year=YYYY/index.json, index.html    the list, busiest anomalies first
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flightlake.lake.tables import AIRPORT_DAILY_ANOMALIES, charts_uri
from flightlake.settings import Settings


def run(
    settings: Settings, year: int, run_id: str | None = None, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """The step: render every airport's chart of the year and publish them with their index."""
    from flightlake.lake.arrow_io import read_year
    from flightlake.reporting.chart_uploads import upload
    from flightlake.reporting.charts import render_each

    started = time.monotonic()
    result = read_year(settings, AIRPORT_DAILY_ANOMALIES, year)
    charts, index = upload(settings, render_each(result, year, settings.workers, progress), year)
    done = {
        "year": year,
        "charts": len(charts),
        "anomalies": index["anomalies"],
        "location": charts_uri(settings, year),
        "duration_s": round(time.monotonic() - started, 2),
    }
    print(f"charts {year}: {done['charts']} rendered to {done['location']} in {done['duration_s']} s")
    return done
