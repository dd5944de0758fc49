"""Chart titles name the airport: code, real name and city where the code is a real one."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from flightlake.reporting.airport_names import place, places
from flightlake.reporting.chart_canvas import AirportDays, Canvas, chart_title

DATA = Path(__file__).resolve().parents[2] / "src" / "flightlake" / "reporting" / "data"


def test_real_codes_get_their_names_and_cities_unknown_codes_stay_codes():
    assert place("ORD") == "Chicago O'Hare International Airport, Chicago"
    assert place("jfk") == "John F Kennedy International Airport, New York"
    assert place("SJU") == "Luis Munoz Marin International Airport, San Juan"  # territories too
    assert place("QQX") is None
    assert places(["ATL", "QQX"]) == {"ATL": "Hartsfield/Jackson Atlanta International Airport, Atlanta"}


def test_the_names_file_is_whole_and_carries_its_licence():
    with (DATA / "airports.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 1500 and len({r["code"] for r in rows}) == len(rows)
    assert all(len(r["code"]) == 3 and r["name"] for r in rows)
    notice = (DATA / "NOTICE").read_text()
    assert "airportsdata" in notice and "MIT License" in notice and "scripts/airport-names" in notice


def test_the_chart_title_holds_code_place_year_and_anomalous_days():
    assert chart_title("ATL", 2013, "12 anomalous days", ", 3 days missing", "robust") == (
        "ATL · Hartsfield/Jackson Atlanta International Airport, Atlanta · 2013 — 12 anomalous days, "
        "3 days missing (robust)"
    )
    assert chart_title("QQX", 2013, "0 anomalous days") == "QQX 2013 — 0 anomalous days"
    days = pd.DataFrame(
        {
            "flight_date": pd.date_range("2013-01-01", periods=30).date,
            "scheduled_flights": [10] * 30,
            "cancelled_flights": [1] * 30,
            "avg_dep_delay": [5.0] * 30,
            "is_anomaly": [i in (3, 9) for i in range(30)],
            "status": ["scored"] * 30,
        }
    )
    canvas = Canvas()
    assert canvas.draw(AirportDays.of(days), "DEN", 2013, "robust").startswith(b"\x89PNG")
    assert canvas.title.get_text() == "DEN · Denver International Airport, Denver · 2013 — 2 anomalous days (robust)"
