"""Run a detector over every airport of a year and shape the result like the warehouse table."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pandas as pd

from flightlake.anomalies import calendar, isolation, robust
from flightlake.lake import schemas

METHODS: dict[str, ModuleType] = {"robust": robust, "isolation_forest": isolation}
_FIGURES = [name for name, _ in schemas.DAILY_COLUMNS if name not in ("flight_date", "origin_airport")]


GAP_REASON = "no flights reported this day: a gap in the data"


def _scored_rows(airport: str, days: pd.DataFrame, year: int, method: str) -> pd.DataFrame:
    """One airport's full calendar with its scores; reasons are written for flagged days only."""
    full = calendar.with_gaps(days.drop(columns=["origin_airport"]), year)
    detector = METHODS[method]
    scores = detector.score_airport(full)
    gap = full["scheduled_flights"].isna().to_numpy()
    flagged = scores["flagged"].to_numpy(dtype=bool) & ~gap
    reasons = np.where(gap, GAP_REASON, None).astype(object)
    for position in np.flatnonzero(flagged):
        reasons[position] = detector.reason(full.iloc[position], scores.iloc[position])
    out = full.reset_index()
    out["flight_date"] = out["flight_date"].dt.date
    return out.assign(
        origin_airport=airport,
        status=np.where(gap, "gap", "scored"),
        anomaly_score=scores["score"].round(3).to_numpy(),
        is_anomaly=flagged,
        reason=reasons,
    )


def _insufficient_rows(daily: pd.DataFrame, reasons: dict[str, str]) -> pd.DataFrame:
    """Airports too small to judge, all at once: their days as they are, marked, not scored."""
    return daily.assign(
        status="insufficient_data",
        anomaly_score=np.nan,
        is_anomaly=False,
        reason=daily["origin_airport"].map(reasons),
    )


def detect(
    daily: pd.DataFrame, year: int, method: str = "robust", progress: Callable[[int, int], None] | None = None
) -> pd.DataFrame:
    """Score every airport of one year; one row per (airport, day) with the anomaly columns."""
    if method not in METHODS:
        raise ValueError(f"unknown anomaly method {method!r}; choose one of {', '.join(METHODS)}")
    year_days = len(calendar.year_calendar(year))
    size = daily.groupby("origin_airport")["scheduled_flights"].agg(["size", "median"])
    verdicts = {str(a): calendar.eligibility(int(r["size"]), float(r["median"]), year_days) for a, r in size.iterrows()}
    unscored = {airport: v.reason for airport, v in verdicts.items() if not v.scored}
    frames = [_insufficient_rows(daily[daily["origin_airport"].isin(list(unscored))], unscored)] if unscored else []
    scored = daily[~daily["origin_airport"].isin(list(unscored))]
    groups = list(scored.groupby("origin_airport", sort=True))
    for index, (airport, days) in enumerate(groups):
        frames.append(_scored_rows(str(airport), days.sort_values("flight_date"), year, method))
        if progress:
            progress(index + 1, len(groups))
    columns = schemas.names(schemas.DAILY_ANOMALY_COLUMNS)
    if not frames:
        return pd.DataFrame(columns=[*columns, "year"])
    result = pd.concat(frames, ignore_index=True)
    result["method"] = method
    result["year"] = year
    for name in _FIGURES:
        result[name] = result[name].astype("Int64" if name.endswith("_flights") else "float64")
    return result[[*columns, "year"]].sort_values(["origin_airport", "flight_date"], ignore_index=True)
