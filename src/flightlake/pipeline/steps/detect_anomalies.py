"""Flags the days out of the ordinary, per airport, each with a score and a reason.

Reads `analytics.airport_daily` for the year (one row per airport and day flown), scores every
airport against its own ordinary days with `FLIGHTLAKE_ANOMALY_METHOD` (see `flightlake.anomalies`),
and publishes `analytics.airport_daily_anomalies`: every day of the year for every airport, with
the figures, a status (scored, gap, insufficient_data), a score, the flag and a reason. The data
is small (one row per airport and day), so this runs in the Airflow worker with pandas, not Spark.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from flightlake.errors import PermanentError
from flightlake.lake.provenance import table_identity
from flightlake.lake.publish import publish_partition
from flightlake.lake.tables import AIRPORT_DAILY, AIRPORT_DAILY_ANOMALIES
from flightlake.settings import Settings

if TYPE_CHECKING:
    import pandas as pd


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


def run(settings: Settings, year: int, run_id: str | None = None) -> dict[str, Any]:
    """The step: score the year, publish the flagged table, return its manifest."""
    from flightlake.anomalies import detect
    from flightlake.lake.arrow_io import read_year, write_year

    started = time.monotonic()
    daily = read_year(settings, AIRPORT_DAILY, year)
    if daily.empty:
        raise PermanentError(f"no daily figures for {year} in the analytics zone: run stage_to_analytics first")
    result = detect(daily, year, settings.anomaly_method)
    write_year(settings, AIRPORT_DAILY_ANOMALIES, year, result)
    figures = {"rows_in": len(daily), "method": settings.anomaly_method, "run_id": run_id, **summarize(result)}
    figures["raw_identity"] = table_identity(settings, AIRPORT_DAILY, year)
    manifest = publish_partition(settings, AIRPORT_DAILY_ANOMALIES, year, "detect_anomalies", started, figures)
    print(
        f"anomalies {year}: {manifest['anomalies']} flagged at {manifest['airports_scored']} scored airports "
        f"({manifest['airports_insufficient']} with too little data), {manifest['gap_days']} missing airport-days"
    )
    return manifest
