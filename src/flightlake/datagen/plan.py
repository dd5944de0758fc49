"""The plan of one year: how many flights each airport has each day, and what kind of day it is.

Everything decided per (day, airport) cell lives here, as (days x airports) grids that cost a few
MB whatever the scale: scheduled flights (allocated so the year holds exactly the requested rows),
the ordinary delay and cancellation level (season + weekday + network-wide daily weather + the
airport's own character + a little cell noise), the injected anomalies and the gaps. The flight
model (`flights.py`) then only draws individual flights around these levels, block by block.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from flightlake.datagen import anomalies, gaps
from flightlake.datagen.airports import CONGESTED, catalogue
from flightlake.datagen.groundtruth import GAP, KIND_NAMES, NONE, TruthRow
from flightlake.datagen.randomness import (
    STREAM_AIRPORT_EFFECTS,
    STREAM_ANOMALIES,
    STREAM_GAPS,
    STREAM_PLAN,
    generator,
    seed_generator,
)
from flightlake.datagen.seasons import (
    YearCalendar,
    daily_cancel_rate,
    daily_delay_shift,
    daily_volume,
    year_calendar,
)

# Flights are generated and written in blocks of this many consecutive days; each block has its
# own random stream, so the output never depends on how blocks are spread over processes.
BLOCK_DAYS = 7

# Background noise, kept modest and light-tailed so that ordinary days stay ordinary.
CELL_DELAY_SD = 4.0  # minutes: an airport's mean delay wobbles this much from day to day
CELL_CANCEL_LOG_SD = 0.3  # ... and its cancellation rate by this factor (log scale)
NETWORK_DELAY_SD = 2.5  # minutes: the whole network's daily mood (weather elsewhere, ATC)
NETWORK_CANCEL_LOG_SD = 0.2
NETWORK_PERSISTENCE = 0.6  # AR(1) coefficient: bad days come in short runs
AIRPORT_DELAY_SD = 2.0  # minutes: some airports are always a bit later than others
AIRPORT_CANCEL_LOG_SD = 0.25
CONGESTED_DELAY = 3.0  # minutes, for slot-constrained airports
CONGESTED_CANCEL = 1.3  # multiplier, for slot-constrained airports
SCHEDULE_LOG_SD = 0.02  # day-to-day wobble of an airport's scheduled flights


@dataclass(frozen=True)
class YearPlan:
    year: int
    rows: int
    seed: int
    calendar: YearCalendar
    counts: np.ndarray  # (days, airports) scheduled flights (rows in the file)
    delay_shift: np.ndarray  # minutes added to the ordinary mean departure delay
    cancel_rate: np.ndarray  # ordinary cancellation probability
    kind: np.ndarray  # int8 anomaly / gap code per cell
    extra_delay: np.ndarray
    extra_cancel: np.ndarray
    truth: tuple[TruthRow, ...]
    storm_events: int
    holiday_days: int

    @property
    def blocks(self) -> list[tuple[int, int]]:
        """(first day, day after last) of each block of the year."""
        return [(d, min(d + BLOCK_DAYS, self.calendar.days)) for d in range(0, self.calendar.days, BLOCK_DAYS)]


def allocate(weights: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Whole flights per cell, proportional to `weights`, summing to exactly `total`.

    Randomised rounding keeps small airports honest (0.4 expected flights a day gives a flight on
    ~40% of days); the few flights the rounding leaves over or short are then added to or taken
    from cells drawn in proportion to their size."""
    flat = weights.reshape(-1) / weights.sum() * total
    counts = np.floor(flat).astype(np.int64)
    counts += rng.random(flat.size) < (flat - counts)
    short = total - int(counts.sum())
    if short > 0:
        np.add.at(counts, rng.choice(flat.size, size=short, p=flat / flat.sum()), 1)
    elif short < 0:
        take = rng.choice(flat.size, size=-short, replace=False, p=counts / counts.sum())
        counts[take] -= 1
    return counts.reshape(weights.shape)


def _ar1(rng: np.random.Generator, length: int, sd: float) -> np.ndarray:
    """A stationary AR(1) series with marginal standard deviation `sd`."""
    shocks = rng.normal(0.0, sd * np.sqrt(1 - NETWORK_PERSISTENCE**2), size=length)
    series = np.empty(length)
    series[0] = rng.normal(0.0, sd)
    for i in range(1, length):
        series[i] = NETWORK_PERSISTENCE * series[i - 1] + shocks[i]
    return series


@lru_cache(maxsize=1)
def _airport_character(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-airport delay offset and cancellation multiplier, the same in every year of a seed."""
    cat = catalogue()
    rng = seed_generator(seed, STREAM_AIRPORT_EFFECTS)
    congested = np.array([code in CONGESTED for code in cat.codes])
    delay = rng.normal(0.0, AIRPORT_DELAY_SD, size=len(cat)) + CONGESTED_DELAY * congested
    cancel = np.exp(rng.normal(0.0, AIRPORT_CANCEL_LOG_SD, size=len(cat))) * np.where(congested, CONGESTED_CANCEL, 1)
    return delay, cancel


@lru_cache(maxsize=4)
def build_year_plan(year: int, rows: int, seed: int) -> YearPlan:
    """The deterministic plan of `year`; cached because every worker process needs it."""
    if rows < 1:
        raise ValueError(f"rows per year must be at least 1, got {rows}")
    cal = year_calendar(year)
    cat = catalogue()
    volume = daily_volume(cal)
    base = volume[:, None] * cat.share[None, :]
    expected = base / base.sum() * rows
    mean_daily = expected.mean(axis=0)

    effects = anomalies.inject(cal, cat, mean_daily, generator(seed, year, STREAM_ANOMALIES))
    missing, listed_gaps = gaps.choose(mean_daily, effects.kind, generator(seed, year, STREAM_GAPS))

    rng = generator(seed, year, STREAM_PLAN)
    schedule_noise = np.exp(rng.normal(0.0, SCHEDULE_LOG_SD, size=base.shape))
    counts = allocate(base * effects.volume * schedule_noise * ~missing, rows, rng)

    airport_delay, airport_cancel = _airport_character(seed)
    network_delay = _ar1(rng, cal.days, NETWORK_DELAY_SD)
    network_cancel = np.exp(_ar1(rng, cal.days, NETWORK_CANCEL_LOG_SD))
    cell_delay = rng.normal(0.0, CELL_DELAY_SD, size=base.shape)
    cell_cancel = np.exp(rng.normal(0.0, CELL_CANCEL_LOG_SD, size=base.shape))
    delay_shift = (daily_delay_shift(cal) + network_delay)[:, None] + airport_delay[None, :] + cell_delay
    cancel_rate = (daily_cancel_rate(cal) * network_cancel)[:, None] * airport_cancel[None, :] * cell_cancel

    kind = effects.kind.copy()
    kind[missing] = GAP
    truth = [
        TruthRow(year, cat.codes[a], cal.labels[d], KIND_NAMES[int(effects.kind[d, a])])
        for d, a in zip(*np.nonzero(effects.kind != NONE), strict=True)
    ]
    truth += [
        TruthRow(year, cat.codes[a], cal.labels[d], KIND_NAMES[GAP])
        for d, a in zip(*np.nonzero(listed_gaps), strict=True)
    ]
    return YearPlan(
        year=year,
        rows=rows,
        seed=seed,
        calendar=cal,
        counts=counts,
        delay_shift=delay_shift,
        cancel_rate=cancel_rate,
        kind=kind,
        extra_delay=effects.extra_delay,
        extra_cancel=effects.extra_cancel,
        truth=tuple(sorted(truth)),
        storm_events=effects.storm_events,
        holiday_days=effects.holiday_days,
    )
