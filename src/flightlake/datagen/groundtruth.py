"""The ground truth beside generated data: which (airport, day) were made anomalous or left out.

`anomalies.csv` has one row per (airport, date, kind), columns `year,airport,date,kind`, sorted.
`flightlake evaluate` scores detectors against it, so the file is the contract between the
generator and the evaluation: read it only with `read_ground_truth`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flightlake.errors import FlightlakeError

if TYPE_CHECKING:
    import pandas as pd

GROUND_TRUTH_FILE = "anomalies.csv"
GROUND_TRUTH_COLUMNS: tuple[str, ...] = ("year", "airport", "date", "kind")

# Kind codes used inside the generator's (day, airport) grids; 0 means an ordinary day.
NONE, STORM_DELAY, STORM_CANCEL, HOLIDAY_SURGE, GAP = 0, 1, 2, 3, 4
KIND_NAMES: dict[int, str] = {
    STORM_DELAY: "storm_delay",
    STORM_CANCEL: "storm_cancel",
    HOLIDAY_SURGE: "holiday_surge",
    GAP: "gap",
}
ANOMALY_KINDS: tuple[str, ...] = ("storm_delay", "storm_cancel", "holiday_surge")  # GAP is missing data
ALL_KINDS: tuple[str, ...] = (*ANOMALY_KINDS, "gap")


class GroundTruthError(FlightlakeError):
    """The ground-truth file is missing or not in the generator's format."""


@dataclass(frozen=True, order=True)
class TruthRow:
    year: int
    airport: str
    date: str  # YYYY-MM-DD
    kind: str


def count_kinds(rows: Iterable[TruthRow]) -> dict[str, int]:
    """Ground-truth rows by kind, every kind present (zero when absent)."""
    counts = dict.fromkeys(ALL_KINDS, 0)
    for row in rows:
        counts[row.kind] += 1
    return counts


def write_ground_truth(rows: Iterable[TruthRow], path: Path) -> Path:
    """Write sorted, de-duplicated rows (atomically: a partial file is never left behind)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", newline="", encoding="ascii") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(GROUND_TRUTH_COLUMNS)
        for row in sorted(set(rows)):
            writer.writerow((row.year, row.airport, row.date, row.kind))
    partial.replace(path)
    return path


def read_rows(path: Path) -> list[TruthRow]:
    """The rows of an existing ground-truth file (without pandas, for the generator's merge)."""
    with open(path, newline="", encoding="ascii") as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader, ()))
        if header != GROUND_TRUTH_COLUMNS:
            raise GroundTruthError(f"{path}: header {list(header)}, expected {list(GROUND_TRUTH_COLUMNS)}.")
        try:
            return [TruthRow(int(year), airport, date, kind) for year, airport, date, kind in reader]
        except ValueError as error:
            raise GroundTruthError(f"{path}: a row is not year,airport,date,kind ({error}).") from error


def merge_ground_truth(rows: Iterable[TruthRow], years: Iterable[int], path: Path) -> Path:
    """Write `rows` as the truth of `years`, keeping what `path` already says about other years:
    generating 2014 into a directory that holds 2013 must not lose 2013's anomalies."""
    path = Path(path)
    replaced = set(years)
    kept = [row for row in read_rows(path) if row.year not in replaced] if path.exists() else []
    return write_ground_truth([*kept, *rows], path)


def read_ground_truth(path: Path | str) -> pd.DataFrame:
    """The ground truth as a DataFrame: `year` int, `airport` str, `date` datetime64 (midnight),
    `kind` str. `path` is the file or the directory the generator wrote into."""
    import pandas as pd  # imported here: generator worker processes never need it

    path = Path(path)
    if path.is_dir():
        path = path / GROUND_TRUTH_FILE
    if not path.exists():
        raise GroundTruthError(f"{path} does not exist; write one with `flightlake generate`.")
    frame = pd.read_csv(path, dtype={"year": "int64", "airport": "string", "date": "string", "kind": "string"})
    if tuple(frame.columns) != GROUND_TRUTH_COLUMNS:
        raise GroundTruthError(f"{path}: columns {list(frame.columns)}, expected {list(GROUND_TRUTH_COLUMNS)}.")
    unknown = sorted(set(frame["kind"].dropna()) - set(ALL_KINDS))
    if unknown or frame["kind"].isna().any():
        raise GroundTruthError(f"{path}: unknown kinds {unknown}; expected one of {', '.join(ALL_KINDS)}.")
    try:
        frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    except (ValueError, TypeError) as error:
        raise GroundTruthError(f"{path}: a date is not YYYY-MM-DD ({error}).") from error
    frame["airport"] = frame["airport"].astype(str)
    frame["kind"] = frame["kind"].astype(str)
    return frame
