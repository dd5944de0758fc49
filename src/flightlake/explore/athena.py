"""The same query through Athena, against a deployed environment's Glue databases.

Queries name the lake's tables by their local databases (`flightlake_analytics.airport_daily`);
an environment's databases carry its name (`flightlake_dev_analytics`), so those names are
rewritten to the environment's before the text is sent, and the README's queries run unchanged
on both engines. The query runs in the environment's workgroup, which holds the result location,
its encryption and the bytes-scanned cutoff (deploy/cloudformation/storage.yaml). Athena cannot
read Redshift, so a query naming `dw.` tables is refused with a message that says so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from flightlake.explore.statements import QueryError, named_tables, read_only_query
from flightlake.explore.warehouse_tables import SCHEMA as WAREHOUSE_SCHEMA

POLL_S = 0.5
TIMEOUT_S = 600.0
_DONE = ("SUCCEEDED", "FAILED", "CANCELLED")
_ARROW_TYPES = {
    "tinyint": pa.int8(),
    "smallint": pa.int16(),
    "integer": pa.int32(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "float": pa.float32(),
    "real": pa.float32(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


@dataclass(frozen=True)
class AthenaTarget:
    """Where a query runs: a workgroup, and the local database names mapped to the environment's."""

    workgroup: str
    databases: Mapping[str, str]  # local name -> environment's name, e.g. flightlake_stage -> flightlake_dev_stage


def athena_text(sql: str, target: AthenaTarget) -> str:
    """The query as Athena gets it: read-only checked, lake database names made the environment's."""
    text = read_only_query(sql)
    warehouse = [str(t) for t in named_tables(text) if t.schema == WAREHOUSE_SCHEMA]
    if warehouse:
        raise QueryError(f"{', '.join(warehouse)}: Athena reads the lake's tables only; dw tables live in Redshift")
    for local, remote in target.databases.items():
        # flightlake_stage.flights and "flightlake_stage".flights, never a longer name that contains it
        text = re.sub(rf'(?<![\w"])("?){re.escape(local)}\1(?=\s*\.)', rf"\g<1>{remote}\g<1>", text)
    return text


def run_athena(
    athena: Any, sql: str, target: AthenaTarget, sleep: Callable[[float], None] = time.sleep
) -> tuple[pa.Table, dict[str, Any]]:
    """Run the query in the environment's workgroup; returns the rows and Athena's statistics."""
    text = athena_text(sql, target)
    started = athena.start_query_execution(QueryString=text, WorkGroup=target.workgroup)
    query_id = started["QueryExecutionId"]
    waited = 0.0
    while True:
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        state = execution["Status"]["State"]
        if state in _DONE:
            break
        if waited >= TIMEOUT_S:
            athena.stop_query_execution(QueryExecutionId=query_id)
            raise QueryError(f"Athena query {query_id} still {state} after {TIMEOUT_S:.0f} s; it was stopped")
        sleep(POLL_S)
        waited += POLL_S
    if state != "SUCCEEDED":
        reason = execution["Status"].get("StateChangeReason", "no reason given")
        raise QueryError(f"Athena query {query_id} {state.lower()}: {reason}")
    return _results(athena, query_id), execution.get("Statistics", {})


def _results(athena: Any, query_id: str) -> pa.Table:
    """Every page of the results, typed by Athena's column info (its values all come as text)."""
    columns: list[dict[str, Any]] = []
    rows: list[list[str | None]] = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        result = page["ResultSet"]
        columns = columns or result["ResultSetMetadata"]["ColumnInfo"]
        rows.extend([cell.get("VarCharValue") for cell in row["Data"]] for row in result["Rows"])
    names = [column["Name"] for column in columns]
    if rows and rows[0] == names:
        rows = rows[1:]  # a SELECT's first row repeats the column names
    arrays = {}
    for index, column in enumerate(columns):
        values = pa.array([row[index] if index < len(row) else None for row in rows], pa.string())
        kind = _ARROW_TYPES.get(column["Type"].lower())
        arrays[column["Name"]] = values.cast(kind) if kind is not None else values
    return pa.table(arrays)
