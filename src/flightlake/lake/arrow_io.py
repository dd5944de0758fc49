"""Reading and writing one year's partition of a lake table with pyarrow (no Spark).

Used by the steps that run in the Airflow worker (anomalies, charts, report, warehouse load):
their data is small (one row per airport and day), so a JVM would only add start-up time.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from flightlake.lake.aws import arrow_filesystem
from flightlake.lake.tables import Table
from flightlake.settings import Settings

# Glue (Hive) type names as Arrow types; the ad-hoc SQL reads the catalog's tables with the same map.
ARROW_TYPES = {
    "string": pa.string(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[kind]) for name, kind in table.columns])


def read_year(settings: Settings, table: Table, year: int) -> pd.DataFrame:
    """A year's partition as pandas (the year column is implied by the path, so not included);
    no rows when nothing was written for the year."""
    path = f"{table.bucket(settings)}/{table.partition_key(settings, year)}"
    schema = arrow_schema(table)
    try:
        dataset = ds.dataset(path, filesystem=arrow_filesystem(settings), format="parquet", schema=schema)
    except FileNotFoundError:
        return schema.empty_table().to_pandas()
    return dataset.to_table().to_pandas()


def write_year(settings: Settings, table: Table, year: int, frame: pd.DataFrame) -> str:
    """Replace a year's partition with one Parquet file; returns its key."""
    schema = arrow_schema(table)
    arrow_table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    table.clear_partition(settings, year)
    key = f"{table.partition_key(settings, year)}part-00000.parquet"
    pq.write_table(arrow_table, f"{table.bucket(settings)}/{key}", filesystem=arrow_filesystem(settings))
    return key
