"""Which airports can be judged, and which of their days are missing (gaps, not anomalies)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MIN_DAYS = 60  # fewer days of data than two months: no baseline to compare a day with
MIN_MEDIAN_FLIGHTS = 5  # fewer flights a day: one late flight swings the average by an hour
MIN_ACTIVE_SHARE = 0.8  # airports flying on fewer days than this have no daily rhythm to break


@dataclass(frozen=True)
class Eligibility:
    scored: bool
    reason: str


def eligibility(days_with_data: int, median_flights: float, year_days: int) -> Eligibility:
    """Whether an airport's year has enough days and flights to be scored."""
    if days_with_data < MIN_DAYS or days_with_data < MIN_ACTIVE_SHARE * year_days:
        return Eligibility(False, f"flights on only {days_with_data} of {year_days} days: not scored")
    if median_flights < MIN_MEDIAN_FLIGHTS:
        return Eligibility(False, f"median {median_flights:g} flights a day (< {MIN_MEDIAN_FLIGHTS}): not scored")
    return Eligibility(True, "")


def year_calendar(year: int) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")


def with_gaps(days: pd.DataFrame, year: int) -> pd.DataFrame:
    """The airport's rows on the full calendar of the year; missing days are rows of NaN."""
    indexed = days.set_index(pd.to_datetime(days["flight_date"])).drop(columns=["flight_date"])
    full = indexed.reindex(year_calendar(year))
    full.index.name = "flight_date"
    return full
