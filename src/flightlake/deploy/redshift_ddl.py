"""The warehouse schema on Redshift: postgres_init/*.sql, the same files the local Postgres runs,
plus deploy/redshift/grants.sql, as the release carries them (ddl/), sent as one Redshift Data API
batch (one transaction). The database roles the grants name are created first, one statement
each, an "already exists" answer being success (CREATE ROLE has no IF NOT EXISTS).

It is applied only when it would change something: after success the deploy writes the sha256
of the exact statements and the namespace id to `state/redshift-ddl.json` in the artifacts
bucket; the next plan compares. A new namespace (the warehouse stack was replaced) or changed
SQL applies it again, and the files are idempotent (IF NOT EXISTS, CREATE OR REPLACE), so a
repeat is harmless. It runs as the namespace admin, whose password Redshift keeps in Secrets
Manager, because creating a schema needs more than the pipeline's own database user has.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flightlake.deploy.cloudformation import Timing
from flightlake.deploy.names import DDL_STATE_KEY
from flightlake.deploy.plan import APPLY, DDL, NONE, Pending, PlannedAction
from flightlake.deploy.warehouse import WarehouseFacts
from flightlake.errors import FlightlakeError
from flightlake.lake.aws import object_exists
from flightlake.warehouse.sql_files import statements

MAX_BATCH = 40  # BatchExecuteStatement takes at most 40 SQL statements
POLL_SECONDS = 2.0  # DDL takes seconds: poll the Data API more often than CloudFormation
STATEMENT_NAME = "flightlake-deploy-ddl"
ROLES: tuple[str, ...] = ("flightlake_pipeline", "flightlake_reader")  # named by grants.sql


class DdlError(FlightlakeError):
    """The DDL batch failed on Redshift; the message names the statement and Redshift's error."""


def ddl_statements(texts: list[str]) -> list[str]:
    """Every statement of the release's DDL files, in order: postgres_init/ by file name, the grants."""
    result = [statement for text in texts for statement in statements(text)]
    if not 0 < len(result) <= MAX_BATCH:
        raise DdlError(f"{len(result)} DDL statements; one Data API batch takes 1 to {MAX_BATCH}.")
    return result


def ddl_digest(sqls: list[str]) -> str:
    return hashlib.sha256("\n;\n".join(sqls).encode()).hexdigest()


def target(workgroup: str, database: str) -> str:
    return f"redshift-serverless://{workgroup}/{database}"


def read_state(s3: Any, bucket: str) -> dict[str, Any] | None:
    if object_exists(s3, bucket, DDL_STATE_KEY) is None:
        return None
    return json.loads(s3.get_object(Bucket=bucket, Key=DDL_STATE_KEY)["Body"].read())


def plan_ddl(
    s3: Any, bucket: str | Pending, facts: WarehouseFacts | None, workgroup: str, database: str, sqls: list[str]
) -> PlannedAction:
    where = target(workgroup, database)
    details = tuple(_headline(sql) for sql in sqls)
    if facts is None or isinstance(bucket, Pending):
        return PlannedAction(DDL, where, APPLY, f"{len(sqls)} statements, once the workgroup exists", details)
    state = read_state(s3, bucket)
    digest = ddl_digest(sqls)
    if state is None:
        reason = f"never applied to namespace {facts.namespace_id}"
    elif state.get("namespace_id") != facts.namespace_id:
        reason = f"namespace replaced ({state.get('namespace_id')} -> {facts.namespace_id})"
    elif state.get("ddl_sha256") != digest:
        reason = f"the release's DDL changed (sha256 {str(state.get('ddl_sha256'))[:12]} -> {digest[:12]})"
    else:
        return PlannedAction(DDL, where, NONE, f"applied (sha256 {digest[:12]}, {len(sqls)} statements)")
    return PlannedAction(DDL, where, APPLY, reason, details)


def apply_ddl(
    data_api: Any,
    s3: Any,
    bucket: str,
    facts: WarehouseFacts,
    database: str,
    sqls: list[str],
    timing: Timing,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Create the roles, run the batch, wait for it, record it; returns the batch's statement id."""
    for role in ROLES:
        _create_role(data_api, facts, database, role, timing, sleep)
    request: dict[str, Any] = {
        "WorkgroupName": facts.workgroup,
        "Database": database,
        "Sqls": sqls,
        "StatementName": STATEMENT_NAME,
    }
    if facts.admin_secret_arn:
        request["SecretArn"] = facts.admin_secret_arn
    statement_id = data_api.batch_execute_statement(**request)["Id"]
    described = _wait(data_api, statement_id, timing, sleep)
    if described["Status"] != "FINISHED":
        failed = [sub for sub in described.get("SubStatements", []) if sub.get("Status") in ("FAILED", "ABORTED")]
        where = f" in: {_headline(failed[0].get('QueryString', ''))}" if failed else ""
        raise DdlError(f"the DDL batch {described['Status'].lower()}{where}: {described.get('Error', 'no error text')}")
    state = {
        "ddl_sha256": ddl_digest(sqls),
        "namespace_id": facts.namespace_id,
        "statements": len(sqls),
        "statement_id": statement_id,
        "applied_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    s3.put_object(
        Bucket=bucket, Key=DDL_STATE_KEY, Body=json.dumps(state, indent=2).encode(), ContentType="application/json"
    )
    return statement_id


def _create_role(
    data_api: Any, facts: WarehouseFacts, database: str, role: str, timing: Timing, sleep: Callable[[float], None]
) -> None:
    request: dict[str, Any] = {"WorkgroupName": facts.workgroup, "Database": database,
                               "Sql": f"CREATE ROLE {role}", "StatementName": STATEMENT_NAME}  # fmt: skip
    if facts.admin_secret_arn:
        request["SecretArn"] = facts.admin_secret_arn
    statement_id = data_api.execute_statement(**request)["Id"]
    described = _wait(data_api, statement_id, timing, sleep)
    if described["Status"] != "FINISHED" and "already exists" not in described.get("Error", ""):
        raise DdlError(f"CREATE ROLE {role} {described['Status'].lower()}: {described.get('Error', 'no error text')}")


def _wait(data_api: Any, statement_id: str, timing: Timing, sleep: Callable[[float], None]) -> dict[str, Any]:
    interval = min(timing.poll_seconds, POLL_SECONDS)
    for _ in range(int(timing.max_minutes * 60 / max(interval, 0.5))):
        described = data_api.describe_statement(Id=statement_id)
        if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            return described
        sleep(interval)
    raise DdlError(f"the DDL batch {statement_id} did not finish in {timing.max_minutes} minutes")


def _headline(sql: str) -> str:
    first = " ".join(sql.split())
    return first if len(first) <= 90 else first[:87] + "..."
