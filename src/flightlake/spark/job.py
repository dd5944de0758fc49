"""The Spark job harness: what every Spark step shares, so each step holds only its own story.

A step (`flightlake.pipeline.raw_to_stage`, `...stage_to_analytics`) is started by its script in
`spark_jobs/`, which runs unchanged under `spark-submit` and as an AWS Glue 5.0 job. Glue passes
its own arguments (`--JOB_NAME`, `--JOB_RUN_ID`, `--TempDir`, ...), which are ignored, and carries
configuration as `--FLIGHTLAKE_<SETTING> value` job arguments, which are put into the environment
before the settings are read: one configuration mechanism everywhere.

A missing or unusable input ends the job with a line `[job] INPUT ERROR: ...` and exit code 3
(on Glue, which reports the exception that ended a script and not its exit code, with a
`JobInputError` carrying that line): both runtimes (local and Glue) read that as "do not retry".
Runs on Glue: standard library, boto3 and pyspark only.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flightlake.errors import PermanentError
from flightlake.lake.publish import now_iso, publish_partition
from flightlake.lake.tables import Table
from flightlake.settings import Settings, load_settings
from flightlake.spark.session import get_session, lake_scheme

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SETTING_PREFIX = "--FLIGHTLAKE_"
INPUT_ERROR_EXIT = 3  # the job's input is unusable: callers should not retry
INPUT_ERROR_MARK = "INPUT ERROR"
_MISSING_PATH_MARKERS = ("Path does not exist", "PATH_NOT_FOUND", "FileNotFoundException")


class JobInputError(PermanentError):
    """The job's input is missing or unusable; the message names it and the fix."""


@dataclass
class JobRun:
    """One run of a job for one year: what it needs and what it reports."""

    name: str
    year: int
    settings: Settings
    spark: SparkSession
    started: float = field(default_factory=time.monotonic)
    started_at: str = field(default_factory=now_iso)

    @property
    def scheme(self) -> str:
        return lake_scheme(self.settings)

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """Time a step and say so in the log: long Spark work shows its progress."""
        started = time.monotonic()
        yield
        print(f"[{self.name}] {what}: {time.monotonic() - started:.1f} s", flush=True)

    def finish(self, table: Table, figures: dict[str, Any]) -> dict[str, Any]:
        """Publish the year's partition of `table` (manifest and catalog) with the job's figures."""
        figures = {"started_at": self.started_at, "spark_version": self.spark.version, **figures}
        return publish_partition(self.settings, table, self.year, self.name, self.started, figures)


def apply_setting_arguments(extra: Sequence[str]) -> dict[str, str]:
    """Put `--FLIGHTLAKE_X value` / `--FLIGHTLAKE_X=value` pairs into os.environ."""
    applied: dict[str, str] = {}
    items = list(extra)
    index = 0
    while index < len(items):
        item = items[index]
        if item.startswith(SETTING_PREFIX):
            name, has_value, value = item[2:].partition("=")
            if not has_value:
                if index + 1 >= len(items):
                    raise SystemExit(f"{item} needs a value")
                value = items[index + 1]
                index += 1
            applied[name] = value
        index += 1
    os.environ.update(applied)
    return applied


def parse_args(description: str, argv: Sequence[str]) -> int:
    """The year to process; settings arguments go to the environment, Glue's own are ignored."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--year", type=int, required=True, help="the year to process, e.g. 2013")
    args, extra = parser.parse_known_args(list(argv))
    apply_setting_arguments(extra)
    if not 1987 <= args.year <= 2100:
        raise SystemExit(f"--year {args.year}: expected a four-digit year")
    return args.year


def run_job(
    name: str,
    description: str,
    argv: Sequence[str],
    step: Callable[[JobRun], dict[str, Any]],
    summary: Callable[[dict[str, Any]], str],
) -> int:
    """A step's `main`: parse arguments, read settings, start (or join) the Spark session, run
    `step`, print its one-line `summary` of the manifest, time the run."""
    year = parse_args(description, argv)
    settings = load_settings()
    spark = get_session(settings, f"flightlake-{name}-{year}")
    job = JobRun(name, year, settings, spark)
    print(f"[{name}] year {year}: starting on {spark.sparkContext.master}", flush=True)
    try:
        manifest = step(job)
    except JobInputError as error:
        # A bad or missing input will not get better by retrying: say so with a distinct exit code.
        line = f"[{name}] {INPUT_ERROR_MARK}: {error}"
        print(line, flush=True)
        if settings.runtime == "glue":
            # Glue reports no exit code: a failed run's ErrorMessage is the exception that ended
            # the script. This one carries the line, so the DAG's Glue runtime sees INPUT ERROR.
            raise JobInputError(line) from error
        raise SystemExit(INPUT_ERROR_EXIT) from error
    print(f"[{name}] {summary(manifest)}", flush=True)
    print(f"[{name}] year {year}: done in {time.monotonic() - job.started:.1f} s", flush=True)
    return 0


@contextmanager
def required_input(message: str) -> Iterator[None]:
    """Turn Spark's "no such path" errors (the wording differs by reader and Spark version)
    into a JobInputError carrying `message`, which names the input and the fix."""
    try:
        yield
    except Exception as error:
        if any(marker in str(error) for marker in _MISSING_PATH_MARKERS):
            raise JobInputError(message) from error
        raise
