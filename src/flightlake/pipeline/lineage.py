"""What each task reads and writes, as Airflow Assets: the Airflow UI draws the lineage from them.

Lake tables are named as the Glue Data Catalog names them (`<database>.<table>`) and located by
their S3 folder; the warehouse table and the reports have names of their own. Built from the
settings, so a deployment with other buckets shows its own locations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flightlake.lake.tables import (
    AIRPORT_DAILY,
    AIRPORT_DAILY_ANOMALIES,
    RAW_FLIGHTS,
    STAGE_FLIGHTS,
    STAGE_REJECTS,
    Table,
    dashboard_key,
)
from flightlake.settings import Settings
from flightlake.warehouse.columns import TABLE as WAREHOUSE_TABLE


@dataclass(frozen=True)
class Lineage:
    """One Asset per dataset the DAG touches."""

    raw: Any
    stage: Any
    rejects: Any
    daily: Any
    anomalies: Any
    warehouse: Any
    charts: Any
    dashboard: Any


def lineage(settings: Settings) -> Lineage:
    from airflow.sdk import Asset

    def table(table: Table) -> Asset:
        return Asset(name=f"{settings.glue_databases[table.zone]}.{table.name}", uri=table.location(settings))

    reports = settings.zone("reports")
    return Lineage(
        raw=table(RAW_FLIGHTS),
        stage=table(STAGE_FLIGHTS),
        rejects=table(STAGE_REJECTS),
        daily=table(AIRPORT_DAILY),
        anomalies=table(AIRPORT_DAILY_ANOMALIES),
        warehouse=Asset(name=f"warehouse.{WAREHOUSE_TABLE}"),
        charts=Asset(name="reports.charts", uri=reports.uri("charts") + "/"),
        dashboard=Asset(name="reports.dashboard", uri=f"s3://{reports.bucket}/{dashboard_key(settings)}"),
    )
