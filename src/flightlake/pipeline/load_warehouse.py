"""DAG task `load_warehouse`: the year's flagged daily figures into `dw.airport_daily_delays`.

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


def run(settings: Settings, year: int, airflow_run_id: str | None = None) -> dict[str, Any]:
    """The task: load the year, return the counts the run record holds."""
    result = connect(settings).load_year(year, airflow_run_id, on_step=lambda step: print(f"load {year}: {step}"))
    print(
        f"warehouse {year}: {result.rows_staged} staged, {result.rows_inserted} inserted, {result.rows_updated} "
        f"updated, {result.rows_deleted} deleted; {result.rows_for_year} rows for the year"
    )
    return result.as_dict()
