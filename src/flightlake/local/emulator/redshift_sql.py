"""The SQL side of the Redshift Data API stand-in: named parameters, the dialect, typed values.

- Named parameters as the Data API takes them: `:name` in the SQL (not inside quotes or
  comments), every value a string that Redshift "implicitly converts to the proper data type"
  where the statement gives one: compared with a column, inserted into or set on one, or cast.
  They become psycopg placeholders bound as untyped literals, so PostgreSQL converts them from
  that context too. A parameter standing alone in a select list has no such context: there the
  value stays a string (VARCHAR), so `INSERT ... SELECT :year` into an INTEGER column fails as it
  would on Redshift, and `CAST(:year AS INTEGER)` is the fix. A parameter the SQL does not use is
  refused when the statement is submitted (`unused_parameters`), with the Data API's error.
- The dialect: the statements run on PostgreSQL, which accepts things Redshift does not, and
  Redshift has syntax PostgreSQL lacks. Both kinds are refused by name, so a statement that only
  PostgreSQL would run fails here as it would on Redshift (`check_dialect`, with Redshift's
  grammar and the committed list of `redshift_refusals`). COPY from S3 is carried out by
  `redshift_copy`.
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

from flightlake.local.emulator.redshift_refusals import findings

_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_TOKEN = re.compile(r"(?<![:\w]):[A-Za-z_]\w*|[A-Za-z_]\w*|::|[(),;]|\S")
# Where a select list ends (at its own depth of parentheses).
_CLAUSE_WORDS = frozenset((
    "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "MINUS", "INTO",
    "WINDOW", "QUALIFY",
))  # fmt: skip
# Words after a parameter that make it part of an expression (which gives it a type).
_OPERATOR_WORDS = frozenset((
    "AND", "OR", "IS", "IN", "NOT", "LIKE", "ILIKE", "SIMILAR", "BETWEEN", "COLLATE", "AT", "OVERLAPS", "ISNULL",
    "NOTNULL",
))  # fmt: skip
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


def masked(sql: str) -> str:
    """The statement with quoted text, quoted names and comments blanked out (same length), so
    that what is left is code: a `:word` or a keyword inside them is never read."""
    return "".join(text if is_code else " " * len(text) for is_code, text in code_spans(sql))


def used_parameters(sql: str) -> set[str]:
    """The names of the `:name` parameters the statement uses."""
    return set(_PARAMETER.findall(masked(sql)))


def unused_parameters(sqls: list[str], names: list[str]) -> list[str]:
    """The parameters no statement of the request uses: the Data API refuses the request."""
    used = set().union(*(used_parameters(sql) for sql in sqls))
    return [name for name in names if name not in used]


def standalone_parameters(sql: str) -> set[int]:
    """Offsets of the parameters that stand alone as an item of a select list (`SELECT :a, :b
    AS b`): nothing there says which type the value is."""
    code = masked(sql)
    tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(code)]
    in_select = [False]  # per depth of parentheses: whether a select list is being read
    found: set[int] = set()
    for index, (token, offset) in enumerate(tokens):
        word = token.upper()
        if token == "(":
            in_select.append(False)
        elif token == ")" and len(in_select) > 1:
            in_select.pop()
        elif word == "SELECT":
            in_select[-1] = True
        elif word in _CLAUSE_WORDS:
            in_select[-1] = False
        elif token.startswith(":") and in_select[-1]:
            before = tokens[index - 1][0].upper() if index else ""
            after = tokens[index + 1][0].upper() if index + 1 < len(tokens) else ""
            alone_after = after in ("", ",", ")", ";", "FROM", "AS") or (
                after.isidentifier() and after not in _OPERATOR_WORDS
            )
            if before in ("SELECT", ",", "DISTINCT", "ALL") and alone_after:
                found.add(offset)
    return found


def bind(sql: str, parameters: dict[str, str]) -> str:
    """The statement with `:name` as psycopg placeholders (and `%` escaped for psycopg); a
    parameter alone in a select list stays a string (`CAST(... AS VARCHAR)`); a name without a
    value fails the statement, as it does on Redshift."""
    standalone = standalone_parameters(sql)
    pieces, position = [], 0
    for match in _PARAMETER.finditer(masked(sql)):
        name = match.group(1)
        if name not in parameters:
            raise StatementError(f'ERROR: parameter ":{name}" is used in the statement but has no value')
        placeholder = f"%({name})s"
        pieces.append(sql[position : match.start()].replace("%", "%%"))
        pieces.append(f"CAST({placeholder} AS VARCHAR)" if match.start() in standalone else placeholder)
        position = match.end()
    pieces.append(sql[position:].replace("%", "%%"))
    return "".join(pieces)


def check_dialect(sql: str) -> None:
    """Refuse, by name, what Redshift would not run or what the stand-in does not emulate."""
    code = masked(sql)
    for pattern, feature in NOT_EMULATED:
        if re.search(pattern, code, re.I):
            raise StatementError(
                f"ERROR: {feature} is Redshift syntax the emulator does not run (its Data API runs statements on "
                "PostgreSQL; COPY FROM 's3://...' FORMAT AS PARQUET is the one Redshift-only statement it carries out)"
            )
    found = findings(sql)
    if found:
        described = "; ".join(f"{f.construct} ({f.fragment}): fix: {f.fix}; see {f.doc}" for f in found)
        raise StatementError(f"ERROR: Amazon Redshift does not accept {described}")


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
