"""Spark job: one year of stage flights -> daily figures per origin airport (analytics zone).

Runs as `spark-submit spark_jobs/stage_to_analytics.py --year 2013` and, unchanged, as the AWS Glue
5.0 job `<prefix>-stage-to-analytics`.
"""

from __future__ import annotations

import sys

from pyspark.sql import functions as F

from flightlake.jobs import JobRun, job_run, required_input
from flightlake.lake import AIRPORT_DAILY, STAGE_FLIGHTS
from flightlake.transforms.stage_to_analytics import daily_airport_figures

OUTPUT_FILES = 2  # ~130k rows a year: a couple of files, not one per shuffle partition


def run(job: JobRun) -> dict:
    settings, spark, year = job.settings, job.spark, job.year
    source = STAGE_FLIGHTS.partition_uri(settings, year, job.scheme)
    with required_input(f"no stage data for {year} at {source}: run raw_to_stage for {year} first"):
        flights = spark.read.parquet(source)
    daily = daily_airport_figures(flights, year)
    with job.step("wrote daily figures per airport"):
        daily.coalesce(OUTPUT_FILES).write.mode("overwrite").partitionBy("year").parquet(
            AIRPORT_DAILY.location(settings, job.scheme)
        )
    with job.step("counted what was written"):
        written = spark.read.parquet(AIRPORT_DAILY.partition_uri(settings, year, job.scheme))
        counts = written.agg(F.count(F.lit(1)).alias("rows"), F.countDistinct("origin_airport").alias("airports"))
        rows_out, airports = counts.first()
        rows_in = flights.count()
    return job.finish(AIRPORT_DAILY, {"rows_in": rows_in, "rows_out": rows_out, "airports": airports, "source": source})


def main(argv: list[str]) -> int:
    with job_run("stage_to_analytics", __doc__.splitlines()[0], argv) as job:
        manifest = run(job)
        print(
            f"[stage_to_analytics] {manifest['rows_in']} flights -> {manifest['rows_out']} airport-days "
            f"at {manifest['airports']} airports",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
