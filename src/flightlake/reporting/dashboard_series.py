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


def _floats(values: pd.Series, scale: int = 1) -> np.ndarray:
    """A column as float64 (NaN where there is no value), scaled: delays in tenths."""
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan) * scale


def _numbers(floats: np.ndarray) -> list[int | None]:
    """Whole numbers (half to even, as Python's round), None where there is no value."""
    missing = np.isnan(floats)
    whole: list[int | None] = np.rint(np.where(missing, 0.0, floats)).astype(np.int64).tolist()
    for position in np.flatnonzero(missing).tolist():
        whole[position] = None
    return whole


def year_series(frame: pd.DataFrame, year: int) -> dict[str, Any]:
    """One year's airports, column-wise: what the page's chart needs and nothing more.

    Every column is converted once for the whole year and then cut at the airports' boundaries:
    converting per airport cost ten years about ten seconds of pandas overhead per report run.
    """
    start = np.datetime64(f"{year}-01-01", "D")
    ordered = frame.sort_values(["origin_airport", "flight_date"], kind="stable", ignore_index=True)
    names, firsts = np.unique(ordered["origin_airport"].astype(str).to_numpy(), return_index=True)
    lasts = [*firsts[1:].tolist(), len(ordered)][: len(firsts)]
    day = (np.array(ordered["flight_date"].to_numpy(), dtype="datetime64[D]") - start).astype(int)
    anomalous = ordered["is_anomaly"].fillna(False).to_numpy(dtype=bool)
    gaps = (ordered["status"] == "gap").to_numpy(dtype=bool)
    scored = (ordered["status"] != "insufficient_data").to_numpy(dtype=bool)
    flights, cancelled = _floats(ordered["scheduled_flights"]), _floats(ordered["cancelled_flights"])
    delay10 = _floats(ordered["avg_dep_delay"], 10)
    reasons: dict[str, int] = {}
    airports: dict[str, Any] = {}
    for airport, first, last in zip(names.tolist(), firsts.tolist(), lasts, strict=True):
        marks = []
        for index in np.flatnonzero(anomalous[first:last]).tolist():
            reason = str(ordered["reason"].iloc[first + index] or "")
            marks.append([index, reasons.setdefault(reason, len(reasons))])
        airports[airport] = {
            "day": day[first:last].tolist(),
            "flights": _numbers(flights[first:last]),
            "cancelled": _numbers(cancelled[first:last]),
            "delay10": _numbers(delay10[first:last]),
            "marks": marks,
            "gaps": np.flatnonzero(gaps[first:last]).tolist(),
            "scored": bool(scored[first:last].any()),
        }
    return {"year": year, "start": str(start), "reasons": list(reasons), "airports": airports}
