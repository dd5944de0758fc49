"""A Glue job run's driver log: where it is kept, what its error message is, and its copy in
CloudWatch Logs.

Kept as two files, `<emulator state>/glue-jobs/<job name>/<run id>/stdout.log` (what the script
printed, its Python errors included) and `stderr.log` (Spark's own log lines). As on AWS, they are also
copied to CloudWatch Logs while the run goes on: log group `/aws-glue/jobs/output` (stdout) and
`/aws-glue/jobs/error` (stderr), stream = the run id. That is where
`GlueJobOperator(verbose=True)` reads them from, so the Airflow task log shows the driver's output.

The ErrorMessage of a failed run is what Glue reports: the line of the Python exception that
ended the script (`JobInputError: no raw file for 2013 at s3://...`), or `Command failed with
exit code N` when the script exited without one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

JOBS_FOLDER = "glue-jobs"  # under the emulator's state directory
LOG_GROUP = "/aws-glue/jobs"
STREAMS = (("stdout.log", f"{LOG_GROUP}/output"), ("stderr.log", f"{LOG_GROUP}/error"))
TAIL_BYTES = 256 * 1024
_TRACEBACK = "Traceback (most recent call last):"
_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)(?::\s?(.*))?$")
_MAX_EVENT_BYTES = 200_000  # CloudWatch takes up to 256 KB per event
_MAX_BATCH_BYTES = 900_000  # and about 1 MB per PutLogEvents call
_MAX_BATCH_EVENTS = 5_000


def run_log_dir(state_dir: Path, job_name: str, run_id: str) -> Path:
    return state_dir / JOBS_FOLDER / job_name / run_id


def error_message(log_dir: Path, exit_code: int) -> str:
    """The run's ErrorMessage, from the end of the driver's log. spark-submit merges the Python
    driver's stderr into its own stdout, so a Python traceback is in stdout.log."""
    for name in ("stdout.log", "stderr.log"):
        exception = _last_exception(_tail(log_dir / name))
        if exception:
            return exception
    return f"Command failed with exit code {exit_code}"


def _tail(path: Path) -> list[str]:
    if not path.exists():
        return []
    with open(path, "rb") as log:
        log.seek(max(0, path.stat().st_size - TAIL_BYTES))
        return log.read().decode(errors="replace").splitlines()


def _last_exception(lines: list[str]) -> str | None:
    """`Name: message` of the last Python traceback in `lines` (its first unindented line)."""
    starts = [index for index, line in enumerate(lines) if line.startswith(_TRACEBACK)]
    if not starts:
        return None
    for line in lines[starts[-1] + 1 :]:
        if line and not line[0].isspace():
            match = _EXCEPTION_LINE.match(line)
            if match:
                name, message = match.groups()
                return f"{name}: {message}" if message else name
    return None


class LogCopier:
    """Copies what the driver writes to CloudWatch Logs while it runs, as Glue's continuous
    logging does: each call sends the complete lines written since the last one."""

    def __init__(self, logs: Any, log_dir: Path, run_id: str) -> None:
        self.logs, self.log_dir, self.run_id = logs, log_dir, run_id
        self._offsets = dict.fromkeys((name for name, _ in STREAMS), 0)
        for _, group in STREAMS:
            _ensure(logs.create_log_group, logGroupName=group)
            _ensure(logs.create_log_stream, logGroupName=group, logStreamName=run_id)

    def copy_new(self) -> None:
        for file_name, group in STREAMS:
            lines = self._new_lines(file_name)
            for batch in _batches(lines):
                self.logs.put_log_events(logGroupName=group, logStreamName=self.run_id, logEvents=batch)

    def _new_lines(self, file_name: str) -> list[str]:
        path = self.log_dir / file_name
        if not path.exists():
            return []
        with open(path, "rb") as log:
            log.seek(self._offsets[file_name])
            data = log.read()
        complete = data[: data.rfind(b"\n") + 1]
        self._offsets[file_name] += len(complete)
        return [line for line in complete.decode(errors="replace").splitlines() if line.strip()]


def _ensure(create: Any, **names: str) -> None:
    from botocore.exceptions import ClientError

    try:
        create(**names)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise


def _batches(lines: list[str]) -> Iterator[list[dict[str, Any]]]:
    stamp = int(time.time() * 1000)
    batch: list[dict[str, Any]] = []
    size = 0
    for line in lines:
        message = line.encode()[:_MAX_EVENT_BYTES].decode(errors="ignore")
        event_size = len(message.encode()) + 26  # CloudWatch counts 26 bytes per event
        if batch and (size + event_size > _MAX_BATCH_BYTES or len(batch) >= _MAX_BATCH_EVENTS):
            yield batch
            batch, size = [], 0
        batch.append({"timestamp": stamp, "message": message})
        size += event_size
    if batch:
        yield batch
