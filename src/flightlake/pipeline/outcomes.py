"""What a Spark step returned, carried back from its Spark application to the task that started it.

Inline, a step's `run` simply returns or raises. A spark-submit application or an AWS Glue job run
has no channel back but the lake: the application leaves one small JSON record, the step's result
or the error that ended it with its kind, under the zone of the step's first output
(`Table.outcome_key`), and the task takes it once the application has exited. The record decides
how the task ends, not the application's exit code or its log: a `PermanentError` (a refused
input) fails the task at once, anything else is left to the retries.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flightlake.errors import FlightlakeError, PermanentError
from flightlake.lake.aws import client, object_exists
from flightlake.lake.tables import Table
from flightlake.settings import Settings

if TYPE_CHECKING:
    from flightlake.pipeline.registry import Step


class SparkStepFailed(FlightlakeError):
    """The Spark application failed in a way a retry may fix (a crash, a lost executor, a service away)."""


class SparkStepRefused(PermanentError):
    """The step refused its input: the same run would fail the same way again."""


def _address(settings: Settings, step: Step, year: int, job_run_id: str) -> tuple[str, str]:
    table = next(dataset for dataset in step.writes if isinstance(dataset, Table))
    return table.bucket(settings), table.outcome_key(settings, step.name, year, job_run_id)


def write_outcome(
    settings: Settings,
    step: Step,
    year: int,
    job_run_id: str,
    result: dict[str, Any] | None = None,
    error: BaseException | None = None,
) -> None:
    """Leave the step's result, or the error that ended it, for the task that started it."""
    record: dict[str, Any] = {"step": step.name, "year": year, "job_run_id": job_run_id}
    if error is None:
        record["result"] = result
    else:
        record["error"] = {
            "type": type(error).__name__,
            "permanent": isinstance(error, PermanentError),
            "message": str(error) or type(error).__name__,
        }
    bucket, key = _address(settings, step, year, job_run_id)
    body = json.dumps(record, default=str).encode()
    client("s3", settings).put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")


def take_outcome(settings: Settings, step: Step, year: int, job_run_id: str, ended: str) -> dict[str, Any]:
    """The step's result; or the failure it recorded, raised as `SparkStepRefused` (permanent) or
    `SparkStepFailed`. `ended` says how the application ended (an exit code, a Glue run state and
    its message), for when it left no record: it died before it could write one. The record is
    removed once read."""
    s3 = client("s3", settings)
    bucket, key = _address(settings, step, year, job_run_id)
    where = f"{step.name} for {year}"
    if object_exists(s3, bucket, key) is None:
        raise SparkStepFailed(f"{where} left no outcome ({ended})")
    record = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    s3.delete_object(Bucket=bucket, Key=key)
    error = record.get("error")
    if error is None:
        return record["result"]
    message = f"{where} failed: {error['type']}: {error['message']}"
    if error["permanent"]:
        raise SparkStepRefused(message)
    raise SparkStepFailed(f"{message} ({ended})")
