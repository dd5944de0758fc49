"""What every Spark job script shares: arguments, session, manifest, catalog registration.

The scripts in `spark_jobs/` run unchanged under `spark-submit` and as AWS Glue 5.0 jobs. Glue
passes its own arguments (`--JOB_NAME`, `--job-bookmark-option`, `--TempDir`, ...), which are
ignored, and carries configuration as `--FLIGHTLAKE_<SETTING> value` job arguments, which are put
into the environment before the settings are read: one configuration mechanism everywhere.
Runs on Glue: standard library, boto3 and pyspark only.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flightlake import catalog
from flightlake.lake import Table
from flightlake.manifests import write_manifest
from flightlake.settings import Settings, load_settings
from flightlake.spark import get_session, lake_scheme

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SETTING_PREFIX = "--FLIGHTLAKE_"
INPUT_ERROR_EXIT = 3  # the job's input is unusable: callers should not retry
_MISSING_PATH_MARKERS = ("Path does not exist", "PATH_NOT_FOUND", "FileNotFoundException")


class JobInputError(RuntimeError):
    """The job's input is missing or unusable; the message names it and the fix."""


@dataclass
class JobRun:
    """One run of a job for one year: what it needs and what it reports."""

    name: str
    year: int
    settings: Settings
    spark: SparkSession
    started: float = field(default_factory=time.monotonic)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

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
        """Write the manifest beside the data and register the year's partition."""
        manifest = {
            "job": self.name,
            "year": self.year,
            "table": f"{self.settings.glue_databases[table.zone]}.{table.name}",
            "location": table.partition_uri(self.settings, self.year),
            "started_at": self.started_at,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "duration_s": round(time.monotonic() - self.started, 2),
            "spark_version": self.spark.version,
            **figures,
        }
        write_manifest(self.settings, table, self.year, manifest)
        parameters = {k: str(v) for k, v in figures.items() if isinstance(v, int | float | str)}
        catalog.register_partition(table, self.settings, self.year, parameters)
        return manifest


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


@contextmanager
def job_run(name: str, description: str, argv: Sequence[str]) -> Iterator[JobRun]:
    """Parse arguments, read settings, start (or join) the Spark session, time the run."""
    year = parse_args(description, argv)
    settings = load_settings()
    spark = get_session(settings, f"flightlake-{name}-{year}")
    run = JobRun(name, year, settings, spark)
    print(f"[{name}] year {year}: starting on {spark.sparkContext.master}", flush=True)
    try:
        yield run
    except JobInputError as error:
        # A bad or missing input will not get better by retrying: say so with a distinct exit code.
        print(f"[{name}] INPUT ERROR: {error}", flush=True)
        raise SystemExit(INPUT_ERROR_EXIT) from error
    print(f"[{name}] year {year}: done in {time.monotonic() - run.started:.1f} s", flush=True)


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
