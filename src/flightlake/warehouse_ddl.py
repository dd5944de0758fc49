"""Apply `postgres_init/` to a PostgreSQL warehouse, statement by statement, in one transaction."""

from __future__ import annotations

from pathlib import Path

from flightlake.paths import ddl_dir
from flightlake.sql_files import ddl_files, statements


def apply_ddl(dsn: str, directory: Path | None = None) -> int:
    """Run every DDL file; returns the number of statements. Idempotent (IF NOT EXISTS)."""
    import psycopg

    count = 0
    with psycopg.connect(dsn, connect_timeout=10) as conn:
        for path in ddl_files(directory or ddl_dir()):
            for statement in statements(path.read_text()):
                try:
                    conn.execute(statement)
                except psycopg.Error as error:
                    raise RuntimeError(f"{path.name}: {error}\nin statement:\n{statement}") from error
                count += 1
    return count
