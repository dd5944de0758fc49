"""The raw zone's contract: what a year file must be before it enters the lake.

Documented behaviour (README, "Bringing data in"):
- refused: a name without exactly one year in it; an empty file; a header that is not the 28
  Kaggle columns in order (extra, missing, renamed or reordered columns); a header with no data
  rows; a file whose dates are mostly in another year than its name says.
- accepted, with a note: CRLF line endings; a UTF-8 byte-order mark; lines that are not valid
  UTF-8 or rows of another year (a minority) — those rows are kept in the raw file and land in
  the rejects table of raw_to_stage with their line number, so nothing is lost.

One streaming pass computes everything (sha256, rows, years, encoding), in bounded memory.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import BinaryIO

from flightlake.errors import PermanentError
from flightlake.lake.schemas import KAGGLE_COLUMNS, KAGGLE_HEADER

CHUNK = 8 * 1024 * 1024
MAX_LISTED_LINES = 10
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_BOM = codecs.BOM_UTF8


class ContractViolation(PermanentError):
    """A file the raw zone refuses; the message names the file, the problem and the fix."""

    def __init__(self, name: str, problem: str, fix: str) -> None:
        super().__init__(f"{name}: {problem}. Fix: {fix}.")
        self.name, self.problem, self.fix = name, problem, fix


@dataclass
class ContractReport:
    """What the check learned about an accepted file."""

    name: str
    year: int
    size: int = 0
    sha256: str = ""
    data_rows: int = 0
    other_year_rows: int = 0
    crlf: bool = False
    bom: bool = False
    non_utf8_rows: int = 0
    non_utf8_lines: list[int] = field(default_factory=list)

    def notes(self) -> list[str]:
        notes = []
        if self.crlf:
            notes.append("CRLF line endings")
        if self.bom:
            notes.append("UTF-8 byte-order mark")
        if self.non_utf8_rows:
            lines = ", ".join(map(str, self.non_utf8_lines))
            notes.append(f"{self.non_utf8_rows} rows not UTF-8 (lines {lines}…) will be rejected by raw_to_stage")
        if self.other_year_rows:
            notes.append(f"{self.other_year_rows} rows not dated {self.year} will be rejected by raw_to_stage")
        return notes


def year_from_name(name: str) -> int:
    """The year a file's name claims, e.g. '2013.csv' or 'flights_2013.csv.'"""
    base = PurePath(name).name
    years = set(_YEAR_IN_NAME.findall(base))
    if len(years) != 1:
        problem = (
            "its name holds no year" if not years else f"its name holds several years ({', '.join(sorted(years))})"
        )
        raise ContractViolation(name, problem, "name year files YYYY.csv, e.g. 2013.csv")
    return int(years.pop())


def check_header(name: str, start: bytes) -> None:
    """Refuse any header but the Kaggle one, saying which columns differ. `start` is the file's
    first bytes: its first line is the header, a UTF-8 byte order mark before it is allowed."""
    line = start.split(b"\n", 1)[0].removeprefix(_BOM)
    text = line.decode("utf-8", errors="replace").rstrip("\r")
    if text == KAGGLE_HEADER:
        return
    columns = text.split(",")
    expected = list(KAGGLE_COLUMNS)
    extra = [c for c in columns if c not in expected]
    missing = [c for c in expected if c not in columns]
    if extra or missing:
        parts = []
        if extra:
            parts.append(f"extra column(s) {', '.join(map(repr, extra[:5]))}")
        if missing:
            parts.append(f"missing column(s) {', '.join(map(repr, missing[:5]))}")
        problem = f"the header has {len(columns)} columns, expected {len(expected)}: {'; '.join(parts)}"
    else:
        first = next(i for i, (a, b) in enumerate(zip(columns, expected, strict=False)) if a != b)
        problem = (
            f"the header's columns are out of order: column {first + 1} is {columns[first]!r}, "
            f"expected {expected[first]!r}"
        )
    raise ContractViolation(
        name, problem, "provide the Kaggle file as downloaded: its 28 columns FL_DATE … 'Unnamed: 27', in that order"
    )


def check_stream(chunks: Iterable[bytes], name: str) -> ContractReport:
    """Check a year file given as byte chunks; raises ContractViolation or returns the report."""
    year = year_from_name(name)
    report = ContractReport(name=name, year=year)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    year_prefix = f"\n{year}-".encode()
    header: bytes | None = None
    pending = b""  # bytes of the header line until its newline arrives
    lines_before = 0  # newlines seen before the current chunk
    last_byte = b""
    carry = b""
    year_rows = 0
    for chunk in chunks:
        if not chunk:
            continue
        digest.update(chunk)
        report.size += len(chunk)
        if header is None:
            pending += chunk
            if b"\n" not in pending and len(pending) < CHUNK:
                continue
            header = pending.partition(b"\n")[0]
            report.bom = header.startswith(_BOM)
            report.crlf = header.endswith(b"\r")
            check_header(name, header)
            chunk, pending = pending, b""
        # rows that start with the right year: every data line after a newline. The previous
        # chunk's last bytes go in front, for a "\n2013-" split between two chunks.
        year_rows += (carry + chunk).count(year_prefix)
        carry = chunk[-(len(year_prefix) - 1) :]
        _scan_utf8(decoder, chunk, lines_before, report)
        lines_before += chunk.count(b"\n")
        last_byte = chunk[-1:]
    if header is None:
        if not pending:
            raise ContractViolation(name, "the file is empty", "download the year file again")
        check_header(name, pending)  # a header with no newline after it: refused below, no data rows
    total_lines = lines_before + (0 if last_byte == b"\n" else 1)
    report.data_rows = max(total_lines - 1, 0)
    report.sha256 = digest.hexdigest()
    if report.data_rows == 0:
        raise ContractViolation(name, "the file has a header but no data rows", "download the year file again")
    report.other_year_rows = report.data_rows - year_rows
    if year_rows * 2 < report.data_rows:
        raise ContractViolation(
            name,
            f"only {year_rows} of its {report.data_rows} rows are dated {year}, the year its name says",
            "rename the file after the year its FL_DATE values are in",
        )
    return report


def _scan_utf8(decoder: codecs.IncrementalDecoder, chunk: bytes, lines_before: int, report: ContractReport) -> None:
    """Count lines holding bytes that are not UTF-8 (and remember the first few line numbers)."""
    try:
        decoder.decode(chunk)
        return
    except UnicodeDecodeError:
        decoder.reset()
    bad_lines: set[int] = set()
    offset = 0
    while offset < len(chunk):
        try:
            codecs.decode(chunk[offset:], "utf-8")
            break
        except UnicodeDecodeError as error:
            start, end = offset + error.start, offset + error.end
            if error.reason == "unexpected end of data" and end == len(chunk):
                decoder.decode(chunk[start:])  # a character split across chunks: finish it next time
                break
            bad_lines.add(lines_before + chunk.count(b"\n", 0, start) + 1)
            offset = max(end, start + 1)
    report.non_utf8_rows += len(bad_lines)
    room = MAX_LISTED_LINES - len(report.non_utf8_lines)
    report.non_utf8_lines.extend(sorted(bad_lines)[: max(room, 0)])


def read_chunks(stream: BinaryIO, size: int = CHUNK) -> Iterable[bytes]:
    while block := stream.read(size):
        yield block
