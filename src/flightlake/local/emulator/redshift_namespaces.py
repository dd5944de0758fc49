"""Which PostgreSQL database a Redshift Data API request reaches: one per namespace.

On AWS every environment's workgroup (or cluster) is a Redshift namespace of its own, with
databases of its own: a rehearsal writing its warehouse never touches another environment's. The
stand-in keeps that: each (workgroup or cluster, database) of a request is a database of the
warehouse PostgreSQL, `redshift_<workgroup>_<database>`, created at its first statement (the
namespace's database exists as soon as the namespace does). The local path's warehouse, the
database of FLIGHTLAKE_WAREHOUSE_DSN, is none of them.
"""

from __future__ import annotations

import hashlib
import re
import threading
from urllib.parse import urlsplit, urlunsplit

MAX_NAME = 63  # PostgreSQL's longest database name, in bytes
_created: set[str] = set()
_created_lock = threading.Lock()


def namespace_database(workgroup: str, database: str) -> str:
    """The PostgreSQL database of a workgroup's (or cluster's) Redshift database."""
    name = re.sub(r"[^a-z0-9_]+", "_", f"redshift_{workgroup}_{database}".lower())
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 9]}_{digest}"


def with_database(dsn: str, database: str) -> str:
    """The same server and user, another database."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


def namespace_dsn(warehouse_dsn: str, workgroup: str, database: str) -> str:
    """The DSN of the namespace's database, created first when it does not exist yet."""
    import psycopg
    from psycopg import sql

    name = namespace_database(workgroup, database)
    with _created_lock:
        if name not in _created:
            with psycopg.connect(warehouse_dsn, autocommit=True, connect_timeout=10) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
                if not exists:
                    try:
                        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    except psycopg.errors.DuplicateDatabase:
                        pass  # another process made it meanwhile
            _created.add(name)
    return with_database(warehouse_dsn, name)
