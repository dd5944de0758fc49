"""The warehouse: one interface (`Warehouse`), PostgreSQL or Amazon Redshift behind it.

connect(settings)   the configured warehouse (`FLIGHTLAKE_WAREHOUSE`), chosen here and only here
base                the interface, `LoadResult`, `WarehouseLoadError`
columns             the columns of dw.airport_daily_delays, written once
load_script         the load as named SQL steps, shared by both
postgres, redshift  the two implementations
sql_files           the project's SQL files as single statements (DDL, the load)
"""

from __future__ import annotations

from flightlake.settings import Settings
from flightlake.warehouse.base import LoadResult, Warehouse, WarehouseLoadError

__all__ = ["LoadResult", "Warehouse", "WarehouseLoadError", "connect"]


def connect(settings: Settings) -> Warehouse:
    """The warehouse the settings name: PostgreSQL through psycopg, or Redshift's Data API."""
    if settings.warehouse == "redshift":
        from flightlake.warehouse.redshift import RedshiftWarehouse

        return RedshiftWarehouse(settings)
    from flightlake.warehouse.postgres import PostgresWarehouse

    return PostgresWarehouse(settings)
