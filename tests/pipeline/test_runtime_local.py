"""The DAG's local Spark step, both ways: a spark-submit application, and inline in the caller."""

from __future__ import annotations

import dataclasses

import pytest

from flightlake.errors import PermanentError
from flightlake.lake.manifests import read_manifest
from flightlake.lake.tables import RAW_FLIGHTS, STAGE_FLIGHTS
from flightlake.pipeline.runtimes.local import SparkInputError, submit

pytestmark = pytest.mark.integration
MISSING_YEAR = 1999


def test_spark_submit_runs_the_job_script_as_an_application(settings, tmp_path, spark):
    from flightlake.datagen import generate
    from flightlake.lake.ingest import ingest

    generate([2011], rows_per_year=20_000, seed=9, out_dir=tmp_path)
    ingest(settings, [tmp_path / "2011.csv"])
    lines: list[str] = []
    process = dataclasses.replace(settings, spark_submit="process")
    run = submit(process, "raw_to_stage", 2011, echo=lines.append)
    assert lines[0].startswith("$ ") and "bin/spark-submit" in lines[0] and "--year 2011" in lines[0]
    assert run.summary == "[raw_to_stage] year 2011: done in " + run.summary.split(" in ")[-1]
    assert read_manifest(settings, STAGE_FLIGHTS, 2011)["rows_out"] == 20_000


@pytest.mark.parametrize("mode", ["process", "inline"])
def test_a_missing_input_fails_without_retry_naming_the_path(settings, spark, mode):
    with pytest.raises(SparkInputError) as raised:
        submit(dataclasses.replace(settings, spark_submit=mode), "raw_to_stage", MISSING_YEAR, echo=lambda line: None)
    assert isinstance(raised.value, PermanentError)  # the retry rules fail the task at once
    expected = RAW_FLIGHTS.partition_uri(settings, MISSING_YEAR, "s3a")
    assert "INPUT ERROR" in str(raised.value) and expected in str(raised.value)
