"""The lake's tables as the Glue Data Catalog describes them, opened as Arrow datasets.

A table registered in the catalog is queryable with no other set-up: its columns, format and
partitions (each with its own location) come from Glue, not from `flightlake.lake.tables`, so a
table another tool registered is seen too. Every file of a partition becomes a fragment tagged
with the partition's values, so DuckDB's filter on `year` (pushed down into the Arrow scan) skips
the other partitions' files without opening them. Files are reached through the same pyarrow S3
filesystem the pipeline uses (the emulator locally), never through a hard-coded endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.fs

from flightlake.explore.statements import QueryError
from flightlake.lake.arrow_io import ARROW_TYPES
from flightlake.lake.aws import arrow_filesystem, client
from flightlake.settings import Settings

# Glue types the pipeline does not write but another tool's table may have.
_MORE_TYPES = {"float": pa.float32(), "smallint": pa.int16(), "tinyint": pa.int8(), "timestamp": pa.timestamp("us")}
_DECIMAL = re.compile(r"^decimal\((\d+),\s*(\d+)\)$")


@dataclass(frozen=True)
class CatalogTable:
    """One Glue table: where its files are, in what format, with which columns and partition keys."""

    database: str
    name: str
    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[tuple[str, str], ...]
    data_format: str  # parquet | csv
    location: str
    header_lines: int

    @property
    def qualified_name(self) -> str:
        return f"{self.database}.{self.name}"

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(name, arrow_type(kind, self.qualified_name)) for name, kind in self.all_columns])

    @property
    def all_columns(self) -> tuple[tuple[str, str], ...]:
        return self.columns + self.partition_keys


def arrow_type(glue_type: str, table: str) -> pa.DataType:
    kind = glue_type.strip().lower()
    if kind in ARROW_TYPES:
        return ARROW_TYPES[kind]
    if kind in _MORE_TYPES:
        return _MORE_TYPES[kind]
    decimal = _DECIMAL.match(kind)
    if decimal:
        return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
    raise QueryError(f"{table}: column type {glue_type!r} cannot be read here (only simple Glue types are)")


def _format(storage: dict[str, Any], parameters: dict[str, str]) -> str:
    described = " ".join(
        [parameters.get("classification", ""), storage.get("InputFormat", ""), str(storage.get("SerdeInfo", {}))]
    ).lower()
    return "parquet" if "parquet" in described else "csv"


def _catalog_table(database: str, table: dict[str, Any]) -> CatalogTable:
    storage = table.get("StorageDescriptor", {})
    parameters = table.get("Parameters", {})
    return CatalogTable(
        database=database,
        name=table["Name"],
        columns=tuple((c["Name"], c["Type"]) for c in storage.get("Columns", [])),
        partition_keys=tuple((k["Name"], k["Type"]) for k in table.get("PartitionKeys", [])),
        data_format=_format(storage, parameters),
        location=storage.get("Location", ""),
        header_lines=int(parameters.get("skip.header.line.count", "0") or 0),
    )


def glue_client(settings: Settings) -> Any:
    """One Glue client per session: making a boto3 client costs more than a catalog call."""
    return client("glue", settings)


def catalog_tables(settings: Settings, glue: Any) -> dict[str, CatalogTable]:
    """Every table of the lake's Glue databases, by `database.table` (one listing per database)."""
    tables: dict[str, CatalogTable] = {}
    for database in settings.glue_databases.values():
        try:
            for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
                for entry in page["TableList"]:
                    table = _catalog_table(database, entry)
                    tables[table.qualified_name] = table
        except glue.exceptions.EntityNotFoundException:
            continue  # a zone nothing was written to yet
    return tables


def _partitions(glue: Any, table: CatalogTable) -> Iterator[tuple[list[str], str]]:
    """(values, location) of every partition the catalog holds for the table."""
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName=table.database, TableName=table.name)
    for page in pages:
        for partition in page["Partitions"]:
            yield partition["Values"], partition["StorageDescriptor"]["Location"]


def _path(location: str) -> str:
    """`s3://bucket/key/` as pyarrow's S3 filesystem names it: `bucket/key`."""
    return re.sub(r"^s3[an]?://", "", location).rstrip("/")


def _data_files(filesystem: pyarrow.fs.FileSystem, location: str) -> list[str]:
    """The data files under a location; markers (`_SUCCESS`, `.crc`) and empty objects left out,
    as Athena and Spark leave them out."""
    try:
        infos = filesystem.get_file_info(pyarrow.fs.FileSelector(_path(location), recursive=True))
    except FileNotFoundError:
        return []
    return sorted(
        info.path
        for info in infos
        if info.type == pyarrow.fs.FileType.File
        and info.size
        and not info.base_name.startswith(("_", "."))
        and not info.base_name.endswith(".crc")
    )


def _file_format(table: CatalogTable) -> ds.FileFormat:
    if table.data_format == "parquet":
        return ds.ParquetFileFormat()
    names = [name for name, _ in table.columns]
    schema = table.arrow_schema()
    return ds.CsvFileFormat(
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=table.header_lines),
        convert_options=pacsv.ConvertOptions(column_types={n: schema.field(n).type for n in names}),
    )


def _partition_filter(table: CatalogTable, values: list[str]) -> ds.Expression:
    schema = table.arrow_schema()
    expression = None
    for (name, _), value in zip(table.partition_keys, values, strict=True):
        term = ds.field(name) == pa.scalar(value).cast(schema.field(name).type)
        expression = term if expression is None else expression & term
    assert expression is not None
    return expression


def open_dataset(settings: Settings, table: CatalogTable, glue: Any) -> ds.Dataset:
    """The table as one Arrow dataset: its files, each tagged with its partition's values."""
    filesystem = arrow_filesystem(settings)
    schema = table.arrow_schema()
    paths: list[str] = []
    partitions: list[ds.Expression] = []
    if table.partition_keys:
        for values, location in _partitions(glue, table):
            files = _data_files(filesystem, location)
            paths.extend(files)
            partitions.extend([_partition_filter(table, values)] * len(files))
    else:
        paths = _data_files(filesystem, table.location)
    return ds.FileSystemDataset.from_paths(
        paths, schema=schema, format=_file_format(table), filesystem=filesystem, partitions=partitions or None
    )
