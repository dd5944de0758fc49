"""What a query may be and which tables it names, decided by DuckDB's own parser.

A query can never change the lake or the warehouse: only one SELECT (WITH ... SELECT included) or
an EXPLAIN of one is run. The check is a parse, not a keyword match, so `select 1; drop ...` or
`explain analyze insert ...` are refused however they are written. It is one of three locks: the
lake is read through Arrow datasets DuckDB cannot write to, and the warehouse through a read-only
PostgreSQL transaction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import duckdb

from flightlake.errors import FlightlakeError

_EXPLAIN_PREFIX = re.compile(r"^\s*explain\s+(?:analy[sz]e\s+|\([^)]*\)\s*)?", re.IGNORECASE)
_TOO_DEEP = (
    "the query nests subqueries too deeply to be read (a few hundred levels at most). "
    "Fix: name the inner queries with WITH and select from them"
)


class QueryError(FlightlakeError):
    """The query cannot run as written (syntax, a table or column that does not exist, a write);
    the message names what is wrong, in one line."""


@dataclass(frozen=True)
class TableName:
    """A table as a query names it: `schema.table`, or a bare name (schema None)."""

    schema: str | None
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


def first_line(error: BaseException) -> str:
    """DuckDB's messages start with a kind ("Parser Error: ") and run on with context lines."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return re.sub(r"^[A-Za-z ]+ Error: ", "", text)


def read_only_query(sql: str) -> str:
    """The query's text if it is one SELECT, WITH or EXPLAIN of one; a QueryError otherwise."""
    _check_text(sql)
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise bad_query(first_line(error)) from error
    if not statements:
        raise QueryError("no query given: pass one as an argument, with --file, or on standard input")
    if len(statements) > 1:
        raise QueryError(f"one query at a time: this text holds {len(statements)} statements")
    statement = statements[0]
    if statement.type == duckdb.StatementType.EXPLAIN:
        try:
            inner_statements = duckdb.extract_statements(explained(sql))
        except duckdb.Error as error:
            raise bad_query(first_line(error)) from error
        if len(inner_statements) != 1 or inner_statements[0].type != duckdb.StatementType.SELECT:
            raise QueryError("read-only: EXPLAIN is run only for a SELECT or WITH query")
    elif statement.type != duckdb.StatementType.SELECT:
        raise QueryError(f"read-only: only a SELECT, WITH or EXPLAIN query is run, not {statement.type.name}")
    return sql.strip().rstrip(";").strip()


def bad_query(message: str) -> QueryError:
    """The parser's complaint; its nesting limit said with a fix that works here (its own hint, a
    SET, is refused)."""
    return QueryError(_TOO_DEEP if "max expression depth" in message.lower() else f"bad query: {message}")


def _check_text(sql: str) -> None:
    """Text DuckDB cannot be given: bytes that were not UTF-8 (in an argument or a prompt line,
    which Python keeps as lone surrogates)."""
    try:
        sql.encode("utf-8")
    except UnicodeEncodeError as error:
        raise QueryError(
            f"the query holds bytes that are not UTF-8 text (at character {error.start + 1}). "
            "Fix: write the query in UTF-8"
        ) from None


def without_comments(sql: str) -> str:
    """The text with its comments blanked out, as DuckDB's tokenizer finds them (so a `--` or
    `/*` inside a string stays). The tokenizer counts UTF-8 bytes, so the blanking does too."""
    tokens = duckdb.tokenize(sql)
    kept = bytearray(sql.encode("utf-8"))
    for index, (start, kind) in enumerate(tokens):
        if kind == duckdb.token_type.comment:
            end = tokens[index + 1][0] if index + 1 < len(tokens) else len(kept)
            kept[start:end] = b" " * (end - start)
    return kept.decode("utf-8")


def explained(sql: str) -> str:
    """What an EXPLAIN statement explains (with or without ANALYZE or options, comments anywhere);
    other text unchanged."""
    return _EXPLAIN_PREFIX.sub("", without_comments(sql), count=1)


def named_tables(sql: str) -> list[TableName]:
    """The tables (and views) a query reads, without its CTEs: only those get registered, so a
    query on one table never lists or opens the others. Read from DuckDB's syntax tree
    (`json_serialize_sql`), a parse without binding, so names that exist nowhere yet are found."""
    text = explained(sql)
    serialized = duckdb.execute("SELECT json_serialize_sql($sql)", {"sql": text}).fetchall()[0][0]
    try:
        tree = json.loads(serialized)
    except RecursionError:  # the C decoder's nesting limit, well below DuckDB's own
        raise QueryError(_TOO_DEEP) from None
    if tree.get("error"):
        raise bad_query(tree.get("error_message", "it cannot be parsed"))
    references: list[TableName] = []
    ctes: set[str] = set()
    _walk(tree, references, ctes)
    tables = {t for t in references if t.schema or t.name not in ctes}
    return sorted(tables, key=str)


def _walk(tree: object, references: list[TableName], ctes: set[str]) -> None:
    """Every table reference and CTE name in the tree; a loop, not recursion, since a query may
    nest subqueries hundreds deep."""
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                references.append(TableName(node.get("schema_name") or None, node["table_name"]))
            if isinstance(node.get("cte_map"), dict):
                ctes.update(entry["key"] for entry in node["cte_map"].get("map", []))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
