"""The rows of a year file, counted the way raw_to_stage will read them, in one streaming pass.

raw_to_stage skips blank lines and header lines (files concatenated from several keep their
headers) and counts everything else as a row. This counts the same, so "N rows not dated 2013"
in the ingest note means rows, not blank lines. It also looks for the first valid row (28
fields, FL_DATE a date of the year): a file without one would pass the contract and fail minutes
later in Spark. And it keeps the first FL_DATE values, to say how the dates are written when most
rows are not dated in the year.

Normal files pay for this only in their first chunk: a chunk whose every line starts with
"2013-" is counted with two `bytes.count` calls. Lines are looked at one by one only until the
first valid row and the date sample are found; afterwards, in a chunk where some line does not
start with the year, one regular expression finds the blank and header lines. A line longer than LINE_CAP (a flight
row is ~150 bytes) is kept only up to the cap, so memory stays bounded whatever the file holds.
Standard library only: `check_raw` runs this inside the DAG.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flightlake.lake.raw_sniff import excerpt
from flightlake.lake.schemas import KAGGLE_COLUMNS, KAGGLE_HEADER

FIELDS = len(KAGGLE_COLUMNS)
LINE_CAP = 64 * 1024
DATE_SAMPLES = 50
_BOM = b"\xef\xbb\xbf"
_HEADERS = (KAGGLE_HEADER.encode(), _BOM + KAGGLE_HEADER.encode())
_ISO_DATE = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # raw_to_stage's own pattern


@dataclass(frozen=True)
class FirstRow:
    """The file's first data line, kept to say why no row is valid."""

    number: int
    head: bytes  # its first bytes
    size: int

    def why_not_valid(self, year: int) -> str:
        quoted = excerpt(self.head, size=self.size)
        if self.size > LINE_CAP:
            return f"line {self.number} is not a flight row: {quoted}"
        fields = self.head.count(b",") + 1
        if fields != FIELDS:
            return f"line {self.number} has {fields} fields, expected {FIELDS}: {quoted}"
        date = excerpt(self.head.split(b",", 1)[0], 40)
        return f"line {self.number} has FL_DATE {date}, not a {year} date: {quoted}"


def _not_data(text: bytes) -> bool:
    """Blank (spaces only, as Spark's trim sees it) or a header line: raw_to_stage skips these."""
    return not text.strip(b" ") or text in _HEADERS


class RowCounter:
    """Feed it the bytes after the header line, in any chunks; read the counts after `close`."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.lines = 1  # lines completed (newlines seen), the header included: the next one is line 2
        self.data_rows = 0
        self.year_rows = 0  # rows whose first bytes are "YYYY-" of the year
        self.skipped = 0  # blank and header lines after the first line
        self.valid_line: int | None = None
        self.dates: list[str] = []
        self.first_row: FirstRow | None = None
        self._prefix = f"{year}-".encode()
        # a newline followed by a blank or header line: the lines `_block` takes off its row count
        self._skippable = re.compile(rb"\n(?=(?: *|(?:" + _BOM + rb")?" + re.escape(_HEADERS[0]) + rb")\r?\n)")
        self._partial = b""
        self._partial_size = 0

    @property
    def settled(self) -> bool:
        """Found what only a line-by-line look finds: a valid row, and the sample of dates."""
        return self.valid_line is not None and len(self.dates) >= DATE_SAMPLES

    def feed(self, data: bytes) -> None:
        first = data.find(b"\n")
        if first < 0:
            self._extend(data)
            return
        self._extend(data[:first])
        self._line(self._partial, self._partial_size)
        self._partial, self._partial_size = b"", 0
        last = data.rfind(b"\n")
        if last > first:
            self._block(data[first + 1 : last + 1])
        self._extend(data[last + 1 :])

    def close(self) -> None:
        """The last line, when the file does not end with a newline."""
        if self._partial_size:
            self._line(self._partial, self._partial_size)
            self._partial, self._partial_size = b"", 0

    def _extend(self, data: bytes) -> None:
        room = LINE_CAP + 1 - len(self._partial)
        if room > 0:
            self._partial += data[:room]
        self._partial_size += len(data)

    def _block(self, block: bytes) -> None:
        """Whole lines, each ending with a newline."""
        if not self.settled:
            position = 0
            while position < len(block) and not self.settled:
                end = block.index(b"\n", position)
                self._line(block[position:end], end - position)
                position = end + 1
            block = block[position:]
        lines = block.count(b"\n")
        starts = block.count(b"\n" + self._prefix) + block.startswith(self._prefix)
        self.lines += lines
        self.data_rows += lines
        self.year_rows += starts
        if starts == lines:
            return
        skipped = len(self._skippable.findall(block)) + _not_data(block[: block.index(b"\n")].rstrip(b"\r"))
        self.data_rows -= skipped
        self.skipped += skipped

    def _line(self, line: bytes, size: int) -> None:
        self.lines += 1
        text = line.rstrip(b"\r")
        if _not_data(text):
            self.skipped += 1
            return
        self.data_rows += 1
        if text.startswith(self._prefix):
            self.year_rows += 1
        if self.first_row is None:
            self.first_row = FirstRow(self.lines, text[:1000], size)
        if len(self.dates) < DATE_SAMPLES:
            self.dates.append(text[:64].split(b",", 1)[0].strip(b" ").decode("utf-8", errors="replace"))
        if self.valid_line is None and size <= LINE_CAP and self._valid(text):
            self.valid_line = self.lines

    def _valid(self, text: bytes) -> bool:
        """28 fields and an FL_DATE of the year: what raw_to_stage needs at the least to stage it."""
        if text.count(b",") != FIELDS - 1:
            return False
        date = text.split(b",", 1)[0].strip(b" ")
        if not date.startswith(self._prefix) or not _ISO_DATE.fullmatch(date):
            return False
        try:
            dt.date.fromisoformat(date.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            return False
        return True
