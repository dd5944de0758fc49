"""The DAG's local Spark step, both ways: a spark-submit application, and inline in the task."""

from __future__ import annotations

import dataclasses

import pytest

from flightlake.errors import PermanentError
from flightlake.lake.manifests import read_manifest
from flightlake.lake.tables import RAW_FLIGHTS, STAGE_FLIGHTS
from flightlake.pipeline.operators.local import submit
from flightlake.pipeline.outcomes import SparkStepRefused
from flightlake.pipeline.registry import step
from flightlake.settings import SparkLaunch
from flightlake.spark.job import JobInputError

pytestmark = pytest.mark.integration
EMPTY_RAW_BUCKET = "runtime-test-empty-raw"  # a lake with no raw file: raw_to_stage refuses its input


def test_spark_submit_runs_the_step_as_an_application_and_returns_its_result(settings, tmp_path, spark):
    from flightlake.datagen import generate
    from flightlake.lake.ingest import ingest

    generate([2011], rows_per_year=20_000, seed=9, out_dir=tmp_path)
    ingest(settings, [tmp_path / "2011.csv"])
    lines: list[str] = []
    process = dataclasses.replace(settings, spark_submit=SparkLaunch.PROCESS)
    result = submit(process, step("raw_to_stage"), 2011, run_id="manual__test", echo=lines.append)
    assert lines[0].startswith("$ ") and "bin/spark-submit" in lines[0]
    assert "run_step.py --step raw_to_stage --year 2011 --run-id manual__test --JOB_RUN_ID local-" in lines[0]
    assert result == read_manifest(settings, STAGE_FLIGHTS, 2011)  # the value, not a log line
    assert result["rows_out"] == 20_000 and result["run_id"] == "manual__test"


def test_a_missing_input_fails_for_good_in_both_ways_naming_the_path(settings, spark, s3):
    s3.create_bucket(Bucket=EMPTY_RAW_BUCKET)
    empty = dataclasses.replace(
        settings, zones={**settings.zones, "raw": dataclasses.replace(settings.zone("raw"), bucket=EMPTY_RAW_BUCKET)}
    )
    expected = RAW_FLIGHTS.partition_uri(empty, 2011, "s3a")
    with pytest.raises(JobInputError, match=expected):  # inline: the step's own exception
        step("raw_to_stage").run(empty, 2011)
    env = {"FLIGHTLAKE_RAW_BUCKET": EMPTY_RAW_BUCKET}
    with pytest.raises(SparkStepRefused, match=f"JobInputError: no raw file for 2011 at {expected}") as refused:
        submit_with(empty, env)
    assert isinstance(refused.value, PermanentError)  # the retry rules fail the task at once


def submit_with(settings, env: dict[str, str]):
    """spark-submit with extra settings in the application's environment."""
    import os
    from unittest import mock

    process = dataclasses.replace(settings, spark_submit=SparkLaunch.PROCESS)
    with mock.patch.dict(os.environ, env):
        return submit(process, step("raw_to_stage"), 2011, echo=lambda line: None)
