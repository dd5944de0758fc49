"""What Amazon Redshift refuses that a SQL parser (and PostgreSQL) accepts: the committed list.

A statement is first read with a real Redshift grammar, sqlglot's `redshift` dialect. That
grammar is lenient: it reads PostgreSQL's syntax too (ON CONFLICT, JSONB, DISTINCT ON, ...), and
some valid Redshift statements it leaves unparsed. So on top of it, this module holds
- `REFUSED`: each construct Redshift refuses although the parser accepts it, with the AWS
  documentation page that says so and the fix;
- `RESERVED_WORDS`: Redshift's reserved words, which PostgreSQL takes as names;
- `UNPARSED_REDSHIFT`: the statements sqlglot leaves unparsed that Redshift runs (each with its
  page); any other unparsed statement is reported, never passed unread.

`findings(sql)` applies all of it to one statement. Both the Redshift Data API stand-in (a
statement that uses one of these fails as on Redshift) and `make check-aws` (every statement
the Redshift path sends, before a deploy) use it, so the list is written once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

DIALECT = "redshift"
DOCS = "https://docs.aws.amazon.com/redshift/latest/dg/"

# https://docs.aws.amazon.com/redshift/latest/dg/r_pg_keywords.html, as listed there.
_RESERVED = """
AES128 AES256 ALL ALLOWOVERWRITE ANALYSE ANALYZE AND ANY ARRAY AS ASC AUTHORIZATION AZ64 BACKUP BETWEEN
BINARY BLANKSASNULL BOTH BYTEDICT BZIP2 CASE CAST CHECK COLLATE COLUMN CONSTRAINT CREATE CREDENTIALS CROSS
CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURRENT_USER_ID DEFAULT DEFERRABLE DEFLATE DEFRAG
DELTA DELTA32K DESC DISABLE DISTINCT DO ELSE EMPTYASNULL ENABLE ENCODE ENCRYPT ENCRYPTION END EXCEPT EXPLICIT
FALSE FOR FOREIGN FREEZE FROM FULL GLOBALDICT256 GLOBALDICT64K GRANT GROUP GZIP HAVING IDENTITY IGNORE ILIKE
IN INITIALLY INNER INTERSECT INTERVAL INTO IS ISNULL JOIN LEADING LEFT LIKE LIMIT LOCALTIME LOCALTIMESTAMP
LUN LUNS LZO LZOP MINUS MOSTLY16 MOSTLY32 MOSTLY8 NATURAL NEW NOT NOTNULL NULL NULLS OFF OFFLINE OFFSET OID
OLD ON ONLY OPEN OR ORDER OUTER OVERLAPS PARALLEL PARTITION PERCENT PERMISSIONS PIVOT PLACING PRIMARY RAW
READRATIO RECOVER REFERENCES REJECTLOG RESORT RESPECT RESTORE RIGHT SELECT SESSION_USER SIMILAR SNAPSHOT SOME
SYSDATE SYSTEM TABLE TAG TDES TEXT255 TEXT32K THEN TIMESTAMP TO TOP TRAILING TRUE TRUNCATECOLUMNS UNION
UNIQUE UNNEST UNPIVOT USER USING VERBOSE WALLET WHEN WHERE WITH WITHOUT
"""
RESERVED_WORDS = frozenset(_RESERVED.split())
RESERVED_DOC = DOCS + "r_pg_keywords.html"
# Statements sqlglot leaves unparsed (a `Command`) that Redshift runs, by their first words.
UNPARSED_REDSHIFT: tuple[tuple[str, str], ...] = (
    (r"CREATE\s+ROLE\s+\w+$", DOCS + "r_CREATE_ROLE.html"),
    (r"ALTER\s+DEFAULT\s+PRIVILEGES\b", DOCS + "r_ALTER_DEFAULT_PRIVILEGES.html"),
    (r"REVOKE\b", DOCS + "r_REVOKE.html"),
    (r"GRANT\b.*\bON\s+ALL\s+TABLES\s+IN\s+SCHEMA\b", DOCS + "r_GRANT.html"),
)


@dataclass(frozen=True)
class Finding:
    """One construct of one statement that Redshift would refuse."""

    construct: str
    fragment: str  # the words of the statement at fault
    fix: str
    doc: str


@dataclass(frozen=True)
class Refusal:
    """A construct Redshift refuses although the parser accepts it."""

    construct: str
    doc: str
    fix: str
    find: Callable[[exp.Expression], Iterator[str]]  # the fragments of a parsed statement that use it


def _column_types(*kinds: exp.DataType.Type) -> Callable[[exp.Expression], Iterator[str]]:
    def find(statement: exp.Expression) -> Iterator[str]:
        for column in statement.find_all(exp.ColumnDef):
            kind = column.args.get("kind")
            if isinstance(kind, exp.DataType) and kind.this in kinds:
                yield f"{column.name} {kind.sql('postgres')}"  # as written, not as Redshift would rename it

    return find


def _nodes(kind: type[exp.Expression], where: Callable[[exp.Expression], bool] = bool) -> Callable:
    def find(statement: exp.Expression) -> Iterator[str]:
        for node in statement.find_all(kind):
            if where(node):
                yield _short(node.sql(DIALECT))

    return find


def _insert_part(part: str, words: str) -> Callable[[exp.Expression], Iterator[str]]:
    def find(statement: exp.Expression) -> Iterator[str]:
        for insert in statement.find_all(exp.Insert):
            if insert.args.get(part) is not None:
                yield words

    return find


def _identity_generated(statement: exp.Expression) -> Iterator[str]:
    for column in statement.find_all(exp.ColumnDef):
        for constraint in column.args.get("constraints") or []:
            if isinstance(constraint.args.get("kind"), exp.GeneratedAsIdentityColumnConstraint):
                yield f"{column.name} ... GENERATED AS IDENTITY"


def _create_index(statement: exp.Expression) -> Iterator[str]:
    if isinstance(statement, exp.Create) and str(statement.args.get("kind") or "").upper() == "INDEX":
        yield _short(statement.sql(DIALECT))


def _merge_whens(statement: exp.Expression) -> Iterator[str]:
    for merge in statement.find_all(exp.Merge):
        whens = merge.args.get("whens")
        clauses = list(whens.expressions) if whens is not None else []
        matched = {bool(clause.args.get("matched")) for clause in clauses}
        if len(clauses) != 2 or matched != {True, False}:
            yield f"MERGE with {len(clauses)} WHEN clause(s)"


def _merge_alias(statement: exp.Expression) -> Iterator[str]:
    for merge in statement.find_all(exp.Merge):
        target = merge.this
        if isinstance(target, exp.Table) and target.alias:
            yield f"MERGE INTO {target.name} AS {target.alias}"


def _distinct_on(statement: exp.Expression) -> Iterator[str]:
    for distinct in statement.find_all(exp.Distinct):
        if distinct.args.get("on") is not None:
            yield _short(distinct.sql(DIALECT))


def _unsized_varchar(statement: exp.Expression) -> Iterator[str]:
    for column in statement.find_all(exp.ColumnDef):
        kind = column.args.get("kind")
        unsized = isinstance(kind, exp.DataType) and not kind.expressions
        if unsized and kind.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.NVARCHAR):
            yield f"{column.name} VARCHAR"


REFUSED: tuple[Refusal, ...] = (
    Refusal("INSERT ... ON CONFLICT (an upsert)", DOCS + "r_INSERT_30.html",
            "load into a staging table and MERGE from it", _insert_part("conflict", "ON CONFLICT")),
    Refusal("INSERT ... RETURNING", DOCS + "r_INSERT_30.html",
            "select the rows again after the INSERT", _insert_part("returning", "RETURNING")),
    Refusal("CREATE INDEX (Redshift has no indexes)", DOCS + "c_unsupported-postgresql-features.html",
            "drop it: Redshift sorts and distributes instead (SORTKEY, DISTKEY)", _create_index),
    Refusal("a SERIAL column", DOCS + "c_unsupported-postgresql-datatypes.html",
            "INTEGER IDENTITY(1, 1) (or BIGINT IDENTITY(1, 1))",
            _column_types(exp.DataType.Type.SERIAL, exp.DataType.Type.BIGSERIAL, exp.DataType.Type.SMALLSERIAL)),
    Refusal("GENERATED ... AS IDENTITY", DOCS + "r_CREATE_TABLE_NEW.html",
            "IDENTITY(seed, step) after the column's type", _identity_generated),
    Refusal("a JSON or JSONB column", DOCS + "c_unsupported-postgresql-datatypes.html",
            "SUPER (semi-structured data), or VARCHAR(n)",
            _column_types(exp.DataType.Type.JSON, exp.DataType.Type.JSONB)),
    Refusal("an array, UUID, BYTEA or XML column", DOCS + "c_unsupported-postgresql-datatypes.html",
            "SUPER for arrays, VARCHAR(36) for a UUID, VARBYTE for bytes",
            _column_types(exp.DataType.Type.ARRAY, exp.DataType.Type.UUID, exp.DataType.Type.VARBINARY,
                          exp.DataType.Type.XML)),
    Refusal("a TEXT column (Redshift makes it VARCHAR(256), counted in bytes)", DOCS + "r_Character_types.html",
            "VARCHAR(n) with n the longest value in bytes (UTF-8), not characters",
            _column_types(exp.DataType.Type.TEXT)),
    Refusal("a VARCHAR column without a length (Redshift makes it VARCHAR(256), counted in bytes)",
            DOCS + "r_Character_types.html", "VARCHAR(n) with n the longest value in bytes (UTF-8)",
            _unsized_varchar),
    Refusal("an aggregate's FILTER (WHERE ...)", DOCS + "c_Aggregate_Functions.html",
            "SUM(CASE WHEN ... THEN 1 ELSE 0 END), or the condition inside the aggregate", _nodes(exp.Filter)),
    Refusal("SELECT DISTINCT ON (...)", DOCS + "r_SELECT_list.html",
            "ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) = 1 in a subquery", _distinct_on),
    Refusal("a LATERAL subquery", DOCS + "r_FROM_clause30.html", "a join on a derived table, or a window function",
            _nodes(exp.Lateral)),
    Refusal("a MERGE without exactly one WHEN MATCHED and one WHEN NOT MATCHED", DOCS + "r_MERGE.html",
            "write both clauses (WHEN MATCHED THEN UPDATE|DELETE, WHEN NOT MATCHED THEN INSERT), or use "
            "DELETE + INSERT", _merge_whens),
    Refusal("an alias for MERGE's target table", DOCS + "r_MERGE.html",
            "name the target table itself in the ON and SET clauses", _merge_alias),
)  # fmt: skip


def parse(sql: str) -> exp.Expression:
    """The statement as Redshift's grammar reads it (ParseError when it cannot)."""
    import logging

    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its "falling back to Command" warnings
    parsed = sqlglot.parse_one(sql, read=DIALECT)
    if parsed is None:
        raise ParseError("empty statement")
    return parsed


def findings(sql: str) -> list[Finding]:
    """What of this one statement Redshift would refuse; empty when nothing."""
    try:
        statement = parse(sql)
    except ParseError as error:
        syntax = Finding("a syntax error in Redshift's grammar", _parse_error(error), "correct the statement",
                         DOCS + "c_SQL_reference.html")  # fmt: skip
        return [syntax]
    if isinstance(statement, exp.Command):
        return _unparsed(sql)
    found = [Finding(r.construct, fragment, r.fix, r.doc) for r in REFUSED for fragment in r.find(statement)]
    for name in reserved_names(statement):
        found.append(Finding(f'the reserved word "{name}" as a name', name,
                             f'rename it, or quote it as "{name.lower()}" everywhere', RESERVED_DOC))  # fmt: skip
    return found


def reserved_names(statement: exp.Expression) -> list[str]:
    """Unquoted names (columns, tables, aliases) that Redshift reserves."""
    names = []
    for identifier in statement.find_all(exp.Identifier):
        if not identifier.quoted and identifier.name.upper() in RESERVED_WORDS:
            names.append(identifier.name)
    return names


def _unparsed(sql: str) -> list[Finding]:
    text = " ".join(sql.split())
    if any(re.match(pattern, text, re.I) for pattern, _ in UNPARSED_REDSHIFT):
        return []
    return [
        Finding(
            "a statement Redshift's grammar does not read", _short(text),
            "write it as the Redshift SQL reference shows, or add its form and page to UNPARSED_REDSHIFT",
            DOCS + "c_SQL_commands.html",
        )
    ]  # fmt: skip


def _parse_error(error: ParseError) -> str:
    """The parser's first complaint, without its terminal colours."""
    if not error.errors:
        return re.sub(r"\x1b\[[0-9;]*m", "", str(error)).splitlines()[0]
    first = error.errors[0]
    near = re.sub(r"\x1b\[[0-9;]*m", "", str(first.get("highlight") or "")).strip()
    return f"{first.get('description')} at line {first.get('line')}, column {first.get('col')}" + (
        f" (near {near!r})" if near else ""
    )


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
