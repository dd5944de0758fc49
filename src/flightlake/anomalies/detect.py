"""Run a detector over every airport of a year and shape the result like the warehouse table."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pandas as pd

from flightlake import schemas
from flightlake.anomalies import calendar, isolation, robust

METHODS: dict[str, ModuleType] = {"robust": robust, "isolation_forest": isolation}
_FIGURES = [name for name, _ in schemas.DAILY_COLUMNS if name not in ("flight_date", "origin_airport")]


def _airport_rows(airport: str, days: pd.DataFrame, year: int, method: str) -> pd.DataFrame:
    year_days = len(calendar.year_calendar(year))
    verdict = calendar.eligibility(days, year_days)
    if not verdict.scored:
        out = days.copy()
        out["status"], out["anomaly_score"], out["is_anomaly"], out["reason"] = (
            "insufficient_data", float("nan"), False, verdict.reason,
        )  # fmt: skip
        return out
    full = calendar.with_gaps(days.drop(columns=["origin_airport"]), year)
    detector = METHODS[method]
    scores = detector.score_airport(full)
    gap = full["scheduled_flights"].isna()
    out = full.reset_index()
    out["origin_airport"] = airport
    out["status"] = ["gap" if g else "scored" for g in gap]
    out["anomaly_score"] = scores["score"].round(3).to_numpy()
    out["is_anomaly"] = (scores["flagged"] & ~gap).to_numpy(dtype=bool)
    reasons = []
    for (_, row), (_, row_scores), is_gap, flagged in zip(
        full.iterrows(), scores.iterrows(), gap, out["is_anomaly"], strict=True
    ):
        if is_gap:
            reasons.append("no flights reported this day: a gap in the data")
        elif flagged:
            reasons.append(detector.reason(row, row_scores))
        else:
            reasons.append(None)
    out["reason"] = reasons
    out["flight_date"] = out["flight_date"].dt.date
    return out


def detect(
    daily: pd.DataFrame, year: int, method: str = "robust", progress: Callable[[int, int], None] | None = None
) -> pd.DataFrame:
    """Score every airport of one year; one row per (airport, day) with the anomaly columns."""
    if method not in METHODS:
        raise ValueError(f"unknown anomaly method {method!r}; choose one of {', '.join(METHODS)}")
    frames = []
    airports = sorted(daily["origin_airport"].unique())
    for index, (airport, days) in enumerate(daily.groupby("origin_airport", sort=True)):
        frames.append(_airport_rows(str(airport), days.sort_values("flight_date"), year, method))
        if progress:
            progress(index + 1, len(airports))
    columns = [name for name, _ in schemas.DAILY_ANOMALY_COLUMNS]
    if not frames:
        return pd.DataFrame(columns=[*columns, "year"])
    result = pd.concat(frames, ignore_index=True)
    result["method"] = method
    result["year"] = year
    for name in _FIGURES:
        result[name] = result[name].astype("Int64" if name.endswith("_flights") else "float64")
    return result[[*columns, "year"]].sort_values(["origin_airport", "flight_date"], ignore_index=True)
