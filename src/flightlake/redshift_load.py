"""The warehouse load on Amazon Redshift, through the Redshift Data API.

The statements are those of `sql/load_airport_daily.sql`, sent as ONE `batch_execute_statement`
(the Data API runs a batch as a single transaction and rolls it all back if one fails), with the
`:name` values passed as Data API parameters. COPY is the one statement that cannot take bound
parameters, so its S3 URI and role ARN are checked against strict patterns and quoted here.
Verified against botocore's Stubber only: there is no Redshift to run against offline.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from flightlake.aws import client
from flightlake.settings import Settings, SettingsError
from flightlake.warehouse import STAGE_TABLE, LoadResult, StepCallback, WarehouseLoadError, load_steps, parameter_names

if TYPE_CHECKING:
    import pandas as pd

POLL_SECONDS = 2.0
TIMEOUT_SECONDS = 1800
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[A-Za-z0-9_./=-]*$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]+$")
_RUN_FIELDS = ("rows_staged", "rows_inserted", "rows_updated", "rows_deleted", "rows_for_year", "anomalies_for_year")


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
    statements = []
    for name, statement in load_steps():
        statements.append(statement)
        if name == "create_stage":
            statements.append(copy_statement(source_uri, role_arn))
    return statements


def data_api_parameters(statements: list[str], values: dict[str, Any]) -> list[dict[str, str]]:
    """Parameters the statements use, as the Data API wants them (strings; NULLs left out)."""
    used = sorted({name for statement in statements for name in parameter_names(statement)})
    return [{"name": name, "value": str(values[name])} for name in used if values.get(name) is not None]


def _target(settings: Settings) -> dict[str, str]:
    if not settings.redshift_workgroup:
        raise SettingsError("FLIGHTLAKE_REDSHIFT_WORKGROUP is not set (the Redshift Serverless workgroup)")
    return {"WorkgroupName": settings.redshift_workgroup, "Database": settings.redshift_database}


def wait(data_api: Any, statement_id: str, what: str) -> dict[str, Any]:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        described = data_api.describe_statement(Id=statement_id)
        status = described["Status"]
        if status == "FINISHED":
            return described
        if status in ("FAILED", "ABORTED"):
            raise WarehouseLoadError(f"{what} {status.lower()} and was rolled back: {described.get('Error', '')}")
        if time.monotonic() > deadline:
            data_api.cancel_statement(Id=statement_id)
            raise WarehouseLoadError(f"{what} did not finish in {TIMEOUT_SECONDS} s and was cancelled")
        time.sleep(POLL_SECONDS)


def load_redshift(
    settings: Settings, year: int, source_uri: str, params: dict[str, Any], on_step: StepCallback | None = None
) -> LoadResult:
    started = time.monotonic()
    if not settings.redshift_copy_role_arn:
        raise SettingsError("FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN is not set (the role Redshift uses to read S3)")
    data_api = client("redshift-data", settings)
    target = _target(settings)
    params = {**params, "started_at": params["started_at"].isoformat(sep=" ")}
    params["finished_at"] = params["started_at"]
    statements = batch_statements(source_uri, settings.redshift_copy_role_arn)
    if on_step:
        on_step("batch")
    batch = data_api.batch_execute_statement(
        **target,
        Sqls=statements,
        Parameters=data_api_parameters(statements, params),
        StatementName=f"flightlake-load-{year}",
    )
    wait(data_api, batch["Id"], f"the Redshift load of {year}")
    sql = f"SELECT {', '.join(_RUN_FIELDS)} FROM dw.pipeline_runs WHERE run_id = :run_id"
    record = run_query(data_api, settings, sql, {"run_id": params["run_id"]}, "reading the run record").iloc[0]
    values = [int(record[field]) for field in _RUN_FIELDS]
    return LoadResult(params["run_id"], year, *values, duration_s=round(time.monotonic() - started, 2))


def run_query(data_api: Any, settings: Settings, sql: str, params: dict[str, Any], what: str) -> pd.DataFrame:
    """One statement through the Data API, its result (all pages) as a frame; NULLs as None."""
    import pandas as pd

    parameters = data_api_parameters([sql], params)
    statement = data_api.execute_statement(
        **_target(settings), Sql=sql, **({"Parameters": parameters} if parameters else {})
    )
    wait(data_api, statement["Id"], what)
    rows: list[list[Any]] = []
    columns: list[str] = []
    token = None
    while True:
        page = data_api.get_statement_result(Id=statement["Id"], **({"NextToken": token} if token else {}))
        columns = [c["name"] for c in page["ColumnMetadata"]]
        rows.extend(
            [None if cell.get("isNull") else next(iter(cell.values())) for cell in record] for record in page["Records"]
        )
        token = page.get("NextToken")
        if not token:
            break
    return pd.DataFrame(rows, columns=columns)
