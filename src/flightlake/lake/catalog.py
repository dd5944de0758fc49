"""Glue Data Catalog registration: tables and year partitions, written by the jobs themselves.

No crawlers (docs/ARCHITECTURE.md): after a successful write, the writer calls `register_partition`,
which is deterministic, free, and the same call against the emulator and in AWS.
"""

from __future__ import annotations

from typing import Any

from flightlake.lake.aws import client
from flightlake.lake.schemas import PARTITION_COLUMN
from flightlake.lake.tables import Table
from flightlake.settings import Settings

_PARQUET = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
}
_CSV = {
    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.OpenCSVSerde",
        "Parameters": {"separatorChar": ",", "quoteChar": '"'},
    },
}


def _storage(table: Table, location: str) -> dict[str, Any]:
    formats = _PARQUET if table.data_format == "parquet" else _CSV
    return {
        "Columns": [{"Name": name, "Type": kind} for name, kind in table.columns],
        "Location": location,
        **formats,
    }


def table_input(table: Table, settings: Settings) -> dict[str, Any]:
    parameters = {"classification": table.data_format, "flightlake.managed": "true"}
    if table.data_format == "csv":
        parameters["skip.header.line.count"] = "1"
    return {
        "Name": table.name,
        "Description": table.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": [{"Name": PARTITION_COLUMN[0], "Type": PARTITION_COLUMN[1]}],
        "StorageDescriptor": _storage(table, table.location(settings)),
    }


def ensure_database(glue: Any, name: str) -> bool:
    """Create a Glue database unless it exists; True when it was created."""
    try:
        glue.get_database(Name=name)
        return False
    except glue.exceptions.EntityNotFoundException:
        glue.create_database(DatabaseInput={"Name": name, "Description": "flightlake lake zone"})
        return True


def ensure_table(glue: Any, table: Table, settings: Settings) -> None:
    """Create the table, or bring its definition up to date (columns may have changed)."""
    database = settings.glue_databases[table.zone]
    ensure_database(glue, database)
    definition = table_input(table, settings)
    try:
        glue.get_table(DatabaseName=database, Name=table.name)
    except glue.exceptions.EntityNotFoundException:
        glue.create_table(DatabaseName=database, TableInput=definition)
        return
    glue.update_table(DatabaseName=database, TableInput=definition)


def register_partition(table: Table, settings: Settings, year: int, parameters: dict[str, str] | None = None) -> None:
    """Make the table and its year partition exist and point at the data just written."""
    glue = client("glue", settings)
    ensure_table(glue, table, settings)
    database = settings.glue_databases[table.zone]
    partition = {
        "Values": [str(year)],
        "StorageDescriptor": _storage(table, table.partition_uri(settings, year)),
        "Parameters": parameters or {},
    }
    try:
        glue.get_partition(DatabaseName=database, TableName=table.name, PartitionValues=[str(year)])
    except glue.exceptions.EntityNotFoundException:
        glue.create_partition(DatabaseName=database, TableName=table.name, PartitionInput=partition)
        return
    glue.update_partition(
        DatabaseName=database, TableName=table.name, PartitionValueList=[str(year)], PartitionInput=partition
    )


def partition_years(table: Table, settings: Settings) -> list[int]:
    """Years registered for a table (empty when the table does not exist yet)."""
    glue = client("glue", settings)
    database = settings.glue_databases[table.zone]
    years: list[int] = []
    try:
        pages = glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table.name)
        for page in pages:
            years.extend(int(p["Values"][0]) for p in page["Partitions"])
    except glue.exceptions.EntityNotFoundException:
        return []
    return sorted(years)
