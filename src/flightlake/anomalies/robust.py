"""The default detector: a one-sided robust z-score on delays and on cancellations.

For each airport, a day's delay level (the median departure delay: one flight held for five hours
moves the mean of a small day by half an hour, the median not at all) is compared with a
baseline that follows the season (29-day rolling median) and the week (median offset per
weekday). The residual is scaled by a spread with two parts: day-to-day variation (from the MAD
of the residuals) and per-flight noise, which is larger on days with fewer departures, because
a median of ten flights is noisier than a median of a thousand. Cancellations are scored the
same way against a rolling baseline rate with binomial noise for the day's flight count: a
snowstorm shows up as cancellations far more than as delays. Only days worse than usual are
flagged, and only when the excess also matters in practice (minutes, percentage points).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BASELINE_DAYS = 29  # centred window: long enough to ignore a storm, short enough to follow seasons
MAD_TO_SD = 1.4826
P90_TO_SD = 1.2816  # a normal's 90th percentile is 1.28 sd above its median
MEDIAN_EFFICIENCY = 1.2533  # sd of a sample median = 1.2533 sd / sqrt(n) for a normal sample
Z_THRESHOLD = 5.0
MIN_DELAY_EXCESS = 20.0  # minutes of median delay above the baseline before a day can be called late
MIN_CANCEL_EXCESS = 0.10  # share of flights above the baseline before a day can be called cancelled
MIN_DAY_SPREAD = 1.0  # minutes: floor of the day-to-day spread, so a steady airport does not flag trivia
MIN_CANCEL_RATE = 0.005  # floor for the baseline cancellation rate in the binomial noise
SMALL_SAMPLE_INFLATION = 10.0  # flights: extra variance factor 1 + 10/n for the median of n flights
MAX_Z = 40.0  # beyond this a score says nothing more (and the normal quantile runs out of precision)


def _rolling_median(series: pd.Series) -> pd.Series:
    return series.rolling(BASELINE_DAYS, center=True, min_periods=BASELINE_DAYS // 4).median()


def _mad_scale(values: pd.Series) -> float:
    values = values.dropna()
    if values.empty:
        return float("nan")
    return float(MAD_TO_SD * (values - values.median()).abs().median())


def _seasonal_weekly_baseline(values: pd.Series) -> pd.Series:
    seasonal = _rolling_median(values)
    weekday = (values - seasonal).groupby(values.index.dayofweek).median()
    return seasonal + values.index.dayofweek.map(weekday).to_numpy()


def _delay_scores(days: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(baseline of the median delay, its residual, the residual's z-score)."""
    level = days["median_dep_delay"]
    departed = days["departed_flights"].astype(float).clip(lower=1)
    baseline = _seasonal_weekly_baseline(level)
    residual = level - baseline
    # Per-flight spread of the airport: how far its 90th percentile usually sits above its median.
    per_flight = float((days["p90_dep_delay"] - level).median()) / P90_TO_SD
    # Delays are heavy-tailed, so the median of a handful of flights strays further than the
    # normal formula says: inflate the per-flight term on small days.
    flight_noise = (MEDIAN_EFFICIENCY * per_flight) ** 2 / departed * (1 + SMALL_SAMPLE_INFLATION / departed)
    total = _mad_scale(residual) ** 2
    day_to_day = max(total - float(flight_noise.median()), MIN_DAY_SPREAD**2)
    return baseline, residual, residual / np.sqrt(day_to_day + flight_noise)


def _cancel_scores(days: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(baseline cancellation rate, the excess over it, its z-score).

    Two views of the same excess, and the smaller z wins: the exact binomial tail for the day's
    flight count (one cancellation out of five flights is not a storm, whatever the normal
    approximation says), and a normal score that adds the airport's day-to-day variation
    (which dominates at busy airports, where binomial noise is tiny).
    """
    from scipy.stats import binom, norm

    rate = days["cancellation_rate"]
    scheduled = days["scheduled_flights"].astype(float).clip(lower=1)
    cancelled = days["cancelled_flights"].astype(float)
    baseline = _rolling_median(rate).fillna(rate.median())
    excess = rate - baseline
    expected = baseline.clip(lower=max(MIN_CANCEL_RATE, float(rate.mean(skipna=True) or 0.0)))
    binomial = expected * (1 - expected) / scheduled
    day_to_day = max(_mad_scale(excess) ** 2 - float(binomial.median()), 0.0)
    normal_z = excess / np.sqrt(binomial + day_to_day)
    tail = binom.sf(cancelled - 1, scheduled, expected)
    exact_z = pd.Series(np.clip(norm.isf(np.clip(tail, 1e-300, 1.0)), -MAX_Z, MAX_Z), index=days.index)
    z = pd.concat([normal_z, exact_z], axis=1).min(axis=1, skipna=False)
    return baseline, excess, z


def score_airport(days: pd.DataFrame) -> pd.DataFrame:
    """Scores for one airport on its full calendar (gap days are NaN rows and stay NaN)."""
    delay_baseline, delay_excess, delay_z = _delay_scores(days)
    cancel_baseline, cancel_excess, cancel_z = _cancel_scores(days)
    delay_flag = (delay_z > Z_THRESHOLD) & (delay_excess >= MIN_DELAY_EXCESS)
    cancel_flag = (cancel_z > Z_THRESHOLD) & (cancel_excess >= MIN_CANCEL_EXCESS)
    present = days["scheduled_flights"].notna()
    score = pd.concat([delay_z.clip(lower=0), cancel_z.clip(lower=0)], axis=1).max(axis=1, skipna=True)
    return pd.DataFrame(
        {
            "typical_avg_delay": _seasonal_weekly_baseline(days["avg_dep_delay"]),
            "delay_baseline": delay_baseline,
            "delay_z": delay_z,
            "delay_flag": delay_flag,
            "cancel_baseline": cancel_baseline,
            "cancel_z": cancel_z,
            "cancel_flag": cancel_flag,
            "score": score.where(present),
            "flagged": (delay_flag | cancel_flag) & present,
        },
        index=days.index,
    )


def reason(row: pd.Series, scores: pd.Series) -> str:
    """'avg delay 74 min vs 9 min typical; 41% cancelled vs 2% typical' (the parts that matter)."""
    parts = []
    if scores["delay_flag"] or not scores["cancel_flag"]:
        parts.append(f"avg delay {row['avg_dep_delay']:.0f} min vs {scores['typical_avg_delay']:.0f} min typical")
    if scores["cancel_flag"] or row["cancellation_rate"] >= MIN_CANCEL_EXCESS:
        parts.append(f"{row['cancellation_rate']:.0%} cancelled vs {scores['cancel_baseline']:.0%} typical")
    return "; ".join(parts)
