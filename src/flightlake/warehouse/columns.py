"""The columns of `dw.airport_daily_delays`, written once.

The loaded columns are the lake table `analytics.airport_daily_anomalies` (`flightlake.lake.schemas`)
with their SQL types; the warehouse adds the year, the load's run id and time. From this list come
the load's staging table and its MERGE (`load_script`); `postgres_init/01_schema.sql` and the
Superset dataset are files that other tools read as they are, so tests hold them to this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from flightlake.lake.schemas import DAILY_ANOMALY_COLUMNS

TABLE = "dw.airport_daily_delays"
RUNS_TABLE = "dw.pipeline_runs"
STAGE_TABLE = "stage_airport_daily"
KEY: tuple[str, ...] = ("flight_date", "origin_airport")

_SQL_TYPES = {"date": "DATE", "int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE PRECISION", "boolean": "BOOLEAN"}
# Text columns get a bound, as Redshift wants one: airport codes, statuses, method names, reasons.
_VARCHAR_LENGTHS = {"origin_airport": 8, "status": 20, "method": 32, "reason": 512}


def _sql_type(name: str, kind: str) -> str:
    return f"VARCHAR({_VARCHAR_LENGTHS[name]})" if kind == "string" else _SQL_TYPES[kind]


# What a load stages and merges, in the lake table's order (also the Parquet files' order).
LOADED_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (name, _sql_type(name, kind)) for name, kind in DAILY_ANOMALY_COLUMNS
)
# What the load sets itself.
LOAD_COLUMNS: tuple[tuple[str, str], ...] = (("year", "INTEGER"), ("run_id", "VARCHAR(64)"), ("loaded_at", "TIMESTAMP"))
# The table as the DDL declares it: the key, the year, the figures, then the load's columns.
TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    *LOADED_COLUMNS[: len(KEY)],
    LOAD_COLUMNS[0],
    *LOADED_COLUMNS[len(KEY) :],
    *LOAD_COLUMNS[1:],
)


@dataclass(frozen=True)
class WarehouseTable:
    """A warehouse table as a pipeline step's input or output (what the DAG's Assets name)."""

    name: str  # schema.table


AIRPORT_DAILY_DELAYS = WarehouseTable(TABLE)


def names(columns: tuple[tuple[str, str], ...]) -> list[str]:
    return [name for name, _ in columns]
