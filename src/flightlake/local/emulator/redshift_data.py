"""The Amazon Redshift Data API on the emulator (a layer), backed by the embedded PostgreSQL.

moto answers the Data API with canned results; this layer takes every `RedshiftData.*` action
instead and runs the statements for real (`redshift_statements`): ExecuteStatement,
BatchExecuteStatement (one transaction, all rolled back on error), DescribeStatement (with
SubStatements), GetStatementResult (typed fields, NextToken paging), ListStatements and
CancelStatement, with named parameters as the Data API takes them; Redshift's COPY from S3 is
carried out as Redshift does it (`redshift_copy`). Listing databases, schemas and tables is
refused by name.

Each workgroup or cluster is a Redshift namespace of its own: its statements run in a database
of their own (`redshift_namespaces`) on the warehouse PostgreSQL whose address the embedded stack
leaves in the emulator's directory (`WAREHOUSE_DSN_FILE`, read when a statement arrives, since the
emulator starts before PostgreSQL), or of FLIGHTLAKE_WAREHOUSE_DSN when the emulator runs without
the stack (Docker Compose); never in the local path's own warehouse database. Parameters follow
the Data API's rules (`redshift_sql`): a parameter no statement uses is refused at once, with its
ValidationException. Statements and results live in memory (AWS keeps them 24 hours).
"""

from __future__ import annotations

import base64
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flightlake.local.emulator.json_service import ServiceError, handlers, json_api_layer, required
from flightlake.local.emulator.own_clients import own_client
from flightlake.local.emulator.redshift_namespaces import namespace_dsn
from flightlake.local.emulator.redshift_sql import unused_parameters
from flightlake.local.emulator.redshift_statements import RUNNING_STATES, Statement, execute, new_statement
from flightlake.settings import load_settings

if TYPE_CHECKING:
    from flightlake.local.emulator.context import EmulatorContext
    from flightlake.local.emulator.wsgi import WSGIApp

ACTIONS = (
    "ExecuteStatement", "BatchExecuteStatement", "DescribeStatement", "GetStatementResult", "ListStatements",
    "CancelStatement",
)  # fmt: skip
REFUSED_ACTIONS = ("DescribeTable", "ListDatabases", "ListSchemas", "ListTables", "GetStatementResultV2")
REFUSAL = "catalog browsing, sessions and CSV results are not part of the emulator's Redshift Data API"
UNSUPPORTED_REQUEST_FIELDS = ("SessionId", "SessionKeepAliveSeconds")
MAX_BATCH = 40  # BatchExecuteStatement takes 1 to 40 SQL statements
RESULT_PAGE_ROWS = 1000
LIST_PAGE = 100
KEPT_STATEMENTS = 2000  # the oldest finished ones are forgotten beyond this
NOT_FOUND = "ResourceNotFoundException"
WAREHOUSE_DSN_FILE = "warehouse.dsn"  # in the emulator's directory, written by whoever starts PostgreSQL
_PARAMETER_NAME = re.compile(r"^[0-9a-zA-Z_]+$")  # SqlParameter's name pattern


def warehouse_dsn(state_dir: Path) -> str:
    """The PostgreSQL that stands in for Redshift, looked up when a statement arrives."""
    try:
        dsn = (state_dir / WAREHOUSE_DSN_FILE).read_text().strip()
    except FileNotFoundError:
        dsn = load_settings().warehouse_dsn or ""
    if not dsn:
        raise ServiceError(
            "InternalServerException",
            "no warehouse database behind the emulator's Redshift Data API: start PostgreSQL with `flightlake up`, "
            "or give the emulator FLIGHTLAKE_WAREHOUSE_DSN",
            "500 Internal Server Error",
        )
    return dsn


class RedshiftData:
    """The statements submitted so far, and the API actions over them."""

    def __init__(self, context: EmulatorContext) -> None:
        self.endpoint, self.state_dir = context.endpoint, context.state_dir
        self._lock = threading.Lock()
        self._statements: dict[str, Statement] = {}

    def execute_statement(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("Sql",))
        return self._submit(request, [request["Sql"]], is_batch=False)

    def batch_execute_statement(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("Sqls",))
        if not 1 <= len(request["Sqls"]) <= MAX_BATCH:
            raise ServiceError("ValidationException", f"Sqls takes 1 to {MAX_BATCH} statements")
        return self._submit(request, list(request["Sqls"]), is_batch=True)

    def describe_statement(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("Id",))
        with self._lock:
            return self._statement(request["Id"]).describe()

    def get_statement_result(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("Id",))
        statement_id = request["Id"]
        with self._lock:
            statement = self._statement(statement_id.split(":")[0])
            if statement.is_batch and ":" not in statement_id:
                message = f"{statement_id} is a batch: ask for the result of a sub-statement, e.g. {statement_id}:1"
                raise ServiceError("ValidationException", message)
            sub = next((sub for sub in statement.subs if sub.id == statement_id), None)
            if sub is None:
                raise ServiceError(NOT_FOUND, f"Query {statement_id} does not exist.")
            if sub.status != "FINISHED" or sub.columns is None:
                message = "Query does not have result. Please check query status with DescribeStatement."
                raise ServiceError(NOT_FOUND, message)
            start = int(base64.b64decode(request["NextToken"]).decode()) if request.get("NextToken") else 0
            page: dict[str, Any] = {
                "Records": sub.records[start : start + RESULT_PAGE_ROWS],
                "ColumnMetadata": sub.columns,
                "TotalNumRows": len(sub.records),
            }
            if start + RESULT_PAGE_ROWS < len(sub.records):
                page["NextToken"] = base64.b64encode(str(start + RESULT_PAGE_ROWS).encode()).decode()
            return page

    def list_statements(self, request: dict[str, Any]) -> dict[str, Any]:
        status = request.get("Status", "ALL")
        prefix = request.get("StatementName", "")
        with self._lock:
            chosen = [
                s.summary()
                for s in sorted(self._statements.values(), key=lambda s: s.created_at, reverse=True)
                if (status == "ALL" or s.status == status) and (s.name or "").startswith(prefix)
            ]
        size = min(int(request.get("MaxResults") or LIST_PAGE), LIST_PAGE)
        start = int(request.get("NextToken") or 0)
        answer: dict[str, Any] = {"Statements": chosen[start : start + size]}
        if start + size < len(chosen):
            answer["NextToken"] = str(start + size)
        return answer

    def cancel_statement(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("Id",))
        with self._lock:
            statement = self._statement(request["Id"])
            if statement.status not in RUNNING_STATES:
                message = f"Could not cancel a query that is already in {statement.status} state."
                raise ServiceError("ValidationException", message)
            statement.cancel_requested = True
            connection = statement.connection
        if connection is not None:
            connection.cancel_safe()
        return {"Status": True}

    def _submit(self, request: dict[str, Any], sqls: list[str], is_batch: bool) -> dict[str, Any]:
        required(request, ("Database",))
        unsupported = [name for name in UNSUPPORTED_REQUEST_FIELDS if request.get(name)]
        if request.get("ResultFormat", "JSON") != "JSON":
            unsupported.append(f"ResultFormat {request['ResultFormat']}")
        if unsupported:
            raise ServiceError("ValidationException", f"{', '.join(unsupported)}: {REFUSAL}")
        targets = [name for name in ("WorkgroupName", "ClusterIdentifier") if request.get(name)]
        if len(targets) != 1:
            raise ServiceError("ValidationException", "Either WorkgroupName or ClusterIdentifier must be specified")
        parameters = list(request.get("Parameters") or [])
        for parameter in parameters:
            if not parameter.get("name") or not parameter.get("value"):
                raise ServiceError("ValidationException", f"parameter {parameter!r} needs a name and a non-empty value")
            if not _PARAMETER_NAME.match(parameter["name"]):
                raise ServiceError(
                    "ValidationException", f"parameter name {parameter['name']!r} must match [0-9a-zA-Z_]+"
                )
        unused = unused_parameters(sqls, [parameter["name"] for parameter in parameters])
        if unused:
            message = f"Parameters list contains unused parameters. Unused parameters: [{', '.join(unused)}]"
            raise ServiceError("ValidationException", message)
        target = {key: request[key] for key in (*targets, "Database", "DbUser", "SecretArn") if request.get(key)}
        dsn = self._namespace_dsn(request[targets[0]], request["Database"])
        statement = new_statement(target, sqls, parameters, is_batch=is_batch, name=request.get("StatementName"))
        with self._lock:
            self._forget_old()
            self._statements[statement.id] = statement
        s3 = own_client("s3", self.endpoint)
        threading.Thread(
            target=execute, args=(statement, dsn, s3, self._lock), name=f"redshift-{statement.id[:8]}", daemon=True
        ).start()
        return {"Id": statement.id, "CreatedAt": statement.created_at, **target}

    def _namespace_dsn(self, workgroup: str, database: str) -> str:
        import psycopg

        try:
            return namespace_dsn(warehouse_dsn(self.state_dir), workgroup, database)
        except psycopg.Error as error:
            reason = str(error).strip().splitlines()[0]
            raise ServiceError(
                "InternalServerException",
                f"the warehouse PostgreSQL cannot be reached: {reason}",
                "500 Internal Server Error",
            ) from error

    def _statement(self, statement_id: str) -> Statement:
        """With the lock held: the statement, or the Data API's ResourceNotFoundException."""
        if statement_id not in self._statements:
            raise ServiceError(NOT_FOUND, f"Query {statement_id} does not exist.")
        return self._statements[statement_id]

    def _forget_old(self) -> None:
        finished = sorted(
            (s for s in self._statements.values() if s.status not in RUNNING_STATES), key=lambda s: s.created_at
        )
        for statement in finished[: max(0, len(self._statements) - KEPT_STATEMENTS)]:
            del self._statements[statement.id]


def redshift_data_layer(inner: WSGIApp, context: EmulatorContext) -> WSGIApp:
    """The layer: every `RedshiftData.*` action here, anything else to `inner`."""
    return json_api_layer(inner, "RedshiftData", handlers(RedshiftData(context), ACTIONS), REFUSED_ACTIONS, REFUSAL)
