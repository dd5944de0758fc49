"""Missing data that looks like the real thing: a few (airport, day) with no rows at all, now and
then a small airport silent for several days, occasionally a whole day missing everywhere.

Gaps never touch an anomalous cell (a detector cannot be asked to find a storm in rows that are
not there), and they are listed in the ground truth as kind `gap` for the airports where rows
were expected: at least one departure on an average day.
"""

from __future__ import annotations

import numpy as np

from flightlake.datagen.groundtruth import NONE

SINGLE_GAPS_PER_YEAR = (4, 10)  # inclusive
RUN_GAPS_PER_YEAR = (1, 2)  # inclusive: a small airport missing several consecutive days
RUN_GAP_DAYS = (2, 6)  # inclusive
RUN_GAP_AIRPORT_DAILY = (1.0, 20.0)  # "small": between these many departures on an average day
WHOLE_DAY_GAP_SHARE = 0.4  # chance a year has one day missing for every airport
# The whole-day gap stays clear of the ends of the year, so detectors have context on both sides.
WHOLE_DAY_MARGIN = 7
MIN_DAILY_FOR_TRUTH = 1.0  # airports expected to have fewer departures a day are not listed
_PLACEMENT_TRIES = 20


def choose(mean_daily: np.ndarray, kind: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(cells without rows, cells listed as gaps in the ground truth), both (day, airport) bool."""
    days = kind.shape[0]
    missing = np.zeros(kind.shape, dtype=bool)
    listed_airport = mean_daily >= MIN_DAILY_FOR_TRUTH
    if not listed_airport.any():
        return missing, missing.copy()

    if rng.random() < WHOLE_DAY_GAP_SHARE:
        quiet = np.flatnonzero((kind == NONE).all(axis=1))
        quiet = quiet[(quiet >= WHOLE_DAY_MARGIN) & (quiet < days - WHOLE_DAY_MARGIN)]
        if quiet.size:
            missing[int(rng.choice(quiet)), :] = True

    small = np.flatnonzero((mean_daily >= RUN_GAP_AIRPORT_DAILY[0]) & (mean_daily <= RUN_GAP_AIRPORT_DAILY[1]))
    for _ in range(int(rng.integers(RUN_GAPS_PER_YEAR[0], RUN_GAPS_PER_YEAR[1] + 1))):
        if small.size == 0:
            break
        airport = int(rng.choice(small))
        length = int(rng.integers(RUN_GAP_DAYS[0], RUN_GAP_DAYS[1] + 1))
        for _ in range(_PLACEMENT_TRIES):
            start = int(rng.integers(0, days - length + 1))
            window = slice(start, start + length)
            if (kind[window, airport] == NONE).all() and not missing[window, airport].any():
                missing[window, airport] = True
                break

    candidates = np.flatnonzero(listed_airport)
    for _ in range(int(rng.integers(SINGLE_GAPS_PER_YEAR[0], SINGLE_GAPS_PER_YEAR[1] + 1))):
        for _ in range(_PLACEMENT_TRIES):
            day, airport = int(rng.integers(days)), int(rng.choice(candidates))
            if kind[day, airport] == NONE and not missing[day, airport]:
                missing[day, airport] = True
                break

    listed = missing & listed_airport[None, :]
    return missing, listed
