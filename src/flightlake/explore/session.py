"""One DuckDB connection that answers queries over the lake and the warehouse.

For each query, the tables it names are looked up (Glue databases for the lake, the `dw` schema
for the warehouse), opened once and registered under the names Athena and Redshift use, e.g.
`flightlake_stage.flights` or `dw.airport_daily_delays`; anything else is an unknown table whose
message lists the known ones. After registration the connection is locked down (no file
access, no configuration change), so a query reads what was registered and nothing else.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from flightlake.explore.lake_tables import CatalogTable, catalog_tables, glue_client, open_dataset
from flightlake.explore.results import Rows
from flightlake.explore.statements import QueryError, TableName, first_line, named_tables, read_only_query
from flightlake.explore.warehouse_tables import SCHEMA as WAREHOUSE_SCHEMA
from flightlake.explore.warehouse_tables import WarehouseReader
from flightlake.settings import Settings

_MISSING_COLUMN = re.compile(
    r'(?:Referenced column "?([^"\s]+)"? not found|"([^"]+)" does not have a column named "([^"]+)")', re.IGNORECASE
)
_CANDIDATES = re.compile(r"Candidate bindings: (.+)$", re.MULTILINE)


BATCH_ROWS = 100_000  # rows per batch of a streamed result: a few MB for the lake's widest tables


@dataclass(frozen=True)
class Answer:
    """A query's result, what it read and how long it took."""

    table: pa.Table
    tables: tuple[str, ...]
    seconds: float


class LakeSession:
    """Queries over the lake (Glue tables) and the warehouse (`dw`), registered on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connection = duckdb.connect()
        self.registered: set[str] = set()
        self._catalog: dict[str, CatalogTable] | None = None
        self._glue: Any = None
        self._warehouse: WarehouseReader | None = None
        self._locked = False

    def close(self) -> None:
        self.connection.close()
        if self._warehouse is not None:
            self._warehouse.close()

    def __enter__(self) -> LakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def glue(self) -> Any:
        if self._glue is None:
            self._glue = glue_client(self.settings)
        return self._glue

    def catalog(self) -> dict[str, CatalogTable]:
        if self._catalog is None:
            self._catalog = catalog_tables(self.settings, self.glue)
        return self._catalog

    def warehouse(self) -> WarehouseReader:
        if self._warehouse is None:
            if self.settings.warehouse != "postgres":
                raise QueryError("dw tables are read from PostgreSQL; on AWS, ask Redshift (or --env for Athena)")
            self._warehouse = WarehouseReader(self.settings.require_warehouse_dsn())
        return self._warehouse

    def known_tables(self) -> list[str]:
        """Every name a query can use, for the message of an unknown table."""
        names = sorted(self.catalog())
        try:
            names += [f"{WAREHOUSE_SCHEMA}.{name}" for name in sorted(self.warehouse().tables())]
        except QueryError:
            pass  # the lake's names are still worth listing
        return names

    def query(self, sql: str) -> Answer:
        """Run one read-only query, its whole result in memory; errors name the table or column at fault."""
        started = time.monotonic()
        rows = self.stream(sql)
        arrow = pa.Table.from_batches(list(rows.batches), rows.schema)
        return Answer(arrow, tuple(map(str, named_tables(sql))), round(time.monotonic() - started, 3))

    def stream(self, sql: str, batch_rows: int = BATCH_ROWS) -> Rows:
        """Run one read-only query; its result comes batch by batch, as DuckDB produces it, so
        memory stays flat however many rows it has. An error while the rows flow (a value that
        does not convert, the lake gone) is a QueryError too."""
        text = read_only_query(sql)
        for table in named_tables(text):
            self._register(table)
        self._lock()
        try:
            result = self.connection.sql(text)
            if result is None:
                return Rows.of(pa.table({}))
            reader = result.to_arrow_reader(batch_rows)
        except duckdb.Error as error:
            raise self._explain_error(error) from error
        return Rows(reader.schema, self._flowing(reader))

    def _flowing(self, reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
        try:
            yield from reader
        except duckdb.Error as error:
            raise self._explain_error(error) from error
        except OSError as error:  # DuckDB's errors come through Arrow's stream as OSError
            raise QueryError(f"query failed: {first_line(error)}") from error

    def explain(self, sql: str) -> str:
        """DuckDB's plan of the query: the Arrow scans with the filters pushed into them."""
        answer = self.query(f"EXPLAIN {read_only_query(sql)}")
        return "\n".join(str(value) for value in answer.table.column(answer.table.num_columns - 1).to_pylist())

    def _register(self, table: TableName) -> None:
        key = str(table)
        if key in self.registered:
            return
        if table.schema == WAREHOUSE_SCHEMA:
            if table.name not in self.warehouse().tables():
                raise self._unknown(table)
            data: object = self.warehouse().read(table.name)
        elif key in self.catalog():
            data = open_dataset(self.settings, self.catalog()[key], self.glue)
        else:
            raise self._unknown(table)
        hidden = f"_flightlake_{len(self.registered)}"
        self.connection.register(hidden, data)
        self.connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{table.schema}"')
        self.connection.execute(f'CREATE VIEW "{table.schema}"."{table.name}" AS SELECT * FROM {hidden}')
        self.registered.add(key)

    def _lock(self) -> None:
        if not self._locked:
            self.connection.execute("SET enable_external_access = false")
            self.connection.execute("SET autoinstall_known_extensions = false")
            self.connection.execute("SET autoload_known_extensions = false")
            self._locked = True

    def _unknown(self, table: TableName) -> QueryError:
        known = ", ".join(self.known_tables()) or "none (has a run written anything?)"
        hint = "" if table.schema else " (name it with its database, as Athena does)"
        return QueryError(f"unknown table {table}{hint}; known tables: {known}")

    def _explain_error(self, error: duckdb.Error) -> QueryError:
        message = str(error)
        missing = _MISSING_COLUMN.search(message)
        if missing:
            candidates = _CANDIDATES.search(message)
            also = f"; closest: {candidates.group(1).replace(chr(34), '')}" if candidates else ""
            column = missing.group(1) or f"{missing.group(2)}.{missing.group(3)}"
            return QueryError(f"unknown column {column}{also}")
        return QueryError(f"query failed: {first_line(error)}")
