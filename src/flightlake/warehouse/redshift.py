"""The warehouse on Amazon Redshift (Serverless), through the Redshift Data API.

A load is ONE `batch_execute_statement` (the Data API runs a batch as a single transaction and
rolls it all back if one statement fails): the statements of `load_script` with `:name` values
passed as Data API parameters, and a Redshift `COPY ... FORMAT AS PARQUET` from the analytics
zone filling the staging table. COPY is the one statement that cannot take bound parameters, so
its S3 URI and role ARN are checked against strict patterns and quoted here. Queries and the DDL
go through the same API.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flightlake.lake.aws import client
from flightlake.lake.tables import AIRPORT_DAILY_ANOMALIES
from flightlake.settings import Settings, SettingsError
from flightlake.warehouse.base import RUN_FIELDS, LoadResult, StepCallback, Warehouse, WarehouseLoadError
from flightlake.warehouse.columns import RUNS_TABLE, STAGE_TABLE
from flightlake.warehouse.load_script import inline_nulls, load_steps, parameter_names, run_parameters
from flightlake.warehouse.sql_files import ddl_files, statements

if TYPE_CHECKING:
    import pandas as pd

# Polling the Data API: most statements finish in well under a second, so the first look comes
# soon; then the wait doubles up to 2 s, the pace for a long one (a big COPY). Right on AWS too.
FIRST_POLL_SECONDS = 0.2
MAX_POLL_SECONDS = 2.0
TIMEOUT_SECONDS = 1800
_DECODED = {"date": date.fromisoformat, "timestamp": datetime.fromisoformat, "numeric": Decimal}
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[A-Za-z0-9_./=-]*$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]+$")


def _literal(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.match(value):
        raise SettingsError(f"{what} {value!r} does not look right for a Redshift COPY")
    return "'" + value.replace("'", "''") + "'"


def copy_statement(source_uri: str, role_arn: str) -> str:
    return (
        f"COPY {STAGE_TABLE} FROM {_literal(source_uri, _S3_URI, 'source')} "
        f"IAM_ROLE {_literal(role_arn, _ROLE_ARN, 'FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN')} FORMAT AS PARQUET"
    )


def batch_statements(source_uri: str, role_arn: str) -> list[str]:
    """The load as Redshift runs it: the shared steps with the S3 COPY after create_stage."""
    batch = []
    for name, statement in load_steps():
        batch.append(statement)
        if name == "create_stage":
            batch.append(copy_statement(source_uri, role_arn))
    return batch


def data_api_parameters(sqls: list[str], values: dict[str, Any]) -> list[dict[str, str]]:
    """Parameters the statements use, as the Data API wants them (strings; NULLs left out: see
    `inline_nulls`)."""
    used = sorted({name for statement in sqls for name in parameter_names(statement)})
    return [{"name": name, "value": str(values[name])} for name in used if values.get(name) is not None]


def cell_value(cell: dict[str, Any], type_name: str) -> Any:
    """A Data API field as the Python value psycopg would give for the same column: dates,
    timestamps and numerics come as text from the Data API."""
    if cell.get("isNull"):
        return None
    value = next(iter(cell.values()))
    return _DECODED[type_name](value) if "stringValue" in cell and type_name in _DECODED else value


class RedshiftWarehouse(Warehouse):
    name = "redshift"

    def __init__(self, settings: Settings, data_api: Any | None = None) -> None:
        self.settings = settings
        self._data_api = data_api

    @property
    def data_api(self) -> Any:
        if self._data_api is None:
            self._data_api = client("redshift-data", self.settings)
        return self._data_api

    def _target(self) -> dict[str, str]:
        if not self.settings.redshift_workgroup:
            raise SettingsError("FLIGHTLAKE_REDSHIFT_WORKGROUP is not set (the Redshift Serverless workgroup)")
        return {"WorkgroupName": self.settings.redshift_workgroup, "Database": self.settings.redshift_database}

    def load_year(
        self, year: int, airflow_run_id: str | None = None, on_step: StepCallback | None = None
    ) -> LoadResult:
        started = time.monotonic()
        if not self.settings.redshift_copy_role_arn:
            raise SettingsError("FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN is not set (the role Redshift uses to read S3)")
        source_uri = AIRPORT_DAILY_ANOMALIES.partition_uri(self.settings, year)
        params = run_parameters(year, source_uri, airflow_run_id)
        params["started_at"] = params["started_at"].isoformat(sep=" ")
        params["finished_at"] = params["started_at"]
        sqls = [inline_nulls(sql, params) for sql in batch_statements(source_uri, self.settings.redshift_copy_role_arn)]
        if on_step:
            on_step("batch")
        batch = self.data_api.batch_execute_statement(
            **self._target(),
            Sqls=sqls,
            Parameters=data_api_parameters(sqls, params),
            StatementName=f"flightlake-load-{year}",
        )
        self.wait(batch["Id"], f"the Redshift load of {year}")
        sql = f"SELECT {', '.join(RUN_FIELDS)} FROM {RUNS_TABLE} WHERE run_id = :run_id"
        record = self.query(sql, {"run_id": params["run_id"]}).iloc[0]
        values = [int(record[field]) for field in RUN_FIELDS]
        return LoadResult(params["run_id"], year, *values, duration_s=round(time.monotonic() - started, 2))

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """One statement, its result (all pages) as a frame; NULLs as None."""
        import pandas as pd

        sql = inline_nulls(sql, params or {})
        parameters = data_api_parameters([sql], params or {})
        statement = self.data_api.execute_statement(
            **self._target(), Sql=sql, **({"Parameters": parameters} if parameters else {})
        )
        self.wait(statement["Id"], "a warehouse query")
        rows: list[list[Any]] = []
        columns: list[str] = []
        token = None
        while True:
            page = self.data_api.get_statement_result(Id=statement["Id"], **({"NextToken": token} if token else {}))
            columns = [c["name"] for c in page["ColumnMetadata"]]
            types = [c.get("typeName", "") for c in page["ColumnMetadata"]]
            rows.extend(
                [cell_value(cell, kind) for cell, kind in zip(record, types, strict=True)] for record in page["Records"]
            )
            token = page.get("NextToken")
            if not token:
                break
        return pd.DataFrame(rows, columns=columns)

    def apply_ddl(self, directory: Path) -> int:
        sqls = [statement for path in ddl_files(directory) for statement in statements(path.read_text())]
        batch = self.data_api.batch_execute_statement(**self._target(), Sqls=sqls, StatementName="flightlake-ddl")
        self.wait(batch["Id"], "the warehouse DDL")
        return len(sqls)

    def wait(self, statement_id: str, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        delay = FIRST_POLL_SECONDS
        while True:
            described = self.data_api.describe_statement(Id=statement_id)
            status = described["Status"]
            if status == "FINISHED":
                return described
            if status in ("FAILED", "ABORTED"):
                where = failed_statement(described)
                raise WarehouseLoadError(
                    f"{what} {status.lower()} and was rolled back{where}: {described.get('Error', '')}"
                )
            if time.monotonic() > deadline:
                self.data_api.cancel_statement(Id=statement_id)
                raise WarehouseLoadError(f"{what} did not finish in {TIMEOUT_SECONDS} s and was cancelled")
            time.sleep(delay)
            delay = min(2 * delay, MAX_POLL_SECONDS)


def failed_statement(described: dict[str, Any]) -> str:
    """` at statement N (its first words)` for a failed batch; empty for a single statement."""
    for number, sub in enumerate(described.get("SubStatements", []), start=1):
        if sub.get("Status") in ("FAILED", "ABORTED") and sub.get("Error"):
            words = " ".join(sub.get("QueryString", "").split())
            return f" at statement {number} ({words[:80]}{'...' if len(words) > 80 else ''})"
    return ""
