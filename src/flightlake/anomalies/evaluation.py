"""Score anomaly detectors against the generator's ground truth, and look at real data.

Precision, recall and F1 count (airport, day) pairs: a flagged pair is a true positive when the
generator injected a storm or holiday surge there. Gaps are missing data, not anomalies: a
detector must report them as gaps and never flag them. Scores are given for every airport and for
the airports with 50+ departures a day, where a day's figures are stable enough to judge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from flightlake.anomalies import METHODS, detect
from flightlake.anomalies.daily_reference import daily_from_csv

BUSY_DEPARTURES_PER_DAY = 50


@dataclass(frozen=True)
class Score:
    method: str
    scope: str
    true_positives: int
    flagged: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.actual if self.actual else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"{self.method:<17} {self.scope:<26} precision={self.precision:.2f} recall={self.recall:.2f} "
            f"F1={self.f1:.2f}  ({self.true_positives} of {self.flagged} flagged, {self.actual} injected)"
        )


def busy_airports(daily: pd.DataFrame, year: int) -> set[tuple[int, str]]:
    """(year, airport) of airports averaging 50+ departures a day over the days they flew."""
    mean = daily.groupby("origin_airport")["departed_flights"].mean()
    return {(year, str(a)) for a in mean[mean >= BUSY_DEPARTURES_PER_DAY].index}


def _result_days(result: pd.DataFrame) -> set[tuple[int, str, str]]:
    return set(
        zip(
            result["year"].astype(int),
            result["origin_airport"].astype(str),
            result["flight_date"].astype(str),
            strict=True,
        )
    )


def _truth_days(truth: pd.DataFrame) -> set[tuple[int, str, str]]:
    return set(zip(truth["year"].astype(int), truth["airport"].astype(str), truth["date"].astype(str), strict=True))


def score(
    method: str, result: pd.DataFrame, truth: pd.DataFrame, scope: str, airports: set[tuple[int, str]] | None = None
) -> Score:
    predicted = _result_days(result[result["is_anomaly"]])
    expected = _truth_days(truth[truth["kind"] != "gap"])
    if airports is not None:
        predicted = {d for d in predicted if d[:2] in airports}
        expected = {d for d in expected if d[:2] in airports}
    return Score(method, scope, len(predicted & expected), len(predicted), len(expected))


def gap_check(result: pd.DataFrame, truth: pd.DataFrame) -> tuple[int, int, int]:
    """(truth gaps at scored airports, of those reported as gaps, of those flagged anomalous)."""
    scored = {
        (int(y), str(a))
        for y, a in result.loc[result["status"] != "insufficient_data", ["year", "origin_airport"]].itertuples(
            index=False
        )
    }
    gaps = {g for g in _truth_days(truth[truth["kind"] == "gap"]) if g[:2] in scored}
    reported = _result_days(result[result["status"] == "gap"])
    flagged = _result_days(result[result["is_anomaly"]])
    return len(gaps), len(gaps & reported), len(gaps & flagged)


def evaluate_years(
    data_dir: Path, years: Iterable[int], truth: pd.DataFrame, methods: Iterable[str] = tuple(METHODS)
) -> tuple[list[Score], dict[str, tuple[int, int, int]]]:
    """Scores per method over the given years (all airports, and busy ones), and the gap check."""
    results: dict[str, list[pd.DataFrame]] = {m: [] for m in methods}
    busy: set[tuple[int, str]] = set()
    for year in years:
        daily = daily_from_csv(data_dir / f"{year}.csv")
        busy |= busy_airports(daily, year)
        for method in results:
            results[method].append(detect(daily, year, method))
    scores, gaps = [], {}
    for method, frames in results.items():
        combined = pd.concat(frames, ignore_index=True)
        scores.append(score(method, combined, truth, "all airports"))
        scores.append(score(method, combined, truth, f"{BUSY_DEPARTURES_PER_DAY}+ departures/day", busy))
        gaps[method] = gap_check(combined, truth)
    return scores, gaps


def top_flagged(result: pd.DataFrame, per_airport: int = 8) -> pd.DataFrame:
    """The highest-scoring flagged days of each airport, with their reasons."""
    flagged = result[result["is_anomaly"]].sort_values(["origin_airport", "anomaly_score"], ascending=[True, False])
    return flagged.groupby("origin_airport").head(per_airport)


def flagged_share(result: pd.DataFrame) -> pd.Series:
    """Share of each scored airport's days that were flagged."""
    scored = result[result["status"] == "scored"]
    return scored.groupby("origin_airport")["is_anomaly"].mean()
