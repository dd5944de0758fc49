"""DAG task `stage_to_analytics` (Spark): one year of stage flights -> daily figures per airport.

Runs in Spark wherever the runtime says (`flightlake.pipeline.runtimes`): the script
`spark_jobs/stage_to_analytics.py` calls `main`, under spark-submit, in-process, or as the AWS
Glue 5.0 job `<prefix>-stage-to-analytics`. The figures are defined in
`flightlake.spark.transforms.stage_to_analytics`; the write replaces this year's partition of
`analytics.airport_daily` and nothing else (it states `partitionOverwriteMode=dynamic` itself).
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import functions as F

from flightlake.lake.provenance import table_identity
from flightlake.lake.tables import AIRPORT_DAILY, STAGE_FLIGHTS
from flightlake.spark.job import JobRun, required_input, run_job
from flightlake.spark.transforms.stage_to_analytics import daily_airport_figures

OUTPUT_FILES = 2  # ~130k rows a year: a couple of files, not one per shuffle partition


def run(job: JobRun) -> dict[str, Any]:
    settings, spark, year = job.settings, job.spark, job.year
    source = STAGE_FLIGHTS.partition_uri(settings, year, job.scheme)
    with required_input(f"no stage data for {year} at {source}: run raw_to_stage for {year} first"):
        flights = spark.read.parquet(source)
    daily = daily_airport_figures(flights, year)
    AIRPORT_DAILY.clear_partition(settings, year)  # the year's figures come from this stage data only
    with job.step("wrote daily figures per airport"):
        (
            daily.coalesce(OUTPUT_FILES)
            .write.mode("overwrite")
            .option("partitionOverwriteMode", "dynamic")
            .partitionBy("year")
            .parquet(AIRPORT_DAILY.location(settings, job.scheme))
        )
    with job.step("counted what was written"):
        written = spark.read.parquet(AIRPORT_DAILY.partition_uri(settings, year, job.scheme))
        counts = written.agg(F.count(F.lit(1)).alias("rows"), F.countDistinct("origin_airport").alias("airports"))
        rows_out, airports = counts.first()
        rows_in = flights.count()
    identity = table_identity(settings, STAGE_FLIGHTS, year)
    figures = {"rows_in": rows_in, "rows_out": rows_out, "airports": airports, "source": source}
    return job.finish(AIRPORT_DAILY, {**figures, "raw_identity": identity})


def main(argv: list[str]) -> int:
    """The job's entry point: `--year YYYY` plus Glue's and the settings' arguments."""
    return run_job("stage_to_analytics", __doc__.splitlines()[0], argv, run, summary)


def summary(manifest: dict[str, Any]) -> str:
    return f"{manifest['rows_in']} flights -> {manifest['rows_out']} airport-days at {manifest['airports']} airports"
