"""The Spark steps on the embedded stack: raw -> stage -> analytics, checked against pandas.

Each step runs through its Spark application's entry point (`spark_jobs/run_step.py`, the script
every Glue job runs) with the arguments Glue adds, in the test's own Spark session."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flightlake.anomalies.daily_reference import daily_from_csv
from flightlake.lake import catalog
from flightlake.lake.arrow_io import read_year
from flightlake.lake.aws import list_keys
from flightlake.lake.ingest import ingest
from flightlake.lake.manifests import read_manifest
from flightlake.lake.schemas import DAILY_COLUMNS
from flightlake.lake.tables import AIRPORT_DAILY, STAGE_FLIGHTS, STAGE_REJECTS
from flightlake.pipeline.spark_application import StepArguments, parse_arguments, setting_arguments
from flightlake.settings import SettingsError
from tests.conftest import REPO

pytestmark = pytest.mark.integration
ROWS = 60_000


def application():
    spec = importlib.util.spec_from_file_location("flightlake_run_step", REPO / "spark_jobs" / "run_step.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_job(name: str, year: int) -> None:
    glue_adds = ["--JOB_NAME", "glue-passes-this", "--TempDir", "s3://x/"]
    assert application().main(["--step", name, "--year", str(year), *glue_adds]) == 0


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from flightlake.datagen import generate

    out = tmp_path_factory.mktemp("generated")
    generate([2012, 2013], rows_per_year=ROWS, seed=5, out_dir=out)
    return out


@pytest.fixture(scope="module")
def lake_2013(generated, settings, spark) -> Path:
    """2013 through both jobs once; tests below read what landed."""
    assert {r.status for r in ingest(settings, [generated / "2013.csv"])} <= {"uploaded", "unchanged"}
    run_job("raw_to_stage", 2013)
    run_job("stage_to_analytics", 2013)
    return generated / "2013.csv"


def object_sizes(s3, bucket: str, prefix: str) -> dict[str, int]:
    return {o["Key"]: o["Size"] for o in list_keys(s3, bucket, prefix) if not o["Key"].endswith("_manifest.json")}


def test_daily_figures_equal_an_independent_pandas_computation(lake_2013, settings):
    spark_daily = read_year(settings, AIRPORT_DAILY, 2013)
    expected = daily_from_csv(lake_2013)
    key = ["flight_date", "origin_airport"]
    got = spark_daily.sort_values(key, ignore_index=True)
    want = expected.sort_values(key, ignore_index=True)
    assert len(got) == len(want) > 10_000
    assert list(got.columns) == [name for name, _ in DAILY_COLUMNS]
    assert (got["flight_date"].astype(str).to_numpy() == want["flight_date"].astype(str).to_numpy()).all()
    assert (got["origin_airport"].to_numpy() == want["origin_airport"].to_numpy()).all()
    for column, kind in DAILY_COLUMNS[2:]:
        left = got[column].astype("float64").to_numpy()
        right = want[column].astype("float64").to_numpy()
        if kind == "bigint":
            assert (left == right).all(), column
        else:
            assert np.allclose(left, right, rtol=1e-9, atol=1e-9, equal_nan=True), column
    assert got["cancelled_flights"].sum() > 0 and got["avg_dep_delay"].notna().sum() > 10_000


def test_stage_is_typed_and_manifests_and_catalog_record_the_run(lake_2013, settings, spark, glue):
    stage = spark.read.parquet(STAGE_FLIGHTS.partition_uri(settings, 2013, "s3a"))
    types = dict(stage.dtypes)
    assert types["fl_date"] == "date" and types["dep_delay"] == "double" and types["cancelled"] == "boolean"
    assert types["op_carrier_fl_num"] == "int" and "unnamed_27" not in types and "Unnamed: 27" not in types
    assert stage.count() == ROWS
    manifest = read_manifest(settings, STAGE_FLIGHTS, 2013)
    assert manifest["rows_in"] == ROWS and manifest["rows_out"] == ROWS and manifest["rejects"] == 0
    assert manifest["duration_s"] > 0
    daily_manifest = read_manifest(settings, AIRPORT_DAILY, 2013)
    assert daily_manifest["rows_in"] == ROWS and daily_manifest["airports"] > 300
    partition = glue.get_partition(
        DatabaseName=settings.glue_databases["analytics"], TableName="airport_daily", PartitionValues=["2013"]
    )["Partition"]
    assert partition["Parameters"]["rows_out"] == str(daily_manifest["rows_out"])


def test_running_a_year_again_changes_nothing_and_2012_leaves_2013_intact(lake_2013, generated, settings, s3):
    stage_bucket, daily_bucket = STAGE_FLIGHTS.bucket(settings), AIRPORT_DAILY.bucket(settings)
    before_stage = read_year(settings, STAGE_FLIGHTS, 2013)
    before_daily = read_year(settings, AIRPORT_DAILY, 2013)
    run_job("raw_to_stage", 2013)
    run_job("stage_to_analytics", 2013)
    assert len(read_year(settings, STAGE_FLIGHTS, 2013)) == len(before_stage) == ROWS
    after_daily = read_year(settings, AIRPORT_DAILY, 2013)
    pd.testing.assert_frame_equal(
        after_daily.sort_values(["flight_date", "origin_airport"], ignore_index=True),
        before_daily.sort_values(["flight_date", "origin_airport"], ignore_index=True),
    )
    assert catalog.partition_years(STAGE_FLIGHTS, settings).count(2013) == 1
    files_2013 = object_sizes(s3, stage_bucket, STAGE_FLIGHTS.partition_key(settings, 2013))

    ingest(settings, [generated / "2012.csv"])
    run_job("raw_to_stage", 2012)
    run_job("stage_to_analytics", 2012)
    assert object_sizes(s3, stage_bucket, STAGE_FLIGHTS.partition_key(settings, 2013)) == files_2013
    assert len(read_year(settings, AIRPORT_DAILY, 2013)) == len(before_daily)
    assert len(read_year(settings, AIRPORT_DAILY, 2012)) > 10_000
    assert object_sizes(s3, daily_bucket, AIRPORT_DAILY.partition_key(settings, 2012))
    assert {2012, 2013} <= set(catalog.partition_years(AIRPORT_DAILY, settings))


def test_broken_rows_go_to_rejects_with_reasons_and_counts_add_up(generated, tmp_path, settings, spark):
    lines = (generated / "2012.csv").read_bytes().split(b"\n")
    broken = {
        3: (_set_field(lines[3], 0, b"2012-13-45"), "FL_DATE '2012-13-45' is not a YYYY-MM-DD date"),
        10: (_set_field(lines[10], 0, b"2011-06-01"), "FL_DATE 2011-06-01 is not in 2012"),
        20: (b",".join(lines[20].split(b",")[:20]), "has 20 fields, expected 28"),
        30: (_set_field(lines[30], 7, b"abc"), "DEP_DELAY 'abc' is not a number"),
        40: (_set_field(lines[40], 3, b"J\xffK"), "contains bytes that are not UTF-8"),
        50: (_set_field(lines[50], 15, b"2.0"), "CANCELLED '2.0' is not 0.0 or 1.0"),
    }
    for index, (line, _) in broken.items():
        lines[index] = line
    path = tmp_path / "2012.csv"
    path.write_bytes(b"\n".join(lines))
    assert ingest(settings, [path])[0].status == "uploaded"
    run_job("raw_to_stage", 2012)
    rejects = read_year(settings, STAGE_REJECTS, 2012).sort_values("line_number", ignore_index=True)
    assert list(rejects["line_number"]) == [i + 1 for i in sorted(broken)]
    for (index, (_, reason)), got in zip(sorted(broken.items()), rejects["reason"], strict=True):
        assert reason in got, (index, got)
    assert rejects["source_file"].str.endswith("year=2012/2012.csv").all()
    assert rejects.loc[rejects["line_number"] == 41, "raw_line"].iloc[0].count("\ufffd") == 1
    manifest = read_manifest(settings, STAGE_FLIGHTS, 2012)
    stage_rows = spark.read.parquet(STAGE_FLIGHTS.partition_uri(settings, 2012, "s3a")).count()
    assert manifest["rows_in"] == ROWS == stage_rows + len(rejects)
    assert manifest["rejects"] == len(broken) and sum(manifest["reject_reasons"].values()) == len(broken)
    # and the clean file again: the rejects of the earlier run are gone, not left behind
    ingest(settings, [generated / "2012.csv"])
    run_job("raw_to_stage", 2012)
    assert read_manifest(settings, STAGE_FLIGHTS, 2012)["rejects"] == 0
    assert read_year(settings, STAGE_REJECTS, 2012).empty


def _set_field(line: bytes, index: int, value: bytes) -> bytes:
    fields = line.split(b",")
    fields[index] = value
    return b",".join(fields)


def test_application_arguments_tolerate_glue_and_carry_settings_without_touching_the_environment():
    before = dict(os.environ)
    arguments = parse_arguments(
        ["--JOB_NAME", "j", "--step", "stage_to_analytics", "--year", "2014", "--JOB_RUN_ID", "jr_1",
         "--job-bookmark-option", "job-bookmark-disable", "--FLIGHTLAKE_STAGE_BUCKET", "other-stage",
         "--FLIGHTLAKE_RUNTIME=glue"],
    )  # fmt: skip
    assert arguments == StepArguments(
        "stage_to_analytics",
        2014,
        None,
        "jr_1",
        {"FLIGHTLAKE_STAGE_BUCKET": "other-stage", "FLIGHTLAKE_RUNTIME": "glue"},
    )
    assert parse_arguments(arguments.argv()) == arguments  # what the local operator passes, read back the same
    assert dict(os.environ) == before
    assert setting_arguments(["--other", "1"]) == {}
    with pytest.raises(SettingsError, match="2030 is outside 2009-2018"):
        parse_arguments(["--step", "raw_to_stage", "--year", "2030"])
    with pytest.raises(SystemExit):  # not a Spark step: argparse names the choices
        parse_arguments(["--step", "report", "--year", "2013"])
