"""The synthetic Kaggle-format generator: format, realism, ground truth, determinism.

Everything here reads real files written by the generator; the module fixtures keep the whole
file under ~15 s (two small years for format checks, one 300k-row year for the anomaly effects).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flightlake.cli import main as cli_main
from flightlake.datagen import (
    ALL_KINDS,
    GROUND_TRUTH_COLUMNS,
    GroundTruthError,
    generate,
    generate_year,
    read_ground_truth,
)
from flightlake.datagen.csvformat import FIELD_COLUMNS, encode_rows, float_field, int_field, null_field, text_field
from flightlake.lake.schemas import KAGGLE_COLUMNS

SMALL_ROWS, SMALL_YEARS, SMALL_SEED = 30_000, (2012, 2013), 11
BIG_ROWS, BIG_YEAR, BIG_SEED = 300_000, 2013, 5
INT_COLUMNS = ("OP_CARRIER_FL_NUM", "CRS_DEP_TIME", "CRS_ARR_TIME")
TEXT_COLUMNS = ("FL_DATE", "OP_CARRIER", "ORIGIN", "DEST", "CANCELLATION_CODE", "Unnamed: 27")
FLOAT_COLUMNS = tuple(c for c in KAGGLE_COLUMNS if c not in INT_COLUMNS + TEXT_COLUMNS)
CAUSES = ("CARRIER_DELAY", "WEATHER_DELAY", "NAS_DELAY", "SECURITY_DELAY", "LATE_AIRCRAFT_DELAY")
NOT_FLOWN = ("DEP_TIME", "DEP_DELAY", "TAXI_OUT", "WHEELS_OFF", "WHEELS_ON", "TAXI_IN", "ARR_TIME", "ARR_DELAY",
             "ACTUAL_ELAPSED_TIME", "AIR_TIME", *CAUSES)  # fmt: skip
NOT_ARRIVED = ("ARR_TIME", "ARR_DELAY", "ACTUAL_ELAPSED_TIME", "AIR_TIME", "TAXI_IN", *CAUSES)
HHMM_FLOATS = ("DEP_TIME", "WHEELS_OFF", "WHEELS_ON", "ARR_TIME")
# Busy enough that a day's median and cancellation share are not at the mercy of a few flights.
BUSY_MEDIAN_FLIGHTS = 30


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_raw(path: Path) -> pd.DataFrame:
    """Every field as the exact text in the file ('' for empty)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column].replace("", np.nan))


def minutes(hhmm: pd.Series) -> pd.Series:
    return (hhmm // 100) * 60 + hhmm % 100


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("small")
    result = generate(SMALL_YEARS, SMALL_ROWS, SMALL_SEED, out)
    return result, {year: read_raw(out / f"{year}.csv") for year in SMALL_YEARS}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    out = tmp_path_factory.mktemp("big")
    result = generate([BIG_YEAR], BIG_ROWS, BIG_SEED, out)
    frame = pd.read_csv(out / f"{BIG_YEAR}.csv", dtype={"CANCELLATION_CODE": str})
    return result, frame


def test_header_field_count_and_line_endings(small):
    result, _ = small
    for year in result.years:
        data = year.path.read_bytes()
        lines = data.split(b"\n")
        assert lines[0].decode() == ",".join(KAGGLE_COLUMNS)
        assert lines[-1] == b"", "the file ends with a newline"
        body = lines[1:-1]
        assert len(body) == SMALL_ROWS == year.rows
        assert b"\r" not in data and b'"' not in data
        assert {line.count(b",") for line in body} == {len(KAGGLE_COLUMNS) - 1}
        assert all(line.endswith(b",") for line in body), "the last column is always empty"


def test_every_column_has_the_kaggle_format(small):
    _, frames = small
    for year, frame in frames.items():
        assert list(frame.columns) == list(KAGGLE_COLUMNS)
        assert frame["FL_DATE"].str.fullmatch(rf"{year}-\d\d-\d\d").all()
        assert frame["OP_CARRIER"].str.fullmatch(r"[A-Z0-9]{2}").all()
        assert frame["ORIGIN"].str.fullmatch(r"[A-Z]{3}").all() and frame["DEST"].str.fullmatch(r"[A-Z]{3}").all()
        assert (frame["ORIGIN"] != frame["DEST"]).all()
        for column in INT_COLUMNS:
            assert frame[column].str.fullmatch(r"[1-9]\d{0,3}").all(), column
        for column in FLOAT_COLUMNS:
            assert frame[column].str.fullmatch(r"(-?\d+\.0)?").all(), column
        assert frame["CANCELLATION_CODE"].str.fullmatch(r"[ABCD]?").all()
        assert (frame["Unnamed: 27"] == "").all()
        assert set(frame["CANCELLED"]) == {"0.0", "1.0"} and set(frame["DIVERTED"]) == {"0.0", "1.0"}


def test_values_are_in_plausible_ranges(small):
    _, frames = small
    for frame in frames.values():
        for column in ("CRS_DEP_TIME", "CRS_ARR_TIME", *HHMM_FLOATS):
            clock = numbers(frame, column).dropna()
            assert clock.between(1, 2400).all() and (clock % 100 < 60).all(), column
        assert numbers(frame, "DISTANCE").between(30, 5000).all()
        assert numbers(frame, "CRS_ELAPSED_TIME").between(20, 800).all()
        assert numbers(frame, "TAXI_OUT").dropna().between(1, 200).all()
        assert numbers(frame, "DEP_DELAY").dropna().between(-60, 1800).all()
        assert numbers(frame, "OP_CARRIER_FL_NUM").between(1, 9999).all()


def test_null_patterns_of_cancelled_diverted_and_ordinary_flights(small):
    _, frames = small
    for frame in frames.values():
        cancelled = frame["CANCELLED"] == "1.0"
        diverted = frame["DIVERTED"] == "1.0"
        assert not (cancelled & diverted).any()
        assert cancelled.any() and diverted.any()
        for column in NOT_FLOWN:
            assert (frame.loc[cancelled, column] == "").all(), column
        assert (frame.loc[cancelled, "CANCELLATION_CODE"] != "").all()
        assert (frame.loc[~cancelled, "CANCELLATION_CODE"] == "").all()
        for column in ("DEP_TIME", "DEP_DELAY", "TAXI_OUT", "WHEELS_OFF"):
            assert (frame.loc[diverted, column] != "").all(), column
        for column in NOT_ARRIVED:
            assert (frame.loc[diverted, column] == "").all(), column
        ordinary = ~cancelled & ~diverted
        for column in [c for c in FLOAT_COLUMNS if c not in CAUSES]:
            assert (frame.loc[ordinary, column] != "").all(), column


def test_causes_only_for_late_arrivals_and_they_add_up(small):
    _, frames = small
    for frame in frames.values():
        arr_delay = numbers(frame, "ARR_DELAY")
        causes = pd.concat([numbers(frame, c) for c in CAUSES], axis=1)
        has_causes = causes.notna().all(axis=1)
        assert (causes.notna().any(axis=1) == has_causes).all(), "all five causes or none"
        assert (has_causes == (arr_delay >= 15)).all()
        assert (causes[has_causes].sum(axis=1) == arr_delay[has_causes]).all()
        assert (causes[has_causes] >= 0).all().all()


def test_times_are_consistent(small):
    _, frames = small
    frame = frames[2013]
    flown = frame[(frame["CANCELLED"] == "0.0") & (frame["DIVERTED"] == "0.0")]
    crs_dep, dep = minutes(numbers(flown, "CRS_DEP_TIME")), minutes(numbers(flown, "DEP_TIME"))
    assert ((crs_dep + numbers(flown, "DEP_DELAY") - dep) % 1440 == 0).all()
    wheels_off = minutes(numbers(flown, "WHEELS_OFF"))
    assert ((dep + numbers(flown, "TAXI_OUT") - wheels_off) % 1440 == 0).all()
    elapsed = numbers(flown, "ACTUAL_ELAPSED_TIME")
    assert (elapsed == numbers(flown, "TAXI_OUT") + numbers(flown, "AIR_TIME") + numbers(flown, "TAXI_IN")).all()
    expected_arr_delay = numbers(flown, "DEP_DELAY") + elapsed - numbers(flown, "CRS_ELAPSED_TIME")
    assert (numbers(flown, "ARR_DELAY") == expected_arr_delay).all()
    # Arrival clock times are local: the same flight arrives the ARR_DELAY later than scheduled.
    crs_arr, arr = minutes(numbers(flown, "CRS_ARR_TIME")), minutes(numbers(flown, "ARR_TIME"))
    assert ((crs_arr + numbers(flown, "ARR_DELAY") - arr) % 1440 == 0).all()


def test_rates_and_delay_distribution_look_like_the_real_data(small, big):
    for frame in small[1].values():
        assert 0.01 <= (frame["CANCELLED"] == "1.0").mean() <= 0.025
        assert 0.001 <= (frame["DIVERTED"] == "1.0").mean() <= 0.004
    _, frame = big
    delay = frame["DEP_DELAY"].dropna()
    assert -4 <= delay.median() <= 0
    assert 6 <= delay.mean() <= 15
    assert delay.max() >= 600 and (delay < 0).mean() > 0.45
    codes = frame["CANCELLATION_CODE"].value_counts()
    assert set(codes.index) >= {"A", "B", "C"} and codes.idxmax() == "B"


def test_weekly_and_yearly_rhythm(big):
    _, frame = big
    dates = pd.to_datetime(frame["FL_DATE"])
    per_weekday = frame.groupby(dates.dt.dayofweek).size() / dates.groupby(dates.dt.dayofweek).nunique()
    assert per_weekday.idxmin() == 5, "Saturday is the quietest day"
    by_month = frame.groupby(dates.dt.month)
    delay, cancelled = by_month["DEP_DELAY"].mean(), by_month["CANCELLED"].mean()
    assert delay[[6, 7, 12]].mean() > delay[[9, 10, 11]].mean() + 3, "summer and December are later than autumn"
    assert cancelled[[1, 2]].mean() > cancelled[[9, 10]].mean() * 1.5, "winter cancels more"


def test_calendar_airports_carriers_and_sizes(small, big):
    _, frames = small
    assert "2012-02-29" in set(frames[2012]["FL_DATE"])
    assert not any(d.startswith("2013-02-29") for d in frames[2013]["FL_DATE"])
    _, frame = big
    per_airport = frame["ORIGIN"].value_counts()
    assert 330 <= per_airport.size <= 360
    assert {"ATL", "ORD", "DFW", "DEN", "LAX", "JFK", "LGA", "EWR"} <= set(per_airport.index)
    assert 0.035 <= per_airport.iloc[0] / len(frame) <= 0.055, "the biggest airport has 4-5% of departures"
    assert 15 <= frame["OP_CARRIER"].nunique() <= 20


def test_each_year_has_exactly_the_requested_rows(small, tmp_path):
    result, _ = small
    assert [y.rows for y in result.years] == [SMALL_ROWS] * len(SMALL_YEARS)
    odd = generate_year(2016, 12_345, 1, tmp_path)
    assert odd.rows == 12_345 == len(odd.path.read_bytes().splitlines()) - 1


def test_ground_truth_file(small):
    result, _ = small
    text = result.ground_truth.read_text()
    lines = text.splitlines()
    assert lines[0] == ",".join(GROUND_TRUTH_COLUMNS)
    assert lines[1:] == sorted(set(lines[1:])), "sorted, one row per (airport, date, kind)"
    truth = read_ground_truth(result.ground_truth.parent)
    assert set(truth["year"]) <= set(SMALL_YEARS)
    assert set(truth["kind"]) <= set(ALL_KINDS)
    assert pd.api.types.is_datetime64_any_dtype(truth["date"])
    assert (truth["date"].dt.year == truth["year"]).all()
    assert not truth.duplicated(["airport", "date"]).any(), "a cell has one kind: gaps never overlap anomalies"


def test_gaps_have_no_rows_and_anomalies_do(small, big):
    for result, frames in (small, (big[0], {BIG_YEAR: big[1]})):
        truth = read_ground_truth(result.ground_truth)
        for year, frame in frames.items():
            present = set(zip(frame["ORIGIN"], frame["FL_DATE"], strict=True))
            cells = truth[truth["year"] == year]
            gaps = {(r.airport, r.date.strftime("%Y-%m-%d")) for r in cells.itertuples() if r.kind == "gap"}
            anomalies = {(r.airport, r.date.strftime("%Y-%m-%d")) for r in cells.itertuples() if r.kind != "gap"}
            assert gaps and not gaps & present
            assert anomalies <= present


def test_ground_truth_at_scale_has_storms_and_surges(big):
    result, _ = big
    counts = result.kind_counts()
    assert counts["storm_delay"] > 0 and counts["storm_cancel"] > 0
    assert counts["holiday_surge"] >= 3 * 4, "3-6 days at 4-8 hubs"
    assert 20 <= result.years[0].storm_events <= 30


def _daily(frame: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    daily = (
        frame.groupby(["ORIGIN", "FL_DATE"])
        .agg(flights=("CANCELLED", "size"), cancelled=("CANCELLED", "mean"), median_delay=("DEP_DELAY", "median"))
        .reset_index()
    )
    daily["weekday"] = pd.to_datetime(daily["FL_DATE"]).dt.dayofweek
    typical = daily.groupby("ORIGIN")[["flights", "cancelled", "median_delay"]].median().add_prefix("typical_")
    weekday_flights = daily.groupby(["ORIGIN", "weekday"])["flights"].median().rename("weekday_flights")
    daily = daily.join(typical, on="ORIGIN").join(weekday_flights, on=["ORIGIN", "weekday"])
    kinds = truth.assign(FL_DATE=truth["date"].dt.strftime("%Y-%m-%d")).rename(columns={"airport": "ORIGIN"})
    daily = daily.merge(kinds[["ORIGIN", "FL_DATE", "kind"]], on=["ORIGIN", "FL_DATE"], how="left")
    daily["kind"] = daily["kind"].fillna("ordinary")
    return daily[daily["typical_flights"] >= BUSY_MEDIAN_FLIGHTS]


def test_injected_days_stand_out_and_ordinary_days_do_not(big):
    result, frame = big
    daily = _daily(frame, read_ground_truth(result.ground_truth))
    excess = daily["median_delay"] - daily["typical_median_delay"]
    kind = daily["kind"]
    assert (kind != "ordinary").sum() >= 15, "enough injected days at busy airports to judge"

    storm_delay = kind == "storm_delay"
    assert (excess[storm_delay] >= 20).all()
    storm_cancel = kind == "storm_cancel"
    assert (daily.loc[storm_cancel, "cancelled"] >= 0.25).all()
    assert (daily.loc[storm_cancel, "cancelled"] >= 5 * daily.loc[storm_cancel, "typical_cancelled"]).all()
    surge = kind == "holiday_surge"
    assert (excess[surge] >= 20).all()
    assert (daily.loc[surge, "flights"] >= 1.08 * daily.loc[surge, "weekday_flights"]).all()

    ordinary = kind == "ordinary"
    assert (excess[ordinary] >= 20).mean() < 0.005
    assert (daily.loc[ordinary, "cancelled"] >= 0.25).sum() == 0


def test_same_seed_same_bytes_whatever_the_workers(tmp_path):
    one = generate_year(2016, 20_000, 3, tmp_path / "one")
    two = generate_year(2016, 20_000, 3, tmp_path / "two", workers=2)
    other = generate_year(2016, 20_000, 4, tmp_path / "other")
    assert sha256(one.path) == sha256(two.path)
    assert sha256(one.path) != sha256(other.path)
    assert one.truth == two.truth and one.truth != other.truth


def test_a_year_does_not_depend_on_the_other_years(small, tmp_path):
    result, _ = small
    alone = generate([2013], SMALL_ROWS, SMALL_SEED, tmp_path)
    together = next(y for y in result.years if y.year == 2013)
    assert sha256(alone.years[0].path) == sha256(together.path)
    assert alone.years[0].truth == together.truth


def test_crlf_changes_only_the_line_ends(tmp_path):
    lf = generate_year(2014, 5_000, 9, tmp_path / "lf")
    crlf = generate_year(2014, 5_000, 9, tmp_path / "crlf", crlf=True)
    data = crlf.path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") == 5_001
    assert data.replace(b"\r\n", b"\n") == lf.path.read_bytes()


def test_ground_truth_of_other_years_is_kept(tmp_path):
    generate([2010], 20_000, 2, tmp_path)
    generate([2011], 20_000, 2, tmp_path)
    generate([2011], 20_000, 2, tmp_path)
    truth = read_ground_truth(tmp_path)
    assert set(truth["year"]) == {2010, 2011}
    assert not truth.duplicated().any()


def test_read_ground_truth_refuses_a_foreign_file(tmp_path):
    (tmp_path / "anomalies.csv").write_text("airport,date,kind\nATL,2013-01-01,storm\n")
    with pytest.raises(GroundTruthError, match="columns"):
        read_ground_truth(tmp_path)
    (tmp_path / "anomalies.csv").write_text("year,airport,date,kind\n2013,ATL,2013-01-01,tornado\n")
    with pytest.raises(GroundTruthError, match="tornado"):
        read_ground_truth(tmp_path)
    with pytest.raises(GroundTruthError, match="does not exist"):
        read_ground_truth(tmp_path / "missing")


def test_encoder_writes_whole_floats_ints_nulls_and_rare_values():
    values = np.array([1058, -5, 0, 123_456, -7_000])
    valid = np.array([True, True, True, True, False])
    fields = {name: null_field(5) for name in FIELD_COLUMNS}
    fields["FL_DATE"] = text_field(np.array([0, 1, 0, 1, 0]), ("2018-01-01", "2018-12-31"))
    fields["CRS_DEP_TIME"] = int_field(np.array([1517, 745, 1, 2359, 2400]))
    fields["DEP_DELAY"] = float_field(values, valid)
    body = encode_rows(fields).decode()
    lines = body.split("\n")
    assert lines[-1] == "" and len(lines) == 6
    rows = [line.split(",") for line in lines[:-1]]
    column = {name: i for i, name in enumerate(KAGGLE_COLUMNS)}
    assert [r[column["DEP_DELAY"]] for r in rows] == ["1058.0", "-5.0", "0.0", "123456.0", ""]
    assert [r[column["CRS_DEP_TIME"]] for r in rows] == ["1517", "745", "1", "2359", "2400"]
    assert [r[column["FL_DATE"]] for r in rows] == [
        "2018-01-01",
        "2018-12-31",
        "2018-01-01",
        "2018-12-31",
        "2018-01-01",
    ]
    assert all(len(r) == len(KAGGLE_COLUMNS) and r[-1] == "" for r in rows)
    assert encode_rows(fields, "\r\n") == body.replace("\n", "\r\n").encode()
    with pytest.raises(ValueError, match="file order"):
        encode_rows(dict(reversed(fields.items())))
    with pytest.raises(ValueError, match="unquoted"):
        text_field(np.array([0]), ("a,b",))


def test_cli_generate_writes_files_and_a_summary(tmp_path, capsys):
    code = cli_main(["generate", "--years", "2015-2016", "--rows-per-year", "4k", "--seed", "1", "--out",
                     str(tmp_path), "--quiet", "--workers", "1"])  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2015.csv", "2016.csv", "anomalies.csv"]
    summary = capsys.readouterr().out
    assert re.search(r"generated 8,000 rows in 2 files", summary)
    assert "gaps:" in summary and "anomalies:" in summary
    assert dt.date(2016, 2, 29).isoformat() in (tmp_path / "2016.csv").read_text()
