"""A query's result written to a file, in the format the file's extension names.

CSV for spreadsheets, JSON (an array of objects, dates as ISO text) for scripts, Parquet for
anything that reads types. The extension decides, so `--output top.parquet` needs no flag.

The rows arrive in batches and leave in batches: however large the result, memory holds one
batch. They go to `<file>.partial`, renamed once complete, so a failed query, a full disk or a
Ctrl-C never leaves a file that looks like a whole result.
"""

from __future__ import annotations

import contextlib
import errno
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from flightlake.errors import FlightlakeError
from flightlake.explore.statements import QueryError

FORMATS = (".csv", ".json", ".parquet")


@dataclass(frozen=True)
class Rows:
    """A result on its way: its schema, then its batches, read once."""

    schema: pa.Schema
    batches: Iterable[pa.RecordBatch]

    @classmethod
    def of(cls, table: pa.Table) -> Rows:
        return cls(table.schema, table.to_batches())


@dataclass(frozen=True)
class Written:
    format: str
    rows: int


def output_format(path: Path) -> str:
    """The format `path`'s extension names; a QueryError for any other (checked before the query runs)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise QueryError(f"--output {path}: the extension says the format; use one of {', '.join(FORMATS)}")
    return suffix.lstrip(".")


def write_result(rows: Rows | pa.Table, path: Path) -> Written:
    """Write every batch of `rows` to `path`; returns the format and how many rows were written."""
    kind = output_format(path)
    rows = Rows.of(rows) if isinstance(rows, pa.Table) else rows
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as sink:
            count = _WRITERS[kind](rows, sink)
        partial.replace(path)
    except OSError as error:
        _remove(partial)
        raise _unwritable(path, error) from error
    except BaseException:
        _remove(partial)
        raise
    return Written(kind, count)


def _remove(partial: Path) -> None:
    with contextlib.suppress(OSError):  # never there, or in a folder that cannot be
        partial.unlink(missing_ok=True)


def _unwritable(path: Path, error: OSError) -> FlightlakeError:
    if error.errno == errno.ENOSPC:  # the machine's state, not the command's: exit code 1
        return FlightlakeError(f"--output {path}: the disk holding it is full; nothing was written. Fix: free "
                               "some space, or write the result elsewhere")  # fmt: skip
    blocking = next((folder for folder in path.parents if folder.exists() and not folder.is_dir()), None)
    reason = f"{blocking} is a file, not a folder" if blocking else error.strerror or str(error)
    return QueryError(
        f"--output {path}: cannot write it there ({reason}). Fix: give a file in a folder you can write to"
    )


def _csv(rows: Rows, sink: IO[bytes]) -> int:
    with pacsv.CSVWriter(sink, rows.schema) as writer:
        return _batch_by_batch(writer, rows)


def _parquet(rows: Rows, sink: IO[bytes]) -> int:
    with pq.ParquetWriter(sink, rows.schema) as writer:
        return _batch_by_batch(writer, rows)


def _batch_by_batch(writer: pacsv.CSVWriter | pq.ParquetWriter, rows: Rows) -> int:
    count = 0
    for batch in rows.batches:
        writer.write_batch(batch)
        count += batch.num_rows
    return count


def _json(rows: Rows, sink: IO[bytes]) -> int:
    """An array of objects, one a line, written batch by batch (one encoder for all: building
    one per row would cost more than the encoding)."""
    encode = json.JSONEncoder(default=_json_value).encode
    count = 0
    sink.write(b"[")
    for batch in rows.batches:
        lines = [encode(row) for row in batch.to_pylist()]
        if lines:
            sink.write(((",\n" if count else "\n") + ",\n".join(lines)).encode())
            count += len(lines)
    sink.write(b"\n]\n" if count else b"]\n")
    return count


_WRITERS = {"csv": _csv, "parquet": _parquet, "json": _json}


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
