"""The year's flagged days into the warehouse: one transaction, idempotent.

One transaction on whichever warehouse the settings name (`flightlake.warehouse.connect`):
stage the rows of `analytics.airport_daily_anomalies` for the year, record the run in
`dw.pipeline_runs`, delete the year's rows the source no longer has, MERGE on
(flight_date, origin_airport). Running a year twice leaves the same rows; a failure at any step
leaves the warehouse as it was.
"""

from __future__ import annotations

from typing import Any

from flightlake.settings import Settings
from flightlake.warehouse import connect


def run(settings: Settings, year: int, run_id: str | None = None) -> dict[str, Any]:
    """The step: load the year, return the counts its record in `dw.pipeline_runs` holds (with
    `run_id` as the orchestrator's run)."""
    result = connect(settings).load_year(year, run_id, on_step=lambda step: print(f"load {year}: {step}"))
    print(
        f"warehouse {year}: {result.rows_staged} staged, {result.rows_inserted} inserted, {result.rows_updated} "
        f"updated, {result.rows_deleted} deleted; {result.rows_for_year} rows for the year"
    )
    return result.as_dict()
