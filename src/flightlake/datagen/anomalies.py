"""Injected anomalies: storms and holiday surges, placed on a (day, airport) grid.

Every anomalous (airport, day) is one ground-truth row, and its effect is made large enough to be
unambiguous: anomalies only go to airports with enough flights a day for a daily mean to show them
(`MIN_DAILY_FLIGHTS`), so a detector is never scored on an effect that drowned in noise. The
numbers of events per year do not depend on the scale; at small scales they concentrate on the
few airports that are big enough.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from flightlake.datagen.airports import Catalogue, distance_km
from flightlake.datagen.groundtruth import HOLIDAY_SURGE, NONE, STORM_CANCEL, STORM_DELAY
from flightlake.datagen.seasons import YearCalendar, peak_travel_days, storm_start_weights

# An airport gets anomalies only if it has at least this many departures on an average day of
# the generated year: with fewer, a +35 min shift is within the noise of a handful of flights.
MIN_DAILY_FLIGHTS = 10.0

STORMS_PER_YEAR = (20, 30)  # inclusive range of weather events
STORM_DAYS = (1, 2)  # inclusive range of an event's duration
CANCEL_HEAVY_SHARE = 0.4  # share of events that are blizzard-like (mostly cancellations)
SINGLE_AIRPORT_SHARE = 0.25  # share of events that hit one airport only
# Otherwise every eligible airport this close to the centre is hit: winter storms are big systems
# (the February 2013 blizzard shut Boston to New York), thunderstorm lines smaller.
CANCEL_STORM_RADIUS_KM, DELAY_STORM_RADIUS_KM = (300.0, 700.0), (150.0, 450.0)
# Storm centres are drawn in proportion to size to this power: the hubs, where a storm matters
# most and where a detector can see it, get most of them.
CENTRE_SIZE_EXPONENT = 1.3
# Effect ranges (per affected airport-day): extra mean departure delay in minutes, and the share
# of flights cancelled (code B) by the weather on top of the ordinary cancellations.
DELAY_STORM_DELAY, DELAY_STORM_CANCEL = (35.0, 120.0), (0.05, 0.20)
CANCEL_STORM_DELAY, CANCEL_STORM_CANCEL = (10.0, 35.0), (0.30, 0.75)
# Airports of one event differ a little (closer to the centre, a different hour of landfall ...).
CELL_JITTER = (0.85, 1.15)

HOLIDAY_DAYS_PER_YEAR = (3, 6)  # inclusive, drawn from the real peak travel days
HOLIDAY_HUBS_PER_DAY = (4, 8)  # inclusive
HOLIDAY_HUB_POOL = 12  # the surge happens at the biggest eligible airports
HOLIDAY_VOLUME = (1.15, 1.30)  # scheduled flights multiplied by this
HOLIDAY_DELAY = (30.0, 60.0)  # extra mean departure delay, minutes


@dataclass(frozen=True)
class Effects:
    """What the anomalies do to each (day, airport) cell of a year."""

    kind: np.ndarray  # int8 kind code, NONE for an ordinary cell
    extra_delay: np.ndarray  # minutes added to the mean departure delay of departing flights
    extra_cancel: np.ndarray  # probability of a weather cancellation (code B)
    volume: np.ndarray  # multiplier of the scheduled flights
    storm_events: int
    holiday_days: int


def eligible_airports(mean_daily: np.ndarray) -> np.ndarray:
    """Airports busy enough, on an average day of this year, for an injected effect to show."""
    return np.flatnonzero(mean_daily >= MIN_DAILY_FLIGHTS)


def inject(cal: YearCalendar, cat: Catalogue, mean_daily: np.ndarray, rng: np.random.Generator) -> Effects:
    """Place this year's holiday surges, then its storms (which avoid the surged cells)."""
    shape = (cal.days, len(cat))
    effects = Effects(
        kind=np.zeros(shape, dtype=np.int8),
        extra_delay=np.zeros(shape),
        extra_cancel=np.zeros(shape),
        volume=np.ones(shape),
        storm_events=0,
        holiday_days=0,
    )
    eligible = eligible_airports(mean_daily)
    if eligible.size == 0:
        return effects
    holiday_days = _holiday_surges(cal, mean_daily, eligible, rng, effects)
    storm_events = _storms(cal, mean_daily, eligible, rng, effects)
    return replace(effects, storm_events=storm_events, holiday_days=holiday_days)


def _size_weights(mean_daily: np.ndarray, airports: np.ndarray, exponent: float = 1.0) -> np.ndarray:
    weights = mean_daily[airports] ** exponent
    return weights / weights.sum()


def _holiday_surges(
    cal: YearCalendar, mean_daily: np.ndarray, eligible: np.ndarray, rng: np.random.Generator, effects: Effects
) -> int:
    candidates = [cal.day_index(d) for d in peak_travel_days(cal.year)]
    count = min(int(rng.integers(HOLIDAY_DAYS_PER_YEAR[0], HOLIDAY_DAYS_PER_YEAR[1] + 1)), len(candidates))
    days = np.sort(rng.choice(candidates, size=count, replace=False))
    pool = eligible[np.argsort(-mean_daily[eligible], kind="stable")][:HOLIDAY_HUB_POOL]
    for day in days:
        hubs = min(int(rng.integers(HOLIDAY_HUBS_PER_DAY[0], HOLIDAY_HUBS_PER_DAY[1] + 1)), pool.size)
        airports = rng.choice(pool, size=hubs, replace=False, p=_size_weights(mean_daily, pool))
        effects.kind[day, airports] = HOLIDAY_SURGE
        effects.volume[day, airports] = rng.uniform(*HOLIDAY_VOLUME, size=hubs)
        effects.extra_delay[day, airports] = rng.uniform(*HOLIDAY_DELAY, size=hubs)
    return int(days.size)


def _storms(
    cal: YearCalendar, mean_daily: np.ndarray, eligible: np.ndarray, rng: np.random.Generator, effects: Effects
) -> int:
    distances = distance_km()
    events = int(rng.integers(STORMS_PER_YEAR[0], STORMS_PER_YEAR[1] + 1))
    placed = 0
    for _ in range(events):
        cancel_heavy = bool(rng.random() < CANCEL_HEAVY_SHARE)
        duration = int(rng.integers(STORM_DAYS[0], STORM_DAYS[1] + 1))
        start = int(rng.choice(cal.days, p=storm_start_weights(cal, cancel_heavy)))
        centre = int(rng.choice(eligible, p=_size_weights(mean_daily, eligible, CENTRE_SIZE_EXPONENT)))
        radius_range = CANCEL_STORM_RADIUS_KM if cancel_heavy else DELAY_STORM_RADIUS_KM
        radius = 0.0 if rng.random() < SINGLE_AIRPORT_SHARE else float(rng.uniform(*radius_range))
        members = eligible[distances[centre, eligible] <= radius]
        members = np.union1d(members, [centre])
        delay_range = CANCEL_STORM_DELAY if cancel_heavy else DELAY_STORM_DELAY
        cancel_range = CANCEL_STORM_CANCEL if cancel_heavy else DELAY_STORM_CANCEL
        delay, cancel = rng.uniform(*delay_range), rng.uniform(*cancel_range)
        hit = False
        for day in range(start, min(start + duration, cal.days)):
            jitter_delay = rng.uniform(*CELL_JITTER, size=members.size)
            jitter_cancel = rng.uniform(*CELL_JITTER, size=members.size)
            keep = effects.kind[day, members] == NONE  # never two anomalies on one cell
            free = members[keep]
            if free.size == 0:
                continue
            hit = True
            effects.kind[day, free] = STORM_CANCEL if cancel_heavy else STORM_DELAY
            effects.extra_delay[day, free] = np.clip(delay * jitter_delay[keep], *delay_range)
            effects.extra_cancel[day, free] = np.clip(cancel * jitter_cancel[keep], *cancel_range)
        placed += hit
    return placed
