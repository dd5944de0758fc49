"""Redshift's `COPY table FROM 's3://...' IAM_ROLE '...' FORMAT AS PARQUET`, carried out as
Redshift does it, on the stand-in's PostgreSQL.

- Every object whose key starts with the prefix is read: Redshift does not skip `_` or `.`
  files the way Spark and pyarrow do, so a JSON manifest beside the Parquet files is an error.
- Columns are matched by position: a file with another number of columns than the table (or
  than the COPY's column list), or a column whose Parquet type cannot go into the table's
  column, fails the statement, naming the file, as Redshift's Spectrum scan does. The types
  follow Redshift's Parquet mapping (`PARQUET_TYPES`), by the file's own Parquet types.
- A string longer than its VARCHAR(n) in bytes (Redshift counts UTF-8 bytes, PostgreSQL
  characters) fails the statement, as Redshift's load does.
- Then the rows go into the table inside the statement's transaction, so a failure anywhere
  leaves nothing behind (in a batch, nothing of the whole batch).
The options the project sends are IAM_ROLE and FORMAT AS PARQUET; other COPY options and
formats (CSV, JSON, MANIFEST, ...) are valid Redshift the stand-in does not carry out, and are
refused by name. The role is not checked: IAM is outside what the emulator can prove.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Imported here, in the emulator's main thread, on purpose: pyarrow imported for the first time
# on one of the statement threads (with psycopg loaded) crashes the process when that thread
# exits (a segfault in libarrow), taking the whole emulator down.
import pyarrow as pa
import pyarrow.parquet as pq

from flightlake.lake.aws import list_keys
from flightlake.local.emulator.own_clients import split_s3_uri
from flightlake.local.emulator.redshift_sql import StatementError

_COPY = re.compile(
    r"^\s*COPY\s+(?P<table>[\w$.\"]+)\s*(?:\((?P<columns>[^)]*)\))?\s+FROM\s+'(?P<source>(?:[^']|'')*)'(?P<options>.*?);?\s*$",
    re.I | re.S,
)
_OPTION = re.compile(
    r"\s*(?:(?P<role>IAM_ROLE)\s+(?:'(?:[^']|'')*'|DEFAULT)|FORMAT\s+(?:AS\s+)?(?P<format>\w+)|(?P<other>\S+))", re.I
)
_FORMATS = ("PARQUET", "CSV", "JSON", "AVRO", "ORC", "SHAPEFILE")
# Redshift's mapping of Parquet column types to its own, by the Parquet file's physical type and
# logical annotation: a column type loads only from these. Sources: "COPY from columnar data
# formats" (https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html)
# and Spectrum's data errors (https://repost.aws/knowledge-center/redshift-spectrum-data-errors):
# the column type must match the file's, decimals with the same precision and scale.
PARQUET_TYPES: dict[str, str] = {
    "smallint": "INT32 annotated INT(8|16, signed)",
    "integer": "INT32 (plain, or INT(8|16|32, signed))",
    "bigint": "INT32 or INT64 (plain, or INT(n, signed))",
    "numeric": "DECIMAL(p, s) of the column's own precision and scale",
    "real": "FLOAT",
    "double precision": "DOUBLE",
    "character varying": "BYTE_ARRAY annotated STRING",
    "character": "BYTE_ARRAY annotated STRING",
    "boolean": "BOOLEAN",
    "date": "INT32 annotated DATE",
    "timestamp without time zone": "INT96, or INT64 annotated TIMESTAMP(MILLIS|MICROS)",
    "timestamp with time zone": "INT96, or INT64 annotated TIMESTAMP(MILLIS|MICROS, UTC)",
}
_INTEGER_BITS = {"smallint": 16, "integer": 32, "bigint": 64}
_PHYSICAL_BITS = {"INT32": 32, "INT64": 64}


@dataclass(frozen=True)
class CopyCommand:
    table: str
    columns: tuple[str, ...]  # empty: every column of the table, in order
    source: str


def parse_copy(sql: str) -> CopyCommand | None:
    """The COPY to carry out; None when the statement is not a COPY. A COPY the stand-in cannot
    carry out is refused by name (StatementError)."""
    if not re.match(r"^\s*COPY\b", sql, re.I):
        return None
    match = _COPY.match(sql)
    if not match:
        raise StatementError("ERROR: the emulator carries out COPY table [(columns)] FROM 's3://...' only")
    source = match.group("source").replace("''", "'")
    if not source.startswith("s3://"):
        raise StatementError(f"ERROR: COPY from '{source}': the emulator's Redshift copies from s3:// only")
    has_role, data_format = False, None
    for option in _OPTION.finditer(match.group("options")):
        if option.group("role"):
            has_role = True
        elif option.group("format") or (option.group("other") or "").upper() in _FORMATS:
            data_format = (option.group("format") or option.group("other")).upper()
        elif option.group("other"):
            raise StatementError(
                f"ERROR: COPY option {option.group('other')} is not carried out by the emulator's Redshift "
                "(it runs IAM_ROLE '...' FORMAT AS PARQUET)"
            )
    if not has_role:
        raise StatementError("ERROR: COPY from S3 needs credentials: IAM_ROLE '<role arn>'")
    if data_format != "PARQUET":
        format_name = data_format or "text"
        raise StatementError(f"ERROR: COPY ... FORMAT {format_name}: the emulator's Redshift copies Parquet only")
    columns = tuple(name.strip().strip('"') for name in (match.group("columns") or "").split(",") if name.strip())
    return CopyCommand(match.group("table"), columns, source)


def run_copy(conn: Any, command: CopyCommand, s3: Any) -> int:
    """Load every object under the prefix into the table; returns the rows loaded."""
    columns = _target_columns(conn, command)
    bucket, prefix = split_s3_uri(command.source)
    objects = sorted(list_keys(s3, bucket, prefix), key=lambda obj: obj["Key"])
    if not objects:
        raise StatementError(f"ERROR: The specified S3 prefix '{prefix}' does not exist")
    tables = []
    for obj in objects:  # every file is checked before a row is written, as one scan would
        uri = f"s3://{bucket}/{obj['Key']}"
        body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        try:
            parquet = pq.ParquetFile(pa.BufferReader(body))
            table = parquet.read()
        except (pa.ArrowException, OSError) as error:
            raise _scan_error(15007, f"File '{uri}' has an invalid version number: it is not a Parquet file") from error
        _check_schema(parquet.schema, columns, uri)
        _check_lengths(table, columns, uri)
        tables.append(table)
    names = ", ".join(name for name, _ in columns)
    loaded = 0
    with conn.cursor().copy(f"COPY {command.table} ({names}) FROM STDIN") as copy:
        for table in tables:
            for row in zip(*(column.to_pylist() for column in table.columns), strict=True):
                copy.write_row(row)
            loaded += table.num_rows
    return loaded


def _target_columns(conn: Any, command: CopyCommand) -> list[tuple[str, str]]:
    """(name, SQL type) of the columns the COPY fills, in order."""
    if conn.execute("SELECT to_regclass(%s)", (command.table,)).fetchone()[0] is None:
        raise StatementError(f'ERROR: relation "{command.table}" does not exist')
    rows = conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (command.table,),
    ).fetchall()
    if not command.columns:
        return [(name, kind) for name, kind in rows]
    kinds = dict(rows)
    missing = [name for name in command.columns if name.lower() not in kinds and name not in kinds]
    if missing:
        raise StatementError(f'ERROR: column "{missing[0]}" of relation "{command.table}" does not exist')
    return [(name, kinds.get(name.lower(), kinds.get(name))) for name in command.columns]


def _check_schema(schema: Any, columns: list[tuple[str, str]], uri: str) -> None:
    """The file's Parquet columns (`pq.ParquetSchema`) against the table's, by position."""
    if len(schema) != len(columns):
        raise _scan_error(
            15001,
            f"Unmatched number of columns between table and file. Table columns: {len(columns)}, "
            f"Data columns: {len(schema)}, File name: {uri}",
        )
    for index, (name, sql_type) in enumerate(columns):
        column = schema.column(index)
        if not _fits(column, sql_type):
            raise _scan_error(
                15007,
                f"File '{uri}' has an incompatible Parquet schema for column '{uri}.{column.name}'. "
                f"Column type: {sql_type.upper()} ({name}), Parquet type: {parquet_type(column)} "
                f"(Redshift loads {sql_type.split('(')[0].upper()} from {_accepted(sql_type)})",
            )


def parquet_type(column: Any) -> str:
    """A Parquet column's type as the file declares it: physical type and logical annotation."""
    logical = str(column.logical_type)
    return column.physical_type if logical in ("None", "") else f"{column.physical_type} annotated {logical}"


def _accepted(sql_type: str) -> str:
    return PARQUET_TYPES.get(sql_type.split("(")[0].strip().lower(), "no Parquet type the emulator knows")


def _fits(column: Any, sql_type: str) -> bool:
    """Whether Redshift loads this Parquet column into a column of `sql_type` (`PARQUET_TYPES`)."""
    base = sql_type.split("(")[0].strip().lower()
    physical, logical = column.physical_type, column.logical_type
    kind = logical.type if logical is not None else "NONE"
    if base in _INTEGER_BITS:
        if physical not in _PHYSICAL_BITS or kind not in ("NONE", "INT"):
            return False
        bits, signed = (_PHYSICAL_BITS[physical], True) if kind == "NONE" else _int_annotation(logical)
        return signed and bits <= _INTEGER_BITS[base]
    if base == "numeric":
        return kind == "DECIMAL" and (column.precision, column.scale) == _precision_scale(sql_type)
    if base == "real":
        return physical == "FLOAT"
    if base == "double precision":
        return physical == "DOUBLE"
    if base in ("character varying", "character"):
        return physical == "BYTE_ARRAY" and kind == "STRING"
    if base == "boolean":
        return physical == "BOOLEAN"
    if base == "date":
        return physical == "INT32" and kind == "DATE"
    if base.startswith("timestamp"):
        if physical == "INT96":
            return True
        units = str(logical) if kind == "TIMESTAMP" else ""
        return physical == "INT64" and ("milliseconds" in units or "microseconds" in units)
    return False


def _int_annotation(logical: Any) -> tuple[int, bool]:
    """(bit width, signed) of an INT(n, signed) annotation, from its description."""
    described = str(logical)  # e.g. "Int(bitWidth=16, isSigned=true)"
    bits = int(described.split("bitWidth=")[1].split(",")[0])
    return bits, "isSigned=true" in described


def _precision_scale(sql_type: str) -> tuple[int, int]:
    inside = sql_type.split("(")[1].rstrip(")") if "(" in sql_type else "18,0"
    precision, _, scale = inside.partition(",")
    return int(precision), int(scale or 0)


def _check_lengths(table: Any, columns: list[tuple[str, str]], uri: str) -> None:
    """VARCHAR(n) and CHAR(n) hold n bytes of UTF-8 on Redshift, whatever PostgreSQL counts."""
    import pyarrow.compute as pc

    for index, (name, sql_type) in enumerate(columns):
        if not sql_type.lower().startswith(("character varying(", "character(")):
            continue
        limit = int(sql_type.split("(")[1].rstrip(")"))
        longest = pc.max(pc.binary_length(table.column(index).cast(pa.string()))).as_py() or 0
        if longest > limit:
            raise StatementError(
                f"ERROR: Load into table failed: String length exceeds DDL length. Column {name} "
                f"{sql_type.upper()} holds {limit} bytes; a value in '{uri}' has {longest} bytes (UTF-8)"
            )


def _scan_error(code: int, context: str) -> StatementError:
    """An error in the shape Redshift reports a failed Parquet scan."""
    return StatementError(f"ERROR: Spectrum Scan Error. code: {code} context: {context}")
