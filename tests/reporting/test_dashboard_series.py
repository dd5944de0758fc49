"""The dashboard's packed series: every airport's days, cut from columns converted once."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from flightlake.reporting.dashboard_series import year_series


def _frame() -> pd.DataFrame:
    day = dt.date
    rows = [
        # airport, date, status, flights, cancelled, avg delay, anomaly, reason
        ("JFK", day(2013, 1, 3), "scored", 300, 120, 45.25, True, "storm"),
        ("JFK", day(2013, 1, 1), "scored", 310, 2, 7.05, False, None),
        ("JFK", day(2013, 1, 2), "gap", None, None, None, False, "no flights"),
        ("ABQ", day(2013, 1, 2), "insufficient_data", 3, 0, -2.5, False, "too small"),
        ("ABQ", day(2013, 1, 1), "insufficient_data", 4, 1, np.nan, False, "too small"),
        ("LGA", day(2013, 1, 5), "scored", 200, 90, 61.0, True, "snow"),
        ("LGA", day(2013, 1, 4), "scored", 205, 80, 58.0, True, "storm"),
    ]
    columns = ["origin_airport", "flight_date", "status", "scheduled_flights", "cancelled_flights", "avg_dep_delay"]
    frame = pd.DataFrame(rows, columns=[*columns, "is_anomaly", "reason"])
    frame["scheduled_flights"] = frame["scheduled_flights"].astype("Int64")
    frame["cancelled_flights"] = frame["cancelled_flights"].astype("Int64")
    return frame


def test_each_airport_gets_its_own_days_in_date_order() -> None:
    packed = year_series(_frame(), 2013)

    assert packed["start"] == "2013-01-01"
    assert list(packed["airports"]) == ["ABQ", "JFK", "LGA"]
    jfk = packed["airports"]["JFK"]
    assert jfk["day"] == [0, 1, 2]
    assert jfk["flights"] == [310, None, 300]
    assert jfk["cancelled"] == [2, None, 120]
    assert jfk["delay10"] == [70, None, 452]  # tenths, half to even: 70.5 -> 70, 452.5 -> 452
    assert jfk["gaps"] == [1]
    assert jfk["scored"] is True
    abq = packed["airports"]["ABQ"]
    assert abq["delay10"] == [None, -25] and abq["scored"] is False and abq["marks"] == []


def test_reasons_are_numbered_once_in_reading_order() -> None:
    packed = year_series(_frame(), 2013)

    assert packed["reasons"] == ["storm", "snow"]
    assert packed["airports"]["JFK"]["marks"] == [[2, 0]]
    assert packed["airports"]["LGA"]["marks"] == [[0, 0], [1, 1]]


def test_a_year_without_rows_has_no_airports() -> None:
    assert year_series(_frame().iloc[0:0], 2013)["airports"] == {}
