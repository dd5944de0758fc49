"""The pure Spark transformations on small in-memory DataFrames (no S3, no files)."""

from __future__ import annotations

import datetime as dt

import pytest

from flightlake.lake.schemas import KAGGLE_HEADER as HEADER
from flightlake.spark.transforms import raw_to_stage as parse_module
from flightlake.spark.transforms.raw_lines import survey
from flightlake.spark.transforms.stage_to_analytics import daily_airport_figures

pytestmark = pytest.mark.integration

GOOD = "2013-01-01,UA,2429,EWR,DEN,1517,1512.0,-5.0,15.0,1527.0,1712.0,10.0,1745,1722.0,-23.0,0.0,,0.0,268.0,250.0,225.0,1605.0,,,,,,"
CANCELLED = "2013-01-02,UA,2427,LGA,SFO,1115,,,,,,,1250,,,1.0,B,0.0,95.0,,,414.0,,,,,,"


def parsed(spark, lines: list[str], year: int = 2013):
    frame = spark.createDataFrame([(line,) for line in lines], "value string").coalesce(1)
    lines_survey = survey(frame)
    return parse_module.parse(frame, lines_survey, year), lines_survey.data_lines


def flight(number: int) -> str:
    """GOOD with another flight number: a different flight, not a duplicate."""
    return GOOD.replace(",2429,", f",{number},", 1)


def test_parse_types_good_rows_and_skips_the_header_and_blank_lines(spark):
    frame, data_lines = parsed(spark, [HEADER, GOOD, "", CANCELLED])
    assert data_lines == 2
    rows = parse_module.good_rows(frame, 2013).orderBy("fl_date").collect()
    assert len(rows) == 2
    first, second = rows
    assert first.fl_date == dt.date(2013, 1, 1) and first.op_carrier_fl_num == 2429 and first.dep_time == 1512
    assert first.dep_delay == -5.0 and first.cancelled is False and first.diverted is False and first.year == 2013
    assert first.carrier_delay is None and first.cancellation_code is None
    assert second.cancelled is True and second.cancellation_code == "B" and second.dep_delay is None
    assert parse_module.rejects(frame, 2013, "s3://raw/2013.csv").count() == 0


def test_parse_gives_each_bad_line_its_number_and_reason(spark):
    bad = {
        "2013-02-30" + GOOD[10:]: "FL_DATE '2013-02-30' does not exist: February 2013 has 28 days",
        "2013-1-05" + GOOD[10:]: "FL_DATE '2013-1-05' is not a YYYY-MM-DD date",
        GOOD.replace(",-5.0,", ",late,", 1): "DEP_DELAY 'late' is not a number",
        GOOD.replace(",1517,", ",15.5,", 1): "CRS_DEP_TIME '15.5' is not a whole number",
        GOOD.replace(",EWR,", ",NEWARK,", 1): "ORIGIN 'NEWARK' is not a valid code",
        GOOD.replace(",EWR,", ",,", 1): "ORIGIN is empty",
        GOOD + ",x": "has 29 fields, expected 28",
        GOOD + "7": "the last column (Unnamed: 27) is not empty",
        GOOD.replace("2013-01-01", "2014-01-01"): "FL_DATE 2014-01-01 is not in 2013",
    }
    frame, data_lines = parsed(spark, [HEADER, GOOD, *bad])
    assert data_lines == 1 + len(bad)
    rejects = parse_module.rejects(frame, 2013, "s3://raw/2013.csv").orderBy("line_number").collect()
    assert [r.line_number for r in rejects] == list(range(3, 3 + len(bad)))
    for reject, (line, reason) in zip(rejects, bad.items(), strict=True):
        assert reason in reject.reason and reject.raw_line == line and reject.source_file == "s3://raw/2013.csv"
    kinds = {r.kind: r["count"] for r in parse_module.reason_kinds(parse_module.rejects(frame, 2013, "x")).collect()}
    assert sum(kinds.values()) == len(bad)
    assert parse_module.good_rows(frame, 2013).count() == 1


def test_line_numbers_count_across_input_partitions(spark):
    lines = [HEADER] + [flight(n) for n in range(1, 100)] + [GOOD.replace(",-5.0,", ",x,", 1)]
    split = spark.createDataFrame(spark.sparkContext.parallelize([(line,) for line in lines], 4), "value string")
    assert split.rdd.getNumPartitions() == 4
    lines_survey = survey(split)
    assert lines_survey.data_lines == 100 and sorted(lines_survey.offsets.values()) == [0, 25, 50, 75]
    assert lines_survey.first_of_duplicate == {}
    reject = parse_module.rejects(parse_module.parse(split, lines_survey, 2013), 2013, "f").collect()
    assert [r.line_number for r in reject] == [101]


def test_exact_duplicate_lines_are_kept_once_even_across_partitions(spark):
    lines = [HEADER, flight(1), flight(2), flight(1), "", flight(3), flight(1), flight(2), flight(4)]
    split = spark.createDataFrame(spark.sparkContext.parallelize([(line,) for line in lines], 3), "value string")
    lines_survey = survey(split)
    assert sorted(lines_survey.first_of_duplicate.values()) == [2, 3]
    frame = parse_module.parse(split, lines_survey, 2013)
    rejects = parse_module.rejects(frame, 2013, "f").orderBy("line_number").collect()
    assert [(r.line_number, r.reason) for r in rejects] == [
        (4, "duplicate of line 2"), (7, "duplicate of line 2"), (8, "duplicate of line 3"),
    ]  # fmt: skip
    kept = sorted(r.op_carrier_fl_num for r in parse_module.good_rows(frame, 2013).collect())
    assert kept == [1, 2, 3, 4]  # every flight once: nothing good is lost


def test_physically_impossible_values_are_rejected_naming_the_value_and_the_range(spark):
    bad = {
        GOOD.replace(
            ",-5.0,", ",99999.0,", 1
        ): "DEP_DELAY '99999.0' is outside the possible range -1440 to 2880 minutes",
        GOOD.replace(",-5.0,", ",-5000.0,", 1): "DEP_DELAY '-5000.0' is outside the possible range -1440 to 2880",
        GOOD.replace(",-23.0,", ",4000.0,", 1): "ARR_DELAY '4000.0' is outside the possible range",
        GOOD.replace(",1512.0,", ",1575.0,", 1): "DEP_TIME '1575.0' is not a time of day (hhmm from 0000 to 2400)",
        GOOD.replace(",1517,", ",2500,", 1): "CRS_DEP_TIME '2500' is not a time of day",
        GOOD.replace(",15.0,", ",-3.0,", 1): "TAXI_OUT '-3.0' is outside the possible range 0 to 1440 minutes",
        GOOD.replace(",1605.0,", ",0.0,", 1): "DISTANCE '0.0' is outside the possible range 1 to 6000 miles",
    }
    lines = [HEADER, GOOD, *bad]
    frame, data_lines = parsed(spark, lines)
    rejects = parse_module.rejects(frame, 2013, "f").orderBy("line_number").collect()
    assert [r.line_number for r in rejects] == list(range(3, 3 + len(bad)))
    for reject, reason in zip(rejects, bad.values(), strict=True):
        assert reason in reject.reason, reject.reason
    assert parse_module.good_rows(frame, 2013).count() == 1 == data_lines - len(bad)


def test_daily_figures_by_hand(spark):
    rows = [
        # fl_date, origin, cancelled, diverted, dep_delay, arr_delay
        (dt.date(2013, 1, 1), "JFK", False, False, 0.0, 5.0),
        (dt.date(2013, 1, 1), "JFK", False, False, 10.0, 20.0),
        (dt.date(2013, 1, 1), "JFK", False, True, 20.0, None),
        (dt.date(2013, 1, 1), "JFK", False, False, 100.0, 90.0),
        (dt.date(2013, 1, 1), "JFK", True, False, None, None),
        (dt.date(2013, 1, 1), "LGA", True, False, None, None),
    ]
    flights = spark.createDataFrame(
        rows, "fl_date date, origin string, cancelled boolean, diverted boolean, dep_delay double, arr_delay double"
    )
    daily = {r.origin_airport: r for r in daily_airport_figures(flights, 2013).collect()}
    jfk = daily["JFK"]
    assert (jfk.scheduled_flights, jfk.cancelled_flights, jfk.diverted_flights, jfk.departed_flights) == (5, 1, 1, 4)
    assert jfk.cancellation_rate == pytest.approx(0.2)
    assert jfk.avg_dep_delay == pytest.approx(32.5)
    assert jfk.median_dep_delay == pytest.approx(15.0)
    assert jfk.p90_dep_delay == pytest.approx(76.0)  # linear interpolation: 20 + 0.7 * 80
    assert jfk.share_delayed_15 == pytest.approx(0.5)
    assert jfk.avg_arr_delay == pytest.approx(115 / 3)
    lga = daily["LGA"]
    assert lga.cancellation_rate == 1.0 and lga.departed_flights == 0 and lga.avg_dep_delay is None
    assert lga.year == 2013
