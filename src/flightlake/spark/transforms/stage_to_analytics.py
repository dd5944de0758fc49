"""Stage flights -> daily figures per origin airport (one row per airport and day flown)."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from flightlake.lake import schemas

DELAYED_MINUTES = 15  # the DOT definition of a delayed flight


def _departed_delay() -> Column:
    """Departure delay of flights that left (cancelled flights have none)."""
    return F.when(~F.col("cancelled"), F.col("dep_delay"))


def daily_airport_figures(flights: DataFrame, year: int) -> DataFrame:
    """Counts, cancellation rate and departure-delay statistics per (flight_date, origin_airport).

    Delay statistics cover departed flights with a recorded delay; the median and 90th
    percentile are exact (`percentile`, linear interpolation like pandas' quantile), not
    approximations, so they can be checked against an independent computation. Both come from one
    `percentile` with an array of levels: each exact percentile keeps every delay of its group in
    its buffer, so two separate calls held and sorted every value twice.
    """
    delay = _departed_delay()
    grouped = flights.groupBy(F.col("fl_date").alias("flight_date"), F.col("origin").alias("origin_airport")).agg(
        F.count(F.lit(1)).alias("scheduled_flights"),
        F.sum(F.col("cancelled").cast("long")).alias("cancelled_flights"),
        F.sum(F.col("diverted").cast("long")).alias("diverted_flights"),
        F.sum((~F.col("cancelled")).cast("long")).alias("departed_flights"),
        F.avg(delay).alias("avg_dep_delay"),
        F.percentile(delay, F.array(F.lit(0.5), F.lit(0.9))).alias("_dep_delay_levels"),
        (F.sum((delay >= DELAYED_MINUTES).cast("long")) / F.count(delay)).alias("share_delayed_15"),
        F.avg("arr_delay").alias("avg_arr_delay"),
    )
    figures = grouped.withColumns(
        {
            "cancellation_rate": F.col("cancelled_flights") / F.col("scheduled_flights"),
            "median_dep_delay": F.col("_dep_delay_levels").getItem(0),
            "p90_dep_delay": F.col("_dep_delay_levels").getItem(1),
        }
    )
    return figures.select(
        *[F.col(name).cast(kind).alias(name) for name, kind in schemas.DAILY_COLUMNS], F.lit(year).alias("year")
    )
