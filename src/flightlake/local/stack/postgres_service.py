"""PostgreSQL as a service of the embedded stack (the warehouse): start, report, stop.

The server itself (binaries, initdb, running as an unprivileged user) is `postgres`; this module
keeps it on the port it had, so a load retried after a restart reaches it again, and applies the
warehouse DDL of `postgres_init/` on every `up` (idempotent).
"""

from __future__ import annotations

from typing import Any

from flightlake.local.stack import disk, postgres, processes
from flightlake.local.stack.ports import service_port
from flightlake.local.stack.service import Echo, ServiceStatus, StackError, redact
from flightlake.settings import Settings
from flightlake.settings.checkout import ddl_dir

START_S = 30


def layout(settings: Settings) -> postgres.PostgresLayout:
    return postgres.PostgresLayout(settings.state_dir / "postgres")


def up(settings: Settings, pid_files: processes.PidFiles, state: dict[str, Any], echo: Echo) -> None:
    """Start PostgreSQL unless it runs and answers; records its DSN in `state`."""
    where = layout(settings)
    password = postgres.ensure_initialized(settings, where)
    running = pid_files.running("postgres")
    if running and "postgres" in state and postgres.healthy(state["postgres"]["dsn"]):
        echo(f"postgres   already running  {redact(state['postgres']['dsn'])}")
        return
    if running:
        postgres.stop(pid_files)
    port = service_port("PostgreSQL", state.get("postgres", {}).get("port"), settings.postgres_port)
    postgres.start(settings, where, pid_files, port)
    url = postgres.dsn(password, port, "postgres")
    try:
        processes.wait_until(
            lambda: postgres.healthy(url) or not pid_files.running("postgres"),
            START_S,
            "PostgreSQL to accept connections",
        )
    except TimeoutError as error:
        raise StackError(f"{error}; see {where.log}") from error
    if not pid_files.running("postgres"):
        if disk.says_full(disk.log_tail(where.log)):
            raise StackError(
                f"PostgreSQL cannot start: the disk holding {where.data} is full. Fix: free some space, then run "
                "the command again"
            )
        raise StackError(f"PostgreSQL exited at start-up; see {where.log}")
    postgres.ensure_database(password, port)
    state["postgres"] = {"port": port, "dsn": postgres.dsn(password, port)}
    echo(f"postgres   started          {redact(state['postgres']['dsn'])}")


def apply_ddl(settings: Settings, state: dict[str, Any], echo: Echo) -> None:
    from flightlake.warehouse.postgres import apply_ddl as apply

    count = apply(state["postgres"]["dsn"], ddl_dir(settings))
    echo(f"           warehouse DDL applied ({count} statements from postgres_init/)")


def status(pid_files: processes.PidFiles, state: dict[str, Any]) -> ServiceStatus:
    running = pid_files.running("postgres")
    dsn = state.get("postgres", {}).get("dsn")
    healthy = bool(running) and bool(dsn) and postgres.healthy(dsn)
    return ServiceStatus("postgres", bool(running), healthy, redact(dsn or "-"), "warehouse")
