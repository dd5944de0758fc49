"""Per-airport anomaly detection over the daily figures, with an explanation for every flag.

`detect(daily, method)` takes the analytics table (one row per airport and day flown) and returns
one row per (airport, day) of the year for every airport: the figures, `status` (`scored`,
`gap` for a missing day, `insufficient_data` for an airport too small to judge), `anomaly_score`,
`is_anomaly`, `method` and a short human `reason`.

    detect           one detector over every airport of a year, shaped like the warehouse table
    robust           the default: a one-sided robust z-score on delays and cancellations
    isolation        IsolationForest with a fixed contamination, kept to compare
    calendar         which airports can be judged, and which of their days are missing
    evaluation       detectors scored against the generator's ground truth
    daily_reference  the daily figures in plain pandas, the independent check of the Spark step
"""

from __future__ import annotations

from flightlake.anomalies.detect import METHODS, detect

__all__ = ["METHODS", "detect"]
