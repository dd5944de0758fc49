"""Every SQL statement the Redshift path sends, with the file and line it comes from.

- The DDL the deploy (and the rehearsal) applies through the Data API: `postgres_init/*.sql` and
  `deploy/redshift/grants.sql`, statement by statement.
- The load batch as `warehouse.redshift` sends it: the steps of the load script (its column
  lists filled in) with the COPY after `create_stage`, and the values its parameters get.
- The SQL written in the Python modules of the Redshift path (`PYTHON_SOURCES`): string
  constants and f-strings that start with a statement's keyword, an f-string's `{...}` read as a
  name. Among them the deploy's CREATE ROLE and the queries of the load, the report and the
  dashboard. (The COPY's f-string is checked as the load batch sends it.)
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

from flightlake.lake.tables import AIRPORT_DAILY_ANOMALIES
from flightlake.settings import load_settings
from flightlake.warehouse import redshift
from flightlake.warehouse.load_script import LOAD_SQL, STEP_MARK, load_steps, run_parameters

DDL_SOURCES = ("postgres_init/*.sql", "deploy/redshift/grants.sql")
LOAD_SCRIPT = Path("src/flightlake/warehouse") / LOAD_SQL
PYTHON_SOURCES = (
    "src/flightlake/warehouse",
    "src/flightlake/pipeline",
    "src/flightlake/reporting",
    "src/flightlake/deploy/redshift_ddl.py",
)
NOT_REDSHIFT = ("src/flightlake/warehouse/postgres.py",)  # the PostgreSQL warehouse's own SQL
_STATEMENT_START = re.compile(
    r"^\s*(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO|CREATE|DROP|ALTER|GRANT|REVOKE|WITH|TRUNCATE)\s"
)
# The load's COPY source, as the Redshift warehouse builds it for a year of an environment's lake.
SAMPLE_SOURCE = AIRPORT_DAILY_ANOMALIES.partition_uri(
    load_settings({"FLIGHTLAKE_ANALYTICS_BUCKET": "flightlake-check-analytics"}), 2013
)
SAMPLE_ROLE = "arn:aws:iam::123456789012:role/flightlake-check-copy"


@dataclass(frozen=True)
class SqlStatement:
    file: str  # relative to the checkout
    line: int  # where the statement starts
    sql: str
    values: frozenset[str] | None = None  # the parameters the sender gives values to, when known
    # For a statement made from a template (the load's steps): the template file's text and
    # where the statement's part of it starts, to find a word's line there.
    source: str | None = None
    source_start: int = 0

    def line_of(self, word: str) -> int:
        """The line of the file where `word` first appears in this statement; else its first line."""
        text, start = (self.source, self.source_start) if self.source is not None else (self.sql, 0)
        match = re.search(re.escape(word), text[start:], re.I) if word else None
        if match is None:
            return self.line
        if self.source is not None:
            return text[: start + match.start()].count("\n") + 1
        return self.line + text[: match.start()].count("\n")


def all_statements(root: Path) -> list[SqlStatement]:
    return ddl_statements(root) + load_batch(root) + python_statements(root)


def numbered_statements(text: str) -> list[tuple[int, str]]:
    """The statements of a SQL script (as `sql_files.statements` cuts them), each with the line
    it starts on."""
    found: list[tuple[int, str]] = []
    start, lines = 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("--", 1)[0].rstrip()
        while ";" in code:
            before, code = code.split(";", 1)
            lines.append(before)
            start = start or number
            if "\n".join(lines).strip():
                found.append((start, "\n".join(lines).strip()))
            start, lines = 0, []
        if code.strip():
            start = start or number
            lines.append(code)
    if "\n".join(lines).strip():
        found.append((start, "\n".join(lines).strip()))
    return found


def ddl_statements(root: Path) -> list[SqlStatement]:
    paths = [path for pattern in DDL_SOURCES for path in sorted(root.glob(pattern))]
    return [
        SqlStatement(str(path.relative_to(root)), line, sql)
        for path in paths
        for line, sql in numbered_statements(path.read_text())
    ]


def load_batch(root: Path) -> list[SqlStatement]:
    """The load's statements as `RedshiftWarehouse.load_year` sends them, with the names of the
    parameters it gives values to."""
    text = (root / LOAD_SCRIPT).read_text()
    marks = {match.group(1): match for match in STEP_MARK.finditer(text)}
    values = {*run_parameters(2013, SAMPLE_SOURCE, "scheduled__2013-01-01"), "finished_at"}
    batch = []
    for name, sql in load_steps(text):
        mark = marks[name]
        line = text[: mark.start()].count("\n") + 2
        batch.append(SqlStatement(str(LOAD_SCRIPT), line, sql, frozenset(values), text, mark.end()))
        if name == "create_stage":
            copy = redshift.copy_statement(SAMPLE_SOURCE, SAMPLE_ROLE)
            line = inspect.getsourcelines(redshift.copy_statement)[1]
            batch.append(SqlStatement("src/flightlake/warehouse/redshift.py", line, copy, frozenset(values)))
    return batch


def python_statements(root: Path) -> list[SqlStatement]:
    found = []
    for source in PYTHON_SOURCES:
        path = root / source
        for module in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            relative = str(module.relative_to(root))
            if relative in NOT_REDSHIFT:
                continue
            tree = ast.parse(module.read_text(), relative)
            parts = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
            # what an exception says is a message, not a statement (e.g. "CREATE ROLE r failed: ...")
            parts |= {id(inner) for node in ast.walk(tree) if isinstance(node, ast.Raise) for inner in ast.walk(node)}
            for node in ast.walk(tree):
                text = None if id(node) in parts else _sql_text(node)
                if text and _STATEMENT_START.match(text) and not text.lstrip().startswith("COPY"):
                    found.append(SqlStatement(relative, node.lineno, text))
    return found


def _sql_text(node: ast.AST) -> str | None:
    """A string constant's text, or an f-string's with each `{...}` read as the name `x`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "x" for part in node.values)
    return None
