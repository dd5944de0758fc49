"""Per-airport anomaly detection over the daily figures, with an explanation for every flag.

`detect(daily, method)` takes the analytics table (one row per airport and day flown) and returns
one row per (airport, day) of the year for every airport: the figures, `status` (`scored`,
`gap` for a missing day, `insufficient_data` for an airport too small to judge), `anomaly_score`,
`is_anomaly`, `method` and a short human `reason`.
"""

from __future__ import annotations

from flightlake.anomalies.detect import METHODS, detect

__all__ = ["METHODS", "detect"]
