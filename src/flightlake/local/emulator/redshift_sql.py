"""The SQL side of the Redshift Data API stand-in: named parameters, the dialect, typed values.

- Named parameters as the Data API takes them: `:name` in the SQL, values as strings that the
  database casts where they are used. They become psycopg placeholders bound as untyped
  literals, so PostgreSQL casts them from their context just as Redshift does.
- The dialect: the statements run on PostgreSQL, which accepts things Redshift does not, and
  Redshift has syntax PostgreSQL lacks. Both kinds are refused by name, so a statement that only
  PostgreSQL would run fails here as it would on Redshift (`check_dialect`). COPY from S3 is
  carried out by `redshift_copy`.
- Redshift syntax with a PostgreSQL equivalent is run as that equivalent (`to_postgres`): the
  role-based grants (`GRANT ... TO ROLE r`, `REVOKE ... FROM ROLE r`) the deploy's grants send.
- Result values typed as the Data API types them (longValue, doubleValue, booleanValue,
  stringValue, blobValue, isNull), with column metadata.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterator
from typing import Any

_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_SPAN = re.compile(r"'(?:[^']|'')*'?|\"(?:[^\"]|\"\")*\"?|--[^\n]*|/\*.*?(?:\*/|$)", re.S)

# Redshift syntax the stand-in does not run, and PostgreSQL syntax Redshift does not accept.
NOT_EMULATED = (
    (r"\bUNLOAD\b", "UNLOAD"),
    (r"\bCREATE\s+EXTERNAL\b", "CREATE EXTERNAL (Redshift Spectrum)"),
    (r"\b(?:DISTKEY|DISTSTYLE|SORTKEY|INTERLEAVED)\b", "distribution and sort keys"),
    (r"\bENCODE\s+(?:AZ64|ZSTD|LZO|RAW|BYTEDICT|DELTA|DELTA32K|MOSTLY\d+|RUNLENGTH|TEXT255|TEXT32K|AUTO)\b",
     "column compression encodings"),
    (r"\bCREATE\s+LIBRARY\b", "CREATE LIBRARY"),
)  # fmt: skip
NOT_REDSHIFT = (
    (r"\bON\s+CONFLICT\b", "INSERT ... ON CONFLICT (use MERGE)"),
    (r"\bRETURNING\b", "RETURNING"),
    (r"\bCREATE\s+(?:UNIQUE\s+)?INDEX\b", "CREATE INDEX (Redshift has no indexes)"),
    (r"\b(?:SMALL|BIG)?SERIAL\b", "SERIAL columns (use IDENTITY)"),
    (r"\bGENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b", "GENERATED ... AS IDENTITY"),
    (r"\bJSONB\b", "the JSONB type"),
    (r"\bMERGE\s+INTO\s+[\w.\"]+\s+(?:AS\s+)?(?!USING\b)[A-Za-z_]\w*\s+USING\b", "an alias for MERGE's target table"),
)
# Redshift syntax PostgreSQL spells otherwise: (pattern, replacement), applied to code only.
TRANSLATED = (
    # Role-based access control: Redshift names the grantee a ROLE; to PostgreSQL a role is a grantee.
    (r"\b(TO|FROM)\s+ROLE\s+", r"\1 "),
)
_LONG = {"int2", "int4", "int8", "oid"}
_DOUBLE = {"float4", "float8"}
_TEXT = {"varchar", "bpchar", "text", "name", "char"}


class StatementError(Exception):
    """A statement failed; the message is what DescribeStatement's Error says (`ERROR: ...`)."""


def code_spans(sql: str) -> Iterator[tuple[bool, str]]:
    """The statement cut into (is_code, text) pieces: quoted text, quoted names and comments are
    not code, so a `:word` or a keyword inside them is left alone."""
    position = 0
    for match in _SPAN.finditer(sql):
        if match.start() > position:
            yield True, sql[position : match.start()]
        yield False, match.group(0)
        position = match.end()
    if position < len(sql):
        yield True, sql[position:]


def bind(sql: str, parameters: dict[str, str]) -> str:
    """The statement with `:name` as psycopg placeholders (and `%` escaped for psycopg); a name
    without a value fails the statement, as it does on Redshift."""
    pieces = []
    for is_code, text in code_spans(sql):
        text = text.replace("%", "%%")
        if is_code:
            for name in _PARAMETER.findall(text):
                if name not in parameters:
                    raise StatementError(f'ERROR: parameter ":{name}" is used in the statement but has no value')
            text = _PARAMETER.sub(r"%(\1)s", text)
        pieces.append(text)
    return "".join(pieces)


def check_dialect(sql: str) -> None:
    """Refuse, by name, what Redshift would not run or what the stand-in does not emulate."""
    code = " ".join(text for is_code, text in code_spans(sql) if is_code)
    for pattern, feature in NOT_REDSHIFT:
        if re.search(pattern, code, re.I):
            raise StatementError(f"ERROR: {feature} is PostgreSQL syntax that Amazon Redshift does not accept")
    for pattern, feature in NOT_EMULATED:
        if re.search(pattern, code, re.I):
            raise StatementError(
                f"ERROR: {feature} is Redshift syntax the emulator does not run (its Data API runs statements on "
                "PostgreSQL; COPY FROM 's3://...' FORMAT AS PARQUET is the one Redshift-only statement it carries out)"
            )


def to_postgres(sql: str) -> str:
    """The statement as PostgreSQL spells it, for the Redshift syntax of `TRANSLATED`."""
    pieces = []
    for is_code, text in code_spans(sql):
        if is_code:
            for pattern, replacement in TRANSLATED:
                text = re.sub(pattern, replacement, text, flags=re.I)
        pieces.append(text)
    return "".join(pieces)


def typed_field(value: Any, type_name: str) -> dict[str, Any]:
    """One value as a Data API `Field`."""
    if value is None:
        return {"isNull": True}
    if type_name == "bool":
        return {"booleanValue": bool(value)}
    if type_name in _LONG:
        return {"longValue": int(value)}
    if type_name in _DOUBLE and math.isfinite(value):
        return {"doubleValue": float(value)}
    if type_name == "bytea":
        return {"blobValue": base64.b64encode(bytes(value)).decode()}
    return {"stringValue": str(value)}  # dates 2013-01-31, timestamps 2013-01-31 12:00:00, as Redshift prints them


def column_metadata(description: Any) -> list[dict[str, Any]]:
    """ColumnMetadata for a psycopg cursor's description."""
    from psycopg.postgres import types

    columns = []
    for column in description:
        info = types.get(column.type_code)
        type_name = info.name if info else str(column.type_code)
        columns.append(
            {
                "name": column.name,
                "label": column.name,
                "typeName": type_name,
                "isCaseSensitive": type_name in _TEXT,
                "isCurrency": False,
                "isSigned": type_name in _LONG | _DOUBLE | {"numeric"},
                "length": column.display_size or column.internal_size or 0,
                "precision": column.precision or 0,
                "scale": column.scale or 0,
                "nullable": 1,
                "schemaName": "",
                "tableName": "",
            }
        )
    return columns


def result_size(records: list[list[dict[str, Any]]]) -> int:
    """Roughly the bytes of a result, as DescribeStatement's ResultSize reports it."""
    return sum(len(str(next(iter(field.values())))) for record in records for field in record)
