"""Load a year's daily summary with anomaly flags into the warehouse: one transaction, idempotent.

The steps live in `sql/load_airport_daily.sql` and are the same on PostgreSQL (embedded stack,
compose) and Amazon Redshift (AWS): stage the rows, record the run, delete rows the source no
longer has, MERGE on (flight_date, origin_airport), finish the run record. Only the staging fill
differs: COPY FROM STDIN through psycopg locally, COPY from the analytics zone's Parquet on
Redshift. Loading the same year twice leaves the same rows with the same values, plus one
`dw.pipeline_runs` row per load; a failure at any step rolls everything back.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pandas as pd

from flightlake.arrow_io import arrow_schema, read_year
from flightlake.errors import FlightlakeError
from flightlake.lake import AIRPORT_DAILY_ANOMALIES
from flightlake.settings import Settings
from flightlake.sql_files import statements

STAGE_TABLE = "stage_airport_daily"
APPLICATION_NAME = "flightlake-load"
StepCallback = Callable[[str], None]
_STEP_MARK = re.compile(r"^-- step: (\w+)\s*$", re.MULTILINE)
_PARAMETER = re.compile(r"(?<![:\w]):([a-z_]+)")


class WarehouseLoadError(FlightlakeError):
    """The load failed and was rolled back; the message names the step."""


@dataclass(frozen=True)
class LoadResult:
    run_id: str
    year: int
    rows_staged: int
    rows_inserted: int
    rows_updated: int
    rows_deleted: int
    rows_for_year: int
    anomalies_for_year: int
    duration_s: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_steps() -> list[tuple[str, str]]:
    """The named statements of the load script, in order."""
    text = resources.files("flightlake").joinpath("sql/load_airport_daily.sql").read_text()
    parts = _STEP_MARK.split(text)
    steps = []
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        (statement,) = statements(body)  # one statement per step
        steps.append((name, statement))
    return steps


def parameter_names(statement: str) -> list[str]:
    return sorted(set(_PARAMETER.findall(statement)))


def _psycopg_sql(statement: str) -> str:
    """`:name` (Redshift Data API style) -> `%(name)s` (psycopg style)."""
    return _PARAMETER.sub(r"%(\1)s", statement)


def _parameters(year: int, source_uri: str, airflow_run_id: str | None) -> dict[str, Any]:
    return {
        "run_id": uuid.uuid4().hex,
        "year": year,
        "source_uri": source_uri,
        "airflow_run_id": airflow_run_id,
        "started_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
    }


def load_year(
    settings: Settings, year: int, airflow_run_id: str | None = None, on_step: StepCallback | None = None
) -> LoadResult:
    """Load the year's anomaly table from the analytics zone into the configured warehouse."""
    source_uri = AIRPORT_DAILY_ANOMALIES.partition_uri(settings, year)
    if settings.warehouse == "redshift":
        from flightlake.redshift_load import load_redshift

        return load_redshift(settings, year, source_uri, _parameters(year, source_uri, airflow_run_id), on_step)
    frame = read_year(settings, AIRPORT_DAILY_ANOMALIES, year)
    if frame.empty:
        raise WarehouseLoadError(f"nothing to load for {year}: {source_uri} is empty; run detect_anomalies first")
    return load_postgres(settings.require_warehouse_dsn(), year, frame, source_uri, airflow_run_id, on_step)


def _stage_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as Python values in the staging table's column order (Arrow turns NaN into NULL)."""
    import pyarrow as pa

    schema = arrow_schema(AIRPORT_DAILY_ANOMALIES)
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


def load_postgres(
    dsn: str,
    year: int,
    frame: pd.DataFrame,
    source_uri: str,
    airflow_run_id: str | None = None,
    on_step: StepCallback | None = None,
) -> LoadResult:
    import psycopg

    started = time.monotonic()
    params = _parameters(year, source_uri, airflow_run_id)
    columns = ", ".join(arrow_schema(AIRPORT_DAILY_ANOMALIES).names)
    rows = _stage_rows(frame)
    step = "connect"
    try:
        with psycopg.connect(dsn, application_name=APPLICATION_NAME, connect_timeout=10) as conn:
            for step, statement in load_steps():
                if on_step:
                    on_step(step)
                if step == "finish_run":
                    params["finished_at"] = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
                conn.execute(_psycopg_sql(statement), params)
                if step == "create_stage":
                    step = "copy_stage"
                    if on_step:
                        on_step(step)
                    with conn.cursor().copy(f"COPY {STAGE_TABLE} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            record = conn.execute(
                "SELECT rows_staged, rows_inserted, rows_updated, rows_deleted, rows_for_year, anomalies_for_year "
                "FROM dw.pipeline_runs WHERE run_id = %(run_id)s",
                params,
            ).fetchone()
    except psycopg.Error as error:
        raise WarehouseLoadError(
            f"loading {year} failed at step {step!r} and was rolled back: {str(error).strip()}"
        ) from error
    assert record is not None
    return LoadResult(params["run_id"], year, *record, duration_s=round(time.monotonic() - started, 2))
