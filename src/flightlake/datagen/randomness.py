"""Named random streams, so that output depends on (seed, year, what) and nothing else.

Each part of a year draws from its own `SeedSequence([seed, year, stream, ...])`: the anomaly
schedule does not move when the flight model changes, a week of flights does not depend on which
process generated it or in which order, and a year does not depend on the other years of a run.
"""

from __future__ import annotations

import numpy as np

# Stream identifiers (the third SeedSequence entry); never renumber them, or every seed changes.
STREAM_PLAN = 1  # daily volumes, background noise, row allocation
STREAM_ANOMALIES = 2  # storms, holiday surges
STREAM_GAPS = 3  # missing data
STREAM_FLIGHTS = 4  # one sub-stream per block of days
STREAM_AIRPORT_EFFECTS = 5  # persistent per-airport character, shared by all years of a seed
_NO_YEAR = 0  # stands in for the year in streams that are the same for every year


def generator(seed: int, year: int, stream: int, *more: int) -> np.random.Generator:
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return np.random.default_rng(np.random.SeedSequence([seed, year, stream, *more]))


def seed_generator(seed: int, stream: int) -> np.random.Generator:
    """A stream that is the same for every year of a seed."""
    return generator(seed, _NO_YEAR, stream)
