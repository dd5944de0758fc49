"""Daily figures per origin airport computed with plain pandas straight from a Kaggle CSV.

An independent second implementation of `transforms.stage_to_analytics`: the integration tests
compare the Spark result with it row by row, the benchmark times it as the single-script way of
doing the same work, and `flightlake evaluate` uses it to score detectors without Spark.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flightlake.lake import schemas

USED_COLUMNS = ["FL_DATE", "ORIGIN", "DEP_DELAY", "ARR_DELAY", "CANCELLED", "DIVERTED"]
DELAYED_MINUTES = 15


def read_flights(path: Path) -> pd.DataFrame:
    """The columns the daily figures need, as pandas reads them (CRLF or LF alike)."""
    return pd.read_csv(
        path,
        usecols=USED_COLUMNS,
        dtype={
            "ORIGIN": "string",
            "DEP_DELAY": "float64",
            "ARR_DELAY": "float64",
            "CANCELLED": "float64",
            "DIVERTED": "float64",
        },
        parse_dates=["FL_DATE"],
    )


def daily_figures(flights: pd.DataFrame) -> pd.DataFrame:
    """Same definitions as the Spark job: delay statistics over departed flights only."""
    frame = pd.DataFrame(
        {
            "flight_date": flights["FL_DATE"].dt.date,
            "origin_airport": flights["ORIGIN"],
            "cancelled": flights["CANCELLED"] == 1,
            "diverted": flights["DIVERTED"] == 1,
            "arr_delay": flights["ARR_DELAY"],
        }
    )
    frame["departed_delay"] = flights["DEP_DELAY"].where(~frame["cancelled"])
    frame["departed"] = ~frame["cancelled"]
    frame["late"] = (frame["departed_delay"] >= DELAYED_MINUTES).astype(float).where(frame["departed_delay"].notna())
    grouped = frame.groupby(["flight_date", "origin_airport"], sort=True)
    delay = grouped["departed_delay"]
    result = pd.DataFrame(
        {
            "scheduled_flights": grouped.size(),
            "cancelled_flights": grouped["cancelled"].sum(),
            "diverted_flights": grouped["diverted"].sum(),
            "departed_flights": grouped["departed"].sum(),
            "avg_dep_delay": delay.mean(),
            "median_dep_delay": delay.median(),
            "p90_dep_delay": delay.quantile(0.9),
            "share_delayed_15": grouped["late"].mean(),
            "avg_arr_delay": grouped["arr_delay"].mean(),
        }
    ).reset_index()
    result["cancellation_rate"] = result["cancelled_flights"] / result["scheduled_flights"]
    return result[schemas.names(schemas.DAILY_COLUMNS)]


def daily_from_csv(path: Path) -> pd.DataFrame:
    return daily_figures(read_flights(path))
