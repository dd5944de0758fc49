"""The daily figures behind the dashboard's interactive chart, packed small enough to open fast.

Ten years of every airport's days are about half a million rows; as objects in JSON they would be
tens of megabytes and the page would take seconds to open. So each year is packed column-wise
per airport (day of year, flights, cancelled, average delay in tenths of a minute), reasons are
written once per year and referred to by number, and the page parses a year only when it is
picked, then builds the chart's traces for the picked airport in the browser. The rows come from
the lake's `airport_daily_anomalies` partitions, the very rows the warehouse load copies, read
as Parquet rather than fetched row by row from the warehouse.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from flightlake.lake.arrow_io import read_year
from flightlake.lake.tables import AIRPORT_DAILY_ANOMALIES
from flightlake.settings import Settings


def _numbers(values: pd.Series, scale: int = 1) -> list[int | None]:
    """Whole numbers (scaled: delays in tenths), None where there is no value."""
    floats = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan) * scale
    return [None if f != f else round(f) for f in floats.tolist()]


def year_series(frame: pd.DataFrame, year: int) -> dict[str, Any]:
    """One year's airports, column-wise: what the page's chart needs and nothing more."""
    start = np.datetime64(f"{year}-01-01", "D")
    reasons: dict[str, int] = {}
    airports: dict[str, Any] = {}
    for airport, days in frame.sort_values("flight_date").groupby("origin_airport", sort=True):
        dates = np.array(days["flight_date"].to_numpy(), dtype="datetime64[D]")
        day = (dates - start).astype(int).tolist()
        anomalous = days["is_anomaly"].fillna(False).to_numpy(dtype=bool)
        gaps = (days["status"] == "gap").to_numpy()
        marks = []
        for index in np.flatnonzero(anomalous).tolist():
            reason = str(days["reason"].iloc[index] or "")
            marks.append([index, reasons.setdefault(reason, len(reasons))])
        airports[str(airport)] = {
            "day": day,
            "flights": _numbers(days["scheduled_flights"]),
            "cancelled": _numbers(days["cancelled_flights"]),
            "delay10": _numbers(days["avg_dep_delay"], 10),
            "marks": marks,
            "gaps": np.flatnonzero(gaps).tolist(),
            "scored": bool((days["status"] != "insufficient_data").any()),
        }
    return {"year": year, "start": str(start), "reasons": list(reasons), "airports": airports}


def series(settings: Settings, years: list[int]) -> dict[int, dict[str, Any]]:
    """Every year's packed series, read from the lake (a year with no rows has no airports)."""
    return {year: year_series(read_year(settings, AIRPORT_DAILY_ANOMALIES, year), year) for year in years}
