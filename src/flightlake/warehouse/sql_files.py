"""Reading the project's SQL files into single statements.

The same files run through psycopg (one statement at a time, so an error names the statement),
through the Postgres container's init (psql), and through the Redshift Data API, whose
`batch_execute_statement` wants a list of statements. Our SQL has no semicolons inside literals,
which keeps this split simple; a test holds every file to that.
"""

from __future__ import annotations

from pathlib import Path


def statements(text: str) -> list[str]:
    """Statements of a SQL script, without `--` comments and empty parts."""
    lines = []
    for line in text.splitlines():
        code = line.split("--", 1)[0].rstrip()
        if code:
            lines.append(code)
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def ddl_files(directory: Path) -> list[Path]:
    """The init scripts in the order Postgres' container applies them (by file name)."""
    return sorted(directory.glob("*.sql"))
