"""One year of stage flights -> daily figures per origin airport.

A Spark step (`pipeline.registry`): it runs wherever the execution mode puts it (in the task's
process, a spark-submit application or the AWS Glue 5.0 job `<prefix>-stage-to-analytics`),
always as `run(settings, year)`. The figures are defined in
`flightlake.spark.transforms.stage_to_analytics`; the write replaces this year's partition of
`analytics.airport_daily` and nothing else (it states `partitionOverwriteMode=dynamic` itself).
"""

from __future__ import annotations

from typing import Any

from flightlake.lake.tables import AIRPORT_DAILY, STAGE_FLIGHTS
from flightlake.settings import Settings

OUTPUT_FILES = 2  # ~130k rows a year: a couple of files, not one per shuffle partition


def run(settings: Settings, year: int, run_id: str | None = None) -> dict[str, Any]:
    """The step: the year's daily figures per airport, published; returns their manifest."""
    from pyspark.sql import Observation
    from pyspark.sql import functions as F

    from flightlake.lake.provenance import table_identity
    from flightlake.spark.job import SparkJob, required_input
    from flightlake.spark.transforms.stage_to_analytics import daily_airport_figures

    job = SparkJob.start("stage_to_analytics", settings, year, run_id)
    spark = job.spark
    source = STAGE_FLIGHTS.partition_uri(settings, year, job.scheme)
    with required_input(f"no stage data for {year} at {source}: run raw_to_stage for {year} first"):
        flights = spark.read.parquet(source)
    counted_in, counted_out = Observation(f"stage_to_analytics_in_{year}"), Observation(f"stage_to_analytics_{year}")
    observed_flights = flights.observe(counted_in, F.count(F.lit(1)).alias("rows"))
    daily = daily_airport_figures(observed_flights, year).observe(
        counted_out, F.count(F.lit(1)).alias("rows"), F.size(F.collect_set("origin_airport")).alias("airports")
    )
    AIRPORT_DAILY.clear_partition(settings, year)  # the year's figures come from this stage data only
    with job.step("wrote daily figures per airport"):
        (
            daily.coalesce(OUTPUT_FILES)
            .write.mode("overwrite")
            .option("partitionOverwriteMode", "dynamic")
            .partitionBy("year")
            .parquet(AIRPORT_DAILY.location(settings, job.scheme))
        )
    # counted as they were written (observed metrics), not by reading the year back
    rows_in = int(counted_in.get["rows"])
    rows_out, airports = (int(counted_out.get[name]) for name in ("rows", "airports"))
    identity = table_identity(settings, STAGE_FLIGHTS, year)
    figures = {"rows_in": rows_in, "rows_out": rows_out, "airports": airports, "source": source}
    manifest = job.finish(AIRPORT_DAILY, {**figures, "raw_identity": identity})
    job.say(f"{rows_in} flights -> {rows_out} airport-days at {airports} airports")
    return manifest
