"""The DAG's detect_anomalies step: analytics daily figures in, flagged days out (analytics zone)."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from flightlake import catalog
from flightlake.anomalies import detect
from flightlake.arrow_io import read_year, write_year
from flightlake.errors import FlightlakeError
from flightlake.lake import AIRPORT_DAILY, AIRPORT_DAILY_ANOMALIES
from flightlake.manifests import write_manifest
from flightlake.settings import Settings


def summarize(result: pd.DataFrame) -> dict[str, Any]:
    scored = result[result["status"] == "scored"]
    return {
        "rows_out": len(result),
        "airports": int(result["origin_airport"].nunique()),
        "airports_scored": int(scored["origin_airport"].nunique()),
        "airports_insufficient": int(result.loc[result["status"] == "insufficient_data", "origin_airport"].nunique()),
        "anomalies": int(result["is_anomaly"].sum()),
        "gap_days": int((result["status"] == "gap").sum()),
    }


def run_year(settings: Settings, year: int, method: str | None = None) -> dict[str, Any]:
    started = time.monotonic()
    method = method or settings.anomaly_method
    daily = read_year(settings, AIRPORT_DAILY, year)
    if daily.empty:
        raise FlightlakeError(f"no daily figures for {year} in the analytics zone: run stage_to_analytics first")
    result = detect(daily, year, method)
    write_year(settings, AIRPORT_DAILY_ANOMALIES, year, result)
    figures = {"rows_in": len(daily), "method": method, **summarize(result)}
    manifest = {"job": "detect_anomalies", "year": year, "duration_s": round(time.monotonic() - started, 2), **figures}
    write_manifest(settings, AIRPORT_DAILY_ANOMALIES, year, manifest)
    catalog.register_partition(AIRPORT_DAILY_ANOMALIES, settings, year, {k: str(v) for k, v in figures.items()})
    return manifest
