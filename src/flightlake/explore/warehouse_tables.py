"""The warehouse's tables for a lake query: the Spectrum stand-in, over a read-only connection.

DuckDB's postgres extension would be the obvious bridge, but it is downloaded on first use and
this machine has no internet. So each `dw` table a query names is copied into Arrow: one
`COPY (SELECT ...) TO STDOUT` in CSV, parsed by pyarrow with the types PostgreSQL declares for
its columns (far faster than fetching rows into Python). Only the tables the query names are
copied, once per query. The session is read-only (`default_transaction_read_only`), so nothing
a query does can reach the warehouse's data.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.csv as pacsv

from flightlake.explore.statements import QueryError

SCHEMA = "dw"  # the warehouse schema of postgres_init/ and of Redshift
CONNECT_TIMEOUT_S = 10
APPLICATION_NAME = "flightlake-sql"

_ARROW_TYPES = {
    "smallint": pa.int16(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "real": pa.float32(),
    "double precision": pa.float64(),
    "numeric": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp without time zone": pa.timestamp("us"),
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
}
_COLUMNS_SQL = """
SELECT table_name, column_name, data_type FROM information_schema.columns
WHERE table_schema = %(schema)s ORDER BY table_name, ordinal_position
"""


class WarehouseReader:
    """Reads `dw` tables into Arrow over one read-only PostgreSQL session."""

    def __init__(self, dsn: str) -> None:
        import psycopg

        try:
            self.connection = psycopg.connect(
                dsn, connect_timeout=CONNECT_TIMEOUT_S, application_name=APPLICATION_NAME, autocommit=True
            )
        except psycopg.Error as error:
            raise QueryError(f"the warehouse cannot be reached: {str(error).strip().splitlines()[0]}") from error
        self.connection.execute("SET default_transaction_read_only = on")
        self._columns: dict[str, list[tuple[str, str]]] | None = None

    def close(self) -> None:
        self.connection.close()

    def tables(self) -> dict[str, list[tuple[str, str]]]:
        """Every table and view of the schema with its (column, PostgreSQL type) list."""
        if self._columns is None:
            columns: dict[str, list[tuple[str, str]]] = {}
            for table, column, kind in self.connection.execute(_COLUMNS_SQL, {"schema": SCHEMA}).fetchall():
                columns.setdefault(table, []).append((column, kind))
            self._columns = columns
        return self._columns

    def read(self, table: str) -> pa.Table:
        """The whole table as Arrow, typed as PostgreSQL declares it."""
        from psycopg import sql

        columns = self.tables()[table]
        statement = sql.SQL("COPY (SELECT * FROM {}.{}) TO STDOUT (FORMAT csv, HEADER)").format(
            sql.Identifier(SCHEMA), sql.Identifier(table)
        )
        buffer = io.BytesIO()
        with self.connection.transaction(), self.connection.cursor().copy(statement) as copy:
            for block in copy:
                buffer.write(block)
        buffer.seek(0)
        return pacsv.read_csv(buffer, convert_options=_convert_options(columns))


def _convert_options(columns: Iterable[tuple[str, str]]) -> pacsv.ConvertOptions:
    """PostgreSQL's CSV: NULL is an empty unquoted field, "" an empty string, booleans t and f."""
    return pacsv.ConvertOptions(
        column_types={name: _ARROW_TYPES.get(kind, pa.string()) for name, kind in columns},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["t"],
        false_values=["f"],
    )
