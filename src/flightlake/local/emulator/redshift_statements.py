"""Data API statements and how they run on the stand-in's PostgreSQL.

A statement (ExecuteStatement) or a batch (BatchExecuteStatement) runs on a thread of its own,
on one connection, in ONE transaction: every SQL of a batch is committed together, or, if one
fails, all are rolled back, as the Data API does. It moves through the Data API's states
SUBMITTED, PICKED, STARTED, then FINISHED, FAILED or ABORTED (cancelled); a batch's
sub-statements (`<id>:1`, `<id>:2`, ...) each have their own state, result and error.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from flightlake.local.emulator.redshift_copy import parse_copy, run_copy
from flightlake.local.emulator.redshift_sql import (
    StatementError,
    bind,
    check_dialect,
    column_metadata,
    result_size,
    to_postgres,
    typed_field,
)

APPLICATION_NAME = "flightlake-redshift-data"
CONNECT_TIMEOUT_S = 10
RUNNING_STATES = ("SUBMITTED", "PICKED", "STARTED")
_QUERY_IDS = iter(range(1_000_000, 10**12))


def _now() -> float:
    return time.time()


@dataclass
class SubStatement:
    id: str
    sql: str
    status: str = "SUBMITTED"
    error: str | None = None
    created_at: float = field(default_factory=_now)
    updated_at: float = field(default_factory=_now)
    duration_ns: int = 0
    result_rows: int = -1
    columns: list[dict[str, Any]] | None = None  # None: no result set
    records: list[list[dict[str, Any]]] = field(default_factory=list)
    query_id: int = 0

    def describe(self) -> dict[str, Any]:
        described = {
            "Id": self.id,
            "QueryString": self.sql,
            "Status": self.status,
            "CreatedAt": self.created_at,
            "UpdatedAt": self.updated_at,
            "Duration": self.duration_ns,
            "HasResultSet": self.columns is not None,
            "ResultRows": self.result_rows,
            "ResultSize": result_size(self.records),
            "RedshiftQueryId": self.query_id,
        }
        if self.error:
            described["Error"] = self.error
        return described


@dataclass
class Statement:
    """One ExecuteStatement, or one BatchExecuteStatement with its sub-statements."""

    target: dict[str, str]  # WorkgroupName or ClusterIdentifier, Database, DbUser/SecretArn when given
    subs: list[SubStatement]
    parameters: list[dict[str, str]]
    is_batch: bool
    name: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: str = "SUBMITTED"
    error: str | None = None
    created_at: float = field(default_factory=_now)
    updated_at: float = field(default_factory=_now)
    duration_ns: int = 0
    pid: int = 0
    cancel_requested: bool = False
    connection: Any = None

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "Id": self.id,
            "Status": self.status,
            "CreatedAt": self.created_at,
            "UpdatedAt": self.updated_at,
            "Duration": self.duration_ns,
            "RedshiftPid": self.pid,
            "QueryParameters": self.parameters,
            "ResultFormat": "JSON",
            **self.target,
        }
        if self.is_batch:
            described["SubStatements"] = [sub.describe() for sub in self.subs]
            described["HasResultSet"] = any(sub.columns is not None for sub in self.subs)
        else:
            sub = self.subs[0]
            described.update(
                QueryString=sub.sql, HasResultSet=sub.columns is not None, ResultRows=sub.result_rows,
                ResultSize=result_size(sub.records), RedshiftQueryId=sub.query_id,
            )  # fmt: skip
        if self.error:
            described["Error"] = self.error
        return described

    def summary(self) -> dict[str, Any]:
        """What ListStatements shows of it."""
        text = {"QueryStrings": [sub.sql for sub in self.subs]} if self.is_batch else {"QueryString": self.subs[0].sql}
        listed = {
            "Id": self.id, "Status": self.status, "CreatedAt": self.created_at, "UpdatedAt": self.updated_at,
            "IsBatchStatement": self.is_batch, "QueryParameters": self.parameters, "ResultFormat": "JSON", **text,
        }  # fmt: skip
        if self.name:
            listed["StatementName"] = self.name
        return listed


def new_statement(target: dict[str, str], sqls: list[str], parameters: list[dict[str, str]], **kw: Any) -> Statement:
    statement = Statement(target=target, subs=[], parameters=parameters, **kw)
    ids = [f"{statement.id}:{n}" for n in range(1, len(sqls) + 1)] if statement.is_batch else [statement.id]
    statement.subs = [SubStatement(id=sub_id, sql=sql) for sub_id, sql in zip(ids, sqls, strict=True)]
    return statement


def execute(statement: Statement, dsn: str, s3: Any, lock: threading.Lock) -> None:
    """Run the statement (all its SQL) in one transaction and record the outcome. Never raises."""
    import psycopg

    values = {p["name"]: p["value"] for p in statement.parameters}
    started = time.monotonic_ns()
    _set(statement, lock, status="PICKED")
    current: SubStatement | None = None
    try:
        with psycopg.connect(dsn, application_name=APPLICATION_NAME, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            _set(statement, lock, status="STARTED", pid=conn.info.backend_pid, connection=conn)
            for current in statement.subs:
                if statement.cancel_requested:
                    raise psycopg.errors.QueryCanceled("canceling statement due to user request")
                _run_sub(conn, current, values, s3, lock)
            current = None
    except (StatementError, psycopg.Error) as error:
        message = str(error) if isinstance(error, StatementError) else _postgres_error(error)
        cancelled = statement.cancel_requested
        _fail(statement, current, message, "ABORTED" if cancelled else "FAILED", lock)
    except Exception as error:  # the emulator's own fault (S3 unreachable, a bug): the statement still ends
        message = f"ERROR: the emulator could not run it: {type(error).__name__}: {error}"
        _fail(statement, current, message, "FAILED", lock)
    else:
        _set(statement, lock, status="FINISHED")
    with lock:
        statement.connection = None
        statement.duration_ns = time.monotonic_ns() - started
        statement.updated_at = _now()


def _run_sub(conn: Any, sub: SubStatement, values: dict[str, str], s3: Any, lock: threading.Lock) -> None:
    started = time.monotonic_ns()
    _set(sub, lock, status="STARTED", query_id=next(_QUERY_IDS))
    check_dialect(sub.sql)
    copy = parse_copy(sub.sql)
    columns, records = None, []
    if copy is not None:
        rows = run_copy(conn, copy, s3)
    else:
        cursor = conn.execute(bind(to_postgres(sub.sql), values), values)
        rows = cursor.rowcount
        if cursor.description is not None:
            columns = column_metadata(cursor.description)
            names = [column["typeName"] for column in columns]
            records = [[typed_field(v, t) for v, t in zip(row, names, strict=True)] for row in cursor.fetchall()]
            rows = len(records)
    _set(sub, lock, status="FINISHED", result_rows=rows, columns=columns, records=records,
         duration_ns=time.monotonic_ns() - started)  # fmt: skip


def _fail(statement: Statement, failed: SubStatement | None, message: str, status: str, lock: threading.Lock) -> None:
    """The statement, the sub-statement that failed and those after it (never run) end; the
    transaction was rolled back, so nothing of the batch remains."""
    with lock:
        statement.status, statement.error = status, message
        reached = False
        for sub in statement.subs:
            reached = reached or sub is failed
            if sub is failed:
                sub.status, sub.error = status, message
            elif reached or failed is None:
                sub.status = "ABORTED"
            sub.updated_at = _now()


def _set(record: Any, lock: threading.Lock, **values: Any) -> None:
    with lock:
        for name, value in values.items():
            setattr(record, name, value)
        record.updated_at = _now()


def _postgres_error(error: Any) -> str:
    """A database error as Redshift words it: `ERROR: <message>`."""
    diag = getattr(error, "diag", None)
    primary = (diag.message_primary if diag else None) or str(error).strip().splitlines()[0]
    return f"ERROR: {primary}"
