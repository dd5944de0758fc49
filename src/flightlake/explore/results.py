"""A query's result written to a file, in the format the file's extension names.

CSV for spreadsheets, JSON (an array of objects, dates as ISO text) for scripts, Parquet for
anything that reads types. The extension decides, so `--output top.parquet` needs no flag.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from flightlake.explore.statements import QueryError

FORMATS = (".csv", ".json", ".parquet")


def write_result(table: pa.Table, path: Path) -> str:
    """Write `table` to `path`; returns the format used."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise QueryError(f"--output {path}: the extension says the format; use one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        pacsv.write_csv(table, path)
    elif suffix == ".parquet":
        pq.write_table(table, path)
    else:
        path.write_text(json.dumps(table.to_pylist(), default=_json_value, indent=1) + "\n")
    return suffix.lstrip(".")


def _json_value(value: object) -> object:
    """What JSON has no type for: DuckDB's sums of integers are decimals, dates are ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def display_value(value: object) -> str:
    """A cell as people read it: NULL shown as such, floats to at most 4 decimals."""
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value == value else "NaN"
    return str(value)
