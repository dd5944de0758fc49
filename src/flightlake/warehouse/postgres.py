"""The warehouse on PostgreSQL 15+: the embedded stack's server, or the compose `postgres` service.

A load is one transaction through psycopg: the statements of `load_script`, with the staging
table filled by COPY FROM STDIN from the year's Parquet in the analytics zone (read with Arrow).
Loading the same year twice leaves the same rows with the same values, plus one
`dw.pipeline_runs` row per load; a failure at any step rolls everything back.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flightlake.lake.arrow_io import arrow_schema, read_year
from flightlake.lake.tables import AIRPORT_DAILY_ANOMALIES
from flightlake.settings import Settings
from flightlake.warehouse.base import RUN_FIELDS, LoadResult, StepCallback, Warehouse, WarehouseLoadError
from flightlake.warehouse.columns import LOADED_COLUMNS, RUNS_TABLE, STAGE_TABLE, names
from flightlake.warehouse.load_script import load_steps, now, psycopg_sql, run_parameters
from flightlake.warehouse.sql_files import ddl_files, statements

if TYPE_CHECKING:
    import pandas as pd

APPLICATION_NAME = "flightlake-load"
CONNECT_TIMEOUT_S = 10


class PostgresWarehouse(Warehouse):
    name = "postgres"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def load_year(
        self, year: int, airflow_run_id: str | None = None, on_step: StepCallback | None = None
    ) -> LoadResult:
        source_uri = AIRPORT_DAILY_ANOMALIES.partition_uri(self.settings, year)
        frame = read_year(self.settings, AIRPORT_DAILY_ANOMALIES, year)
        if frame.empty:
            raise WarehouseLoadError(f"nothing to load for {year}: {source_uri} is empty; run detect_anomalies first")
        return load_frame(self.settings.require_warehouse_dsn(), year, frame, source_uri, airflow_run_id, on_step)

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        import pandas as pd
        import psycopg

        with psycopg.connect(self.settings.require_warehouse_dsn(), connect_timeout=CONNECT_TIMEOUT_S) as conn:
            cursor = conn.execute(psycopg_sql(sql), params or {})
            columns = [c.name for c in cursor.description or []]
            return pd.DataFrame(cursor.fetchall(), columns=columns)

    def apply_ddl(self, directory: Path) -> int:
        return apply_ddl(self.settings.require_warehouse_dsn(), directory)


def apply_ddl(dsn: str, directory: Path) -> int:
    """Run every DDL file, statement by statement, in one transaction. Idempotent (IF NOT EXISTS)."""
    import psycopg

    count = 0
    with psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT_S) as conn:
        for path in ddl_files(directory):
            for statement in statements(path.read_text()):
                try:
                    conn.execute(statement)
                except psycopg.Error as error:
                    raise WarehouseLoadError(f"{path.name}: {error}\nin statement:\n{statement}") from error
                count += 1
    return count


def _stage_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as Python values in the staging table's column order (Arrow turns NaN into NULL)."""
    import pyarrow as pa

    schema = arrow_schema(AIRPORT_DAILY_ANOMALIES)
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


def load_frame(
    dsn: str,
    year: int,
    frame: pd.DataFrame,
    source_uri: str,
    airflow_run_id: str | None = None,
    on_step: StepCallback | None = None,
) -> LoadResult:
    """Load `frame` (the year's anomaly rows) in one transaction; rolled back on any error."""
    import psycopg

    started = time.monotonic()
    params = run_parameters(year, source_uri, airflow_run_id)
    columns = ", ".join(names(LOADED_COLUMNS))
    rows = _stage_rows(frame)
    step = "connect"
    try:
        with psycopg.connect(dsn, application_name=APPLICATION_NAME, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            for step, statement in load_steps():
                if on_step:
                    on_step(step)
                if step == "finish_run":
                    params["finished_at"] = now()
                conn.execute(psycopg_sql(statement), params)
                if step == "create_stage":
                    step = "copy_stage"
                    if on_step:
                        on_step(step)
                    with conn.cursor().copy(f"COPY {STAGE_TABLE} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            record = conn.execute(
                f"SELECT {', '.join(RUN_FIELDS)} FROM {RUNS_TABLE} WHERE run_id = %(run_id)s", params
            ).fetchone()
    except psycopg.Error as error:
        raise WarehouseLoadError(
            f"loading {year} failed at step {step!r} and was rolled back: {str(error).strip()}"
        ) from error
    assert record is not None
    return LoadResult(params["run_id"], year, *record, duration_s=round(time.monotonic() - started, 2))
