"""IsolationForest with a fixed contamination: what the original solution used, kept to compare.

It flags the most isolated days in (delay, cancellation rate, flights) space per airport: a fixed
share of every airport's days, good or bad, which is why it is not the default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CONTAMINATION = 0.03
RANDOM_STATE = 0


def score_airport(days: pd.DataFrame) -> pd.DataFrame:
    from sklearn.ensemble import IsolationForest

    features = days[["avg_dep_delay", "cancellation_rate", "scheduled_flights"]].astype(float)
    present = features.notna().all(axis=1)
    flagged = pd.Series(False, index=days.index)
    score = pd.Series(np.nan, index=days.index)
    if present.sum() >= 10:
        values = features[present]
        scaled = (values - values.mean()) / values.std(ddof=0).replace(0, 1)
        model = IsolationForest(contamination=CONTAMINATION, random_state=RANDOM_STATE, n_estimators=100)
        labels = model.fit_predict(scaled.to_numpy())
        flagged[present] = labels == -1
        score[present] = -model.score_samples(scaled.to_numpy())
    return pd.DataFrame({"score": score, "flagged": flagged}, index=days.index)


def reason(row: pd.Series, scores: pd.Series) -> str:
    return (
        f"isolated day: avg delay {row['avg_dep_delay']:.0f} min, {row['cancellation_rate']:.0%} cancelled, "
        f"{row['scheduled_flights']:.0f} flights"
    )
