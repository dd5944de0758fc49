"""The per-flight model: every flight of a block of days, drawn around the year plan's levels.

Departure delays are a mixture, as in the real data: most flights leave a few minutes early or on
time, a minority is delayed with a long log-normal tail (median day: about -2 min, mean about +10,
a handful beyond 1000). The day's delay level moves the *share* of delayed flights, so a bad day
looks like a bad day (more late flights) rather than every flight shifted. Injected anomalies add
a gamma-distributed extra delay with the planned mean to every departing flight, and weather
cancellations (code B) on top of the ordinary ones.

All arrays are drawn in a fixed order from the block's own stream, whatever their content, so a
block's flights depend only on (seed, year, block).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from flightlake.datagen import carriers as carriers_mod
from flightlake.datagen.airports import catalogue, distance_miles
from flightlake.datagen.flight_parameters import (
    _HOLIDAY,
    _ORDINARY,
    _SHARE_PER_MINUTE,
    _STORM,
    AIR_TIME_NOISE,
    AIR_TIME_NOISE_MIN,
    CANCEL_CODE_WEIGHTS,
    CAUSE_PROFILES,
    CLIMB_DESCENT_MIN,
    CRUISE_MILES_PER_MIN,
    DELAYED_SHARE,
    DELAYED_SHARE_RANGE,
    DEST_SIZE_EXPONENT,
    DIVERT_RATE,
    EARLY_MEAN,
    EARLY_SD,
    EXTRA_DELAY_SHAPE,
    HOUR_DELAY_SHIFT,
    HOUR_WEIGHTS,
    LONG_HAUL_DECAY_MILES,
    LONG_HAUL_MILES,
    MAX_DELAY,
    MAX_ROUTE_MILES,
    MIN_AIR_TIME,
    MIN_ROUTE_MILES,
    REGIONAL_FACTOR,
    REGIONAL_MILES,
    SCHEDULE_PADDING_MIN,
    SECOND_CAUSE_FRACTION,
    SECOND_CAUSE_SHARE,
    SHORT_HOP_FACTOR,
    SHORT_HOP_MILES,
    STORM_DIVERT_FACTOR,
    TAIL_LOG_SD,
    TAIL_MEDIAN,
    TAXI_IN_MEAN,
    TAXI_OUT_MEAN,
    TAXI_SHAPE,
    WEATHER_CODE,
    WHEELS_ON_KNOWN_SHARE,
)
from flightlake.datagen.groundtruth import HOLIDAY_SURGE, STORM_CANCEL, STORM_DELAY
from flightlake.datagen.plan import YearPlan
from flightlake.datagen.randomness import STREAM_FLIGHTS, generator
from flightlake.datagen.sampling import AliasTable, alias_table, draw


@dataclass(frozen=True)
class Flights:
    """One block's flights, in file order (day, then carrier). Times are minutes."""

    day: np.ndarray  # day of year (0-based)
    carrier: np.ndarray  # index into YearCarriers.codes
    flight_number: np.ndarray
    origin: np.ndarray  # airport index
    dest: np.ndarray
    crs_dep: np.ndarray  # minutes after local midnight
    crs_elapsed: np.ndarray
    distance: np.ndarray  # miles
    tz_shift: np.ndarray  # minutes to add to an origin-local time to get a destination-local one
    cancelled: np.ndarray  # bool
    cancel_code: np.ndarray  # index into CANCEL_CODES (meaningful when cancelled)
    diverted: np.ndarray  # bool
    wheels_on_known: np.ndarray  # bool (meaningful when diverted)
    dep_delay: np.ndarray
    taxi_out: np.ndarray
    air_time: np.ndarray
    taxi_in: np.ndarray
    causes: np.ndarray  # (5, n) minutes, meaningful when arrival delay >= CAUSE_THRESHOLD

    def __len__(self) -> int:
        return len(self.day)


@lru_cache(maxsize=1)
def _destination_table() -> AliasTable:
    cat = catalogue()
    miles = distance_miles().astype(float)
    factor = np.where(miles < SHORT_HOP_MILES, SHORT_HOP_FACTOR, np.where(miles < REGIONAL_MILES, REGIONAL_FACTOR, 1.0))
    factor = factor * np.exp(-np.clip(miles - LONG_HAUL_MILES, 0, None) / LONG_HAUL_DECAY_MILES)
    factor[miles > MAX_ROUTE_MILES] = 0.0
    weights = cat.daily_departures[None, :] ** DEST_SIZE_EXPONENT * factor
    np.fill_diagonal(weights, 0.0)
    return alias_table(weights)


@lru_cache(maxsize=1)
def _taxi_means() -> tuple[np.ndarray, np.ndarray]:
    daily = catalogue().daily_departures
    size = np.log1p(daily) / np.log1p(daily.max())  # 0 for the smallest airport ... 1 for the biggest
    return (
        TAXI_OUT_MEAN[0] + size * (TAXI_OUT_MEAN[1] - TAXI_OUT_MEAN[0]),
        TAXI_IN_MEAN[0] + size * (TAXI_IN_MEAN[1] - TAXI_IN_MEAN[0]),
    )


def _flight_numbers(
    carrier: np.ndarray, origin: np.ndarray, dest: np.ndarray, hour: np.ndarray, regional: np.ndarray
) -> np.ndarray:
    """A route's flight number is stable from day to day (a hash of carrier, route and hour), in
    the carrier's range, as timetables are."""
    key = (
        carrier.astype(np.uint64) * np.uint64(2_654_435_761)
        + origin.astype(np.uint64) * np.uint64(40_503)
        + dest.astype(np.uint64) * np.uint64(104_729)
        + hour.astype(np.uint64) * np.uint64(7_919)
    )
    key ^= key >> np.uint64(13)
    lo = np.where(regional, carriers_mod.REGIONAL_FLIGHT_NUMBERS[0], carriers_mod.MAINLINE_FLIGHT_NUMBERS[0])
    hi = np.where(regional, carriers_mod.REGIONAL_FLIGHT_NUMBERS[1], carriers_mod.MAINLINE_FLIGHT_NUMBERS[1])
    return lo + (key % (hi - lo).astype(np.uint64)).astype(np.int64)


@dataclass(frozen=True)
class _Timetable:
    """What a flight is scheduled to be: who flies it, where, when, how long."""

    carrier: np.ndarray
    dest: np.ndarray
    hour: np.ndarray
    crs_dep: np.ndarray
    distance: np.ndarray
    air_base: np.ndarray  # expected air time, minutes
    crs_elapsed: np.ndarray
    flight_number: np.ndarray


@lru_cache(maxsize=1)
def _fixed_tables() -> tuple[AliasTable, AliasTable, AliasTable]:
    """Scheduled hour, ordinary cancellation reason, delay causes by kind of day."""
    return alias_table(HOUR_WEIGHTS), alias_table(CANCEL_CODE_WEIGHTS), alias_table(CAUSE_PROFILES)


def _timetable(year: int, origin: np.ndarray, rng: np.random.Generator) -> _Timetable:
    n = origin.size
    year_carriers = carriers_mod.for_year(year)
    carrier = draw(year_carriers.choice, rng.random(n), origin)
    dest = draw(_destination_table(), rng.random(n), origin)
    hour = draw(_fixed_tables()[0], rng.random(n))
    minute = rng.integers(0, 60, size=n)
    crs_dep = np.maximum(hour * 60 + minute, 1)  # 00:00 is not a scheduled time in the files
    distance = np.maximum(distance_miles()[origin, dest], MIN_ROUTE_MILES)
    air_base = distance / CRUISE_MILES_PER_MIN + CLIMB_DESCENT_MIN
    taxi_out_mean, taxi_in_mean = _taxi_means()
    padding = rng.integers(SCHEDULE_PADDING_MIN[0], SCHEDULE_PADDING_MIN[1] + 1, size=n)
    crs_elapsed = np.rint(air_base + taxi_out_mean[origin] + taxi_in_mean[dest]).astype(np.int64) + padding
    flight_number = _flight_numbers(carrier, origin, dest, hour, year_carriers.regional[carrier])
    return _Timetable(carrier, dest, hour, crs_dep, distance, air_base, crs_elapsed, flight_number)


def _departure_delays(
    plan: YearPlan, grid: tuple[np.ndarray, np.ndarray], t: _Timetable, rng: np.random.Generator
) -> np.ndarray:
    """The day's level, the hour and the carrier set the share of delayed flights; an anomaly adds
    its extra delay to every departing flight."""
    n = t.carrier.size
    level = plan.delay_shift[grid] + HOUR_DELAY_SHIFT[t.hour] + carriers_mod.for_year(plan.year).delay_offset[t.carrier]
    delayed_share = np.clip(DELAYED_SHARE + level * _SHARE_PER_MINUTE, *DELAYED_SHARE_RANGE)
    delayed = rng.random(n) < delayed_share
    early = rng.normal(EARLY_MEAN, EARLY_SD, size=n)
    tail = rng.lognormal(np.log(TAIL_MEDIAN), TAIL_LOG_SD, size=n)
    extra = plan.extra_delay[grid] * rng.gamma(EXTRA_DELAY_SHAPE, 1.0 / EXTRA_DELAY_SHAPE, size=n)
    return _fold_above(np.rint(np.where(delayed, 1.0 + tail, early) + extra), MAX_DELAY).astype(np.int64)


def _block_times(
    origin: np.ndarray, t: _Timetable, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Taxi-out, air time and taxi-in minutes."""
    n = origin.size
    taxi_out_mean, taxi_in_mean = _taxi_means()
    taxi_out = np.maximum(np.rint(rng.gamma(TAXI_SHAPE, taxi_out_mean[origin] / TAXI_SHAPE)), 1).astype(np.int64)
    taxi_in = np.maximum(np.rint(rng.gamma(TAXI_SHAPE, taxi_in_mean[t.dest] / TAXI_SHAPE)), 1).astype(np.int64)
    wind = rng.normal(0.0, 1.0, size=n) * (t.air_base * AIR_TIME_NOISE) + rng.normal(0.0, AIR_TIME_NOISE_MIN, size=n)
    air_time = np.maximum(np.rint(t.air_base + wind), MIN_AIR_TIME).astype(np.int64)
    return taxi_out, air_time, taxi_in


def _cancellations(
    plan: YearPlan, grid: tuple[np.ndarray, np.ndarray], storm: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(cancelled, reason code, diverted, wheels-on known): the weather's share first (code B),
    then the ordinary cancellations with their mix of reasons; storms also divert more."""
    n = storm.size
    weather = plan.extra_cancel[grid]
    u = rng.random(n)
    cancelled = u < weather + plan.cancel_rate[grid]
    cancel_code = np.where(u < weather, WEATHER_CODE, draw(_fixed_tables()[1], rng.random(n)))
    divert_rate = np.where(storm, DIVERT_RATE * STORM_DIVERT_FACTOR, DIVERT_RATE)
    diverted = ~cancelled & (rng.random(n) < divert_rate)
    wheels_on_known = rng.random(n) < WHEELS_ON_KNOWN_SHARE
    return cancelled, cancel_code, diverted, wheels_on_known


def simulate_block(plan: YearPlan, block: int) -> Flights:
    """Every flight of one block of days, in file order."""
    lo, hi = plan.blocks[block]
    rng = generator(plan.seed, plan.year, STREAM_FLIGHTS, block)
    counts = plan.counts[lo:hi]
    cells = np.repeat(np.arange(counts.size), counts.reshape(-1))  # flat (day - lo, airport) per flight
    day, origin = lo + cells // counts.shape[1], cells % counts.shape[1]
    grid = (day, origin)

    t = _timetable(plan.year, origin, rng)
    dep_delay = _departure_delays(plan, grid, t, rng)
    taxi_out, air_time, taxi_in = _block_times(origin, t, rng)
    kind = plan.kind[grid]
    storm = (kind == STORM_DELAY) | (kind == STORM_CANCEL)
    cancelled, cancel_code, diverted, wheels_on_known = _cancellations(plan, grid, storm, rng)
    profile = np.where(storm, _STORM, np.where(kind == HOLIDAY_SURGE, _HOLIDAY, _ORDINARY))
    causes = _split_causes(dep_delay + taxi_out + air_time + taxi_in - t.crs_elapsed, profile, rng)

    utc_offset = catalogue().utc_offset
    order = _file_order(day, t.carrier, len(carriers_mod.for_year(plan.year).codes))
    return Flights(
        day=day[order],
        carrier=t.carrier[order],
        flight_number=t.flight_number[order],
        origin=origin[order],
        dest=t.dest[order],
        crs_dep=t.crs_dep[order],
        crs_elapsed=t.crs_elapsed[order],
        distance=t.distance[order],
        tz_shift=((utc_offset[t.dest] - utc_offset[origin]) * 60)[order],
        cancelled=cancelled[order],
        cancel_code=cancel_code[order],
        diverted=diverted[order],
        wheels_on_known=wheels_on_known[order],
        dep_delay=dep_delay[order],
        taxi_out=taxi_out[order],
        air_time=air_time[order],
        taxi_in=taxi_in[order],
        causes=causes[:, order],
    )


def _file_order(day: np.ndarray, carrier: np.ndarray, carriers: int) -> np.ndarray:
    """By day, then carrier, as in the real files; within a carrier flights stay grouped by origin.
    One small integer key sorts stably by radix (16-bit keys), an order of magnitude faster than
    a lexsort."""
    key = day * carriers + carrier
    small = key.size == 0 or key.max() < np.iinfo(np.int16).max
    return np.argsort(key.astype(np.int16 if small else np.int32), kind="stable")


def _fold_above(values: np.ndarray, cap: float) -> np.ndarray:
    """Values above `cap` folded back into its upper half: the tail stops at the cap without the
    pile-up of flights at exactly `cap` that clipping would make."""
    half = cap / 2
    return np.where(values > cap, cap - half + np.mod(values - cap, half), values)


def _split_causes(arr_delay: np.ndarray, profile: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Minutes per cause that add up to the arrival delay: one main cause drawn from the day's
    profile, often a second one taking a share of the minutes."""
    n = arr_delay.size
    causes_by_kind = _fixed_tables()[2]
    first = draw(causes_by_kind, rng.random(n), profile)
    second = draw(causes_by_kind, rng.random(n), profile)
    has_second = rng.random(n) < SECOND_CAUSE_SHARE
    fraction = rng.uniform(*SECOND_CAUSE_FRACTION, size=n)
    total = np.maximum(arr_delay, 0)
    second_minutes = np.where(has_second, np.floor(total * fraction), 0).astype(np.int64)
    causes = np.zeros((CAUSE_PROFILES.shape[1], n), dtype=np.int64)
    rows = np.arange(n)
    causes[second, rows] += second_minutes
    causes[first, rows] += total - second_minutes
    return causes
