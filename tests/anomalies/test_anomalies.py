"""The detectors on a hand-made year: what must be flagged is, what must not is not."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from flightlake.anomalies import detect
from flightlake.lake.schemas import DAILY_ANOMALY_COLUMNS

YEAR = 2013
STORM_DELAY, STORM_CANCEL, GOOD_DAY, GAP_DAY = "2013-04-10", "2013-07-19", "2013-05-30", "2013-09-07"


def airport_year(airport: str, flights: int, seed: int) -> pd.DataFrame:
    """A busy airport's ordinary year: weekly rhythm, modest noise, ~1.5% cancelled."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(f"{YEAR}-01-01", f"{YEAR}-12-31")
    weekly = np.where(dates.dayofweek == 5, 0.8, 1.0)
    scheduled = np.round(flights * weekly * rng.uniform(0.97, 1.03, len(dates))).astype(int)
    cancelled = rng.binomial(scheduled, 0.015)
    median = rng.normal(-1.0, 2.0, len(dates)) + np.where(dates.month.isin([6, 7, 12]), 4.0, 0.0)
    frame = pd.DataFrame(
        {
            "flight_date": dates.date,
            "origin_airport": airport,
            "scheduled_flights": scheduled,
            "cancelled_flights": cancelled,
            "diverted_flights": rng.binomial(scheduled, 0.002),
            "departed_flights": scheduled - cancelled,
            "avg_dep_delay": median + 11 + rng.normal(0, 1.5, len(dates)),
            "median_dep_delay": median,
            "p90_dep_delay": median + 45,
            "share_delayed_15": rng.uniform(0.15, 0.25, len(dates)),
            "avg_arr_delay": median + 5,
        }
    )
    frame["cancellation_rate"] = frame["cancelled_flights"] / frame["scheduled_flights"]
    return frame


def with_events(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    day = frame["flight_date"].astype(str)
    storm = day == STORM_DELAY
    frame.loc[storm, ["avg_dep_delay", "median_dep_delay", "p90_dep_delay"]] = [78.0, 60.0, 190.0]
    blizzard = day == STORM_CANCEL
    frame.loc[blizzard, "cancelled_flights"] = (frame.loc[blizzard, "scheduled_flights"] * 0.5).astype(int)
    frame.loc[blizzard, ["avg_dep_delay", "median_dep_delay"]] = [25.0, 8.0]
    good = day == GOOD_DAY
    frame.loc[good, ["avg_dep_delay", "median_dep_delay", "cancelled_flights"]] = [-9.0, -20.0, 0]
    frame["departed_flights"] = frame["scheduled_flights"] - frame["cancelled_flights"]
    frame["cancellation_rate"] = frame["cancelled_flights"] / frame["scheduled_flights"]
    return frame[day != GAP_DAY]


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    tiny = airport_year("TNY", 2, seed=3).iloc[::3]  # two flights every third day: nothing to judge
    return pd.concat([with_events(airport_year("BIG", 400, seed=1)), tiny], ignore_index=True)


@pytest.fixture(scope="module")
def robust(daily) -> pd.DataFrame:
    return detect(daily, YEAR, "robust")


def rows(result: pd.DataFrame, airport: str) -> pd.DataFrame:
    out = result[result["origin_airport"] == airport].copy()
    out.index = out["flight_date"].astype(str)
    return out


def test_flags_exactly_the_storm_and_the_blizzard(robust):
    big = rows(robust, "BIG")
    assert sorted(big.index[big["is_anomaly"]]) == [STORM_DELAY, STORM_CANCEL]
    assert not big.loc[GOOD_DAY, "is_anomaly"]  # unusually good is not an anomaly
    assert big.loc[STORM_DELAY, "anomaly_score"] > big.loc[~big["is_anomaly"], "anomaly_score"].max()


def test_reasons_explain_the_flag(robust):
    big = rows(robust, "BIG")
    assert big.loc[STORM_DELAY, "reason"].startswith("avg delay 78 min vs ")
    assert "min typical" in big.loc[STORM_DELAY, "reason"]
    assert re.search(r"^50% cancelled vs [12]% typical$", big.loc[STORM_CANCEL, "reason"])
    assert big.loc[~big["is_anomaly"] & (big["status"] == "scored"), "reason"].isna().all()
    assert (robust["method"] == "robust").all()


def test_a_missing_day_is_a_gap_never_an_anomaly(robust):
    big = rows(robust, "BIG")
    assert len(big) == 365
    assert big.loc[GAP_DAY, "status"] == "gap" and not big.loc[GAP_DAY, "is_anomaly"]
    assert pd.isna(big.loc[GAP_DAY, "scheduled_flights"]) and "gap" in big.loc[GAP_DAY, "reason"]
    assert (big["status"] == "gap").sum() == 1


def test_too_little_data_is_marked_not_scored(robust, daily):
    tiny = rows(robust, "TNY")
    assert len(tiny) == len(daily[daily["origin_airport"] == "TNY"])
    assert (tiny["status"] == "insufficient_data").all() and not tiny["is_anomaly"].any()
    assert tiny["anomaly_score"].isna().all() and tiny["reason"].str.contains("not scored").all()


def test_result_has_the_warehouse_columns(robust):
    assert list(robust.columns) == [name for name, _ in DAILY_ANOMALY_COLUMNS] + ["year"]
    assert (robust["year"] == YEAR).all()


def test_isolation_forest_is_the_fixed_share_baseline(daily):
    result = detect(daily, YEAR, "isolation_forest")
    big = rows(result, "BIG")
    scored = big[big["status"] == "scored"]
    assert scored["is_anomaly"].mean() == pytest.approx(0.03, abs=0.01)
    assert big.loc[STORM_DELAY, "is_anomaly"]
    assert (result["method"] == "isolation_forest").all()
    assert big.loc[GAP_DAY, "status"] == "gap" and not big.loc[GAP_DAY, "is_anomaly"]


def test_unknown_method_is_refused(daily):
    with pytest.raises(ValueError, match="robust, isolation_forest"):
        detect(daily, YEAR, "magic")
