"""The calendar of a year and its regular rhythms: weekly and yearly patterns of traffic, delay,
cancellations and storms, and the real peak travel days.

These patterns are what an anomaly detector is expected to learn as "normal", so they are smooth
(monthly values interpolated day by day) and the same every year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Monday .. Sunday. Saturday is the quiet day; Thursday, Friday and Sunday are busy and late.
WEEKDAY_VOLUME = np.array([1.02, 0.98, 0.99, 1.03, 1.03, 0.84, 1.00])
WEEKDAY_DELAY_MIN = np.array([0.5, -2.0, -1.5, 2.0, 2.5, -2.5, 1.5])

# January .. December, at mid-month: traffic peaks in summer; delays peak in summer and December
# and are lowest in September-October; cancellations peak in winter.
MONTH_VOLUME = np.array([0.95, 0.93, 1.02, 1.00, 1.02, 1.05, 1.07, 1.06, 0.96, 0.99, 0.95, 0.97])
MONTH_DELAY_MIN = np.array([1.0, 1.0, 0.0, -1.0, 0.0, 4.0, 4.0, 2.0, -4.0, -3.0, -3.0, 3.0])
MONTH_CANCEL_RATE = np.array([0.024, 0.024, 0.015, 0.012, 0.011, 0.014, 0.014, 0.013, 0.009, 0.008, 0.008, 0.016])
# Relative chance a storm starts in each month: winter storms cancel, summer thunderstorms delay.
MONTH_CANCEL_STORMS = np.array([3.0, 3.0, 2.0, 0.7, 0.4, 0.4, 0.4, 0.8, 1.0, 0.6, 0.8, 2.5])
MONTH_DELAY_STORMS = np.array([1.0, 1.0, 0.8, 0.9, 1.2, 2.2, 2.5, 2.2, 1.0, 0.7, 0.6, 0.9])

_MID_MONTH_DAY = 15


@dataclass(frozen=True)
class YearCalendar:
    year: int
    dates: tuple[dt.date, ...]
    labels: tuple[str, ...]  # FL_DATE texts, YYYY-MM-DD
    weekday: np.ndarray  # 0 = Monday

    @property
    def days(self) -> int:
        return len(self.dates)

    def day_index(self, date: dt.date) -> int:
        return (date - self.dates[0]).days


@lru_cache(maxsize=16)
def year_calendar(year: int) -> YearCalendar:
    start = dt.date(year, 1, 1)
    count = (dt.date(year + 1, 1, 1) - start).days  # 366 in leap years: Feb 29 is there
    dates = tuple(start + dt.timedelta(days=i) for i in range(count))
    return YearCalendar(
        year=year,
        dates=dates,
        labels=tuple(d.isoformat() for d in dates),
        weekday=np.array([d.weekday() for d in dates]),
    )


def smooth_monthly(cal: YearCalendar, monthly: np.ndarray) -> np.ndarray:
    """Per-day values interpolated between mid-month anchors (periodic across the new year), so
    that a detector never sees a step at the first of a month."""
    anchors = np.array([cal.day_index(dt.date(cal.year, m, _MID_MONTH_DAY)) for m in range(1, 13)], dtype=float)
    days = np.arange(cal.days, dtype=float)
    return np.interp(days, anchors, monthly, period=cal.days)


def daily_volume(cal: YearCalendar) -> np.ndarray:
    return smooth_monthly(cal, MONTH_VOLUME) * WEEKDAY_VOLUME[cal.weekday]


def daily_delay_shift(cal: YearCalendar) -> np.ndarray:
    """Minutes added to the network's mean departure delay on each day by season and weekday."""
    return smooth_monthly(cal, MONTH_DELAY_MIN) + WEEKDAY_DELAY_MIN[cal.weekday]


def daily_cancel_rate(cal: YearCalendar) -> np.ndarray:
    return smooth_monthly(cal, MONTH_CANCEL_RATE)


def storm_start_weights(cal: YearCalendar, cancel_heavy: bool) -> np.ndarray:
    weights = smooth_monthly(cal, MONTH_CANCEL_STORMS if cancel_heavy else MONTH_DELAY_STORMS)
    return weights / weights.sum()


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _next_weekday(after: dt.date, weekday: int) -> dt.date:
    """The first `weekday` strictly after `after`."""
    return after + dt.timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def peak_travel_days(year: int) -> tuple[dt.date, ...]:
    """The busiest days of the US travel year: the Sunday after New Year, the July 4th weekend,
    the day before and the Sunday after Thanksgiving, and the days just before Christmas."""
    sunday, thursday = 6, 3
    thanksgiving = _nth_weekday(year, 11, thursday, 4)
    days = {
        _next_weekday(dt.date(year, 1, 1), sunday),
        dt.date(year, 7, 3),
        _next_weekday(dt.date(year, 7, 4), sunday),
        thanksgiving - dt.timedelta(days=1),
        thanksgiving + dt.timedelta(days=3),
        dt.date(year, 12, 22),
        dt.date(year, 12, 23),
    }
    return tuple(sorted(days))
