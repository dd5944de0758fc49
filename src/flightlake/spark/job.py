"""What every Spark step shares inside its Spark application: the session, progress lines, and
publishing what it wrote, so each step module holds only its own story.

A Spark step (`flightlake.pipeline.steps.raw_to_stage`, `...stage_to_analytics`) begins with
`job = SparkJob.start(name, settings, year, run_id)` and ends with `job.finish(table, figures)`.
It runs the same way wherever its execution mode puts it: inline in an Airflow task, in a
spark-submit application, or in an AWS Glue 5.0 job (`flightlake.pipeline.spark_application`).

A missing or unusable input is a `JobInputError`, a `PermanentError`: retrying cannot help, so
every execution mode fails the task at once. Runs on Glue: standard library, boto3 and pyspark only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flightlake.errors import PermanentError
from flightlake.lake.publish import now_iso, publish_partition
from flightlake.lake.tables import Table
from flightlake.settings import Settings
from flightlake.spark.session import get_session, lake_scheme

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_MISSING_PATH_MARKERS = ("Path does not exist", "PATH_NOT_FOUND", "FileNotFoundException")


class JobInputError(PermanentError):
    """The step's input is missing or unusable; the message names it and the fix."""


@dataclass
class SparkJob:
    """One Spark step for one year: what it needs and how it reports."""

    name: str
    year: int
    settings: Settings
    spark: SparkSession
    run_id: str | None = None
    started: float = field(default_factory=time.monotonic)
    started_at: str = field(default_factory=now_iso)

    @classmethod
    def start(cls, name: str, settings: Settings, year: int, run_id: str | None = None) -> SparkJob:
        """Join the process's Spark session (or start one) and say where the step runs."""
        spark = get_session(settings, f"flightlake-{name}-{year}")
        job = cls(name, year, settings, spark, run_id)
        job.say(f"year {year}: starting on {spark.sparkContext.master}")
        return job

    @property
    def scheme(self) -> str:
        return lake_scheme(self.settings)

    def say(self, line: str) -> None:
        print(f"[{self.name}] {line}", flush=True)

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """Time a part of the step and say so: long Spark work shows its progress."""
        started = time.monotonic()
        yield
        self.say(f"{what}: {time.monotonic() - started:.1f} s")

    def finish(self, table: Table, figures: dict[str, Any]) -> dict[str, Any]:
        """Publish the year's partition of `table` (manifest and catalog) with the step's figures."""
        figures = {"started_at": self.started_at, "spark_version": self.spark.version, "run_id": self.run_id, **figures}
        return publish_partition(self.settings, table, self.year, self.name, self.started, figures)


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
