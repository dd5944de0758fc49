"""Read from the warehouse, whichever it is: psycopg for PostgreSQL, the Data API for Redshift.

Only for small results (counts, a year's anomalous days for the dashboard). Queries use
`:name` parameters, as in the load script.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from flightlake.settings import Settings
from flightlake.warehouse import _psycopg_sql


def query(settings: Settings, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    params = params or {}
    if settings.warehouse == "redshift":
        return _redshift(settings, sql, params)
    import psycopg

    with psycopg.connect(settings.require_warehouse_dsn(), connect_timeout=10) as conn:
        cursor = conn.execute(_psycopg_sql(sql), params)
        columns = [c.name for c in cursor.description or []]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def _redshift(settings: Settings, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    from flightlake.aws import client
    from flightlake.redshift_load import run_query

    return run_query(client("redshift-data", settings), settings, sql, params, "a warehouse query")
