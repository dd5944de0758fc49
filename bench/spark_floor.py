"""Bare Spark on one year file: what the two Spark steps cost without flightlake around them.

    python -m bench.spark_floor RAW_URI OUT_URI

The same two stages as `raw_to_stage` and `stage_to_analytics`, written the plain way:
`spark.read.csv` with the 28-column schema (no line numbers, no verdict per line, no duplicate
check) -> Parquet, then the daily figures per origin airport with the exact median and p90
(`percentile`) from that Parquet -> Parquet. It reads and writes where the pipeline does (the
lake, through S3A) in a session built by `flightlake.spark.session` with the pipeline's local
settings, so the ratio of a step to its stage here compares like with like. Its last line is
JSON: seconds per stage.
"""

from __future__ import annotations

import json
import sys
import time

from flightlake.lake.schemas import KAGGLE_COLUMNS, STAGE_COLUMNS

_SPARK_TYPES = {"date": "date", "string": "string", "int": "double", "double": "double", "boolean": "double"}

DAILY_SQL = """
SELECT fl_date AS flight_date, origin AS origin_airport, count(1) AS scheduled_flights,
       sum(cancelled) AS cancelled_flights, sum(diverted) AS diverted_flights,
       sum(1 - cancelled) AS departed_flights, avg(cancelled) AS cancellation_rate,
       avg(CASE WHEN cancelled = 0 THEN dep_delay END) AS avg_dep_delay,
       percentile(CASE WHEN cancelled = 0 THEN dep_delay END, array(0.5, 0.9)) AS dep_delay_levels,
       avg(CASE WHEN cancelled = 0 THEN CAST(dep_delay >= 15 AS int) END) AS share_delayed_15,
       avg(arr_delay) AS avg_arr_delay
FROM flights GROUP BY 1, 2
"""


def main(raw_uri: str, out_uri: str) -> dict[str, float]:
    from flightlake.settings import load_settings
    from flightlake.spark.session import get_session

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    spark = get_session(load_settings(), "bench-spark-floor")
    seconds["session"] = time.perf_counter() - started
    kinds = [_SPARK_TYPES[kind] for _, kind in STAGE_COLUMNS] + ["string"]
    schema = ", ".join(f"`{name}` {kind}" for name, kind in zip(KAGGLE_COLUMNS, kinds, strict=True))
    stage, daily = f"{out_uri.rstrip('/')}/stage", f"{out_uri.rstrip('/')}/daily"

    started = time.perf_counter()
    flights = spark.read.csv(raw_uri, header=True, schema=schema)
    renamed = flights.toDF(*[name for name, _ in STAGE_COLUMNS], "trailing").drop("trailing")
    renamed.write.mode("overwrite").parquet(stage)
    seconds["csv_to_parquet"] = time.perf_counter() - started

    started = time.perf_counter()
    spark.read.parquet(stage).createOrReplaceTempView("flights")
    figures = spark.sql(DAILY_SQL)
    levels = figures.selectExpr("*", "dep_delay_levels[0] AS median_dep_delay", "dep_delay_levels[1] AS p90_dep_delay")
    levels.drop("dep_delay_levels").coalesce(2).write.mode("overwrite").parquet(daily)
    seconds["daily"] = time.perf_counter() - started
    spark.stop()
    return seconds


if __name__ == "__main__":
    figures = main(sys.argv[1], sys.argv[2])
    print(json.dumps({name: round(value, 2) for name, value in figures.items()}))
