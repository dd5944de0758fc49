"""What every warehouse offers the pipeline: load a year, answer a query, apply the DDL.

Two implementations, chosen once by `flightlake.warehouse.connect` from `FLIGHTLAKE_WAREHOUSE`:
PostgreSQL (embedded stack, Docker Compose) and Amazon Redshift through the Redshift Data API
(AWS). They run the same SQL (`load_script`, `postgres_init/`); only the way rows reach the
staging table and the way statements are sent differ.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flightlake.errors import FlightlakeError

if TYPE_CHECKING:
    import pandas as pd

StepCallback = Callable[[str], None]
RUN_FIELDS = ("rows_staged", "rows_inserted", "rows_updated", "rows_deleted", "rows_for_year", "anomalies_for_year")


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


class Warehouse(ABC):
    """A warehouse the pipeline loads into and the dashboard reads from."""

    name: str

    @abstractmethod
    def load_year(
        self, year: int, airflow_run_id: str | None = None, on_step: StepCallback | None = None
    ) -> LoadResult:
        """Load the year's anomaly table from the analytics zone: one transaction, idempotent."""

    @abstractmethod
    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """A small result (counts, the dashboard's rows) as a frame; `:name` parameters."""

    @abstractmethod
    def apply_ddl(self, directory: Path) -> int:
        """Run every DDL file of `directory` in one transaction; returns the statement count."""
