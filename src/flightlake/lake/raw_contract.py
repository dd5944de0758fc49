"""The raw zone's contract: what a year file must be before it enters the lake.

Documented behaviour (README, "Bringing data in", the contract table):
- the name: one rule wherever the file comes from (given directly, in a folder, in a zip), see
  `year_file_year`: it ends in .csv (or .csv.gz, .csv.bz2) and holds exactly one year of
  2009-2018.
- refused, each naming the file, the problem and the fix: an empty file; a compressed file or
  an archive under a .csv name; binary data (random bytes); text in another encoding than UTF-8
  (UTF-16/32, NUL bytes); an HTML page; CR-only line endings; a header that is not the 28
  Kaggle columns in order (another delimiter, quoted names, no header line, extra, missing,
  renamed or reordered columns); no data rows; no valid row (28 fields and an FL_DATE of the
  year); rows mostly not dated in the year, which says how the dates are written when they are
  not YYYY-MM-DD.
- accepted, with a note: CRLF line endings; a UTF-8 byte-order mark; blank or repeated header
  lines (not rows, skipped by raw_to_stage too); lines that are not valid UTF-8 or rows of another
  year (a minority) — those rows are kept in the raw file and land in the rejects table of
  raw_to_stage with their line number, so nothing is lost.

One streaming pass computes everything (sha256, rows, years, encoding), in bounded memory; the
shapes of wrong files are recognised in `raw_sniff`, the rows counted in `raw_rows`.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import BinaryIO

from flightlake.errors import PermanentError
from flightlake.lake import raw_sniff
from flightlake.lake.raw_rows import RowCounter
from flightlake.lake.raw_sniff import excerpt
from flightlake.lake.schemas import KAGGLE_COLUMNS, KAGGLE_HEADER
from flightlake.settings import FIRST_YEAR, LAST_YEAR

CHUNK = 8 * 1024 * 1024
MAX_LISTED_LINES = 10
YEAR_FILE_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2")
NAME_RULE = (
    f"a year file's name ends in .csv (or .csv.gz, .csv.bz2) and holds its year, one of {FIRST_YEAR}-{LAST_YEAR}, "
    "once: YYYY.csv, e.g. 2013.csv or flights_2013.csv"
)
HEADER_FIX = "provide the Kaggle file as downloaded: its 28 columns FL_DATE … 'Unnamed: 27', in that order"
MAX_HEADER_BYTES = 4096
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
    skipped_lines: int = 0  # blank and repeated header lines: not rows

    def notes(self) -> list[str]:
        notes = []
        if self.crlf:
            notes.append("CRLF line endings")
        if self.bom:
            notes.append("UTF-8 byte-order mark")
        if self.skipped_lines:
            notes.append(f"{self.skipped_lines} blank or repeated header lines, not rows: raw_to_stage skips them")
        if self.non_utf8_rows:
            lines = ", ".join(map(str, self.non_utf8_lines))
            notes.append(f"{self.non_utf8_rows} rows not UTF-8 (lines {lines}…) will be rejected by raw_to_stage")
        if self.other_year_rows:
            notes.append(f"{self.other_year_rows} rows not dated {self.year} will be rejected by raw_to_stage")
        return notes


def year_from_name(name: str) -> int:
    """The year a file's name claims, e.g. '2013.csv' or 'flights_2013.csv'."""
    base = PurePath(name).name
    years = set(_YEAR_IN_NAME.findall(base))
    if len(years) != 1:
        problem = (
            "its name holds no year" if not years else f"its name holds several years ({', '.join(sorted(years))})"
        )
        raise ContractViolation(name, problem, "name year files YYYY.csv, e.g. 2013.csv")
    return int(years.pop())


def year_file_year(name: str, member: str | None = None) -> int:
    """The year of a year file, by the one naming rule (`NAME_RULE`) that holds for a file given
    directly, found in a folder, or inside a zip (`member`, the name within it); else a
    ContractViolation saying which part of the rule the name breaks."""
    base = PurePath(member or name).name
    if not base.lower().endswith(YEAR_FILE_SUFFIXES):
        raise ContractViolation(name, "its name does not end in .csv (or .csv.gz, .csv.bz2)", NAME_RULE)
    try:
        year = year_from_name(base)
    except ContractViolation as violation:
        raise ContractViolation(name, violation.problem, NAME_RULE) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ContractViolation(
            name,
            f"its name says {year}, outside the years the data covers ({FIRST_YEAR}-{LAST_YEAR})",
            f"ingest only files of {FIRST_YEAR}-{LAST_YEAR}, each named after its year",
        )
    return year


def check_header(name: str, start: bytes) -> None:
    """Refuse any header but the Kaggle one, saying what the file is instead (compressed, another
    encoding, another delimiter, ...) or which columns differ. `start` is the file's first bytes:
    its first line is the header, a UTF-8 byte order mark before it is allowed."""
    for sniff in (raw_sniff.compression, raw_sniff.binary, raw_sniff.encoding, raw_sniff.not_text):
        found = sniff(name, start)
        if found:
            raise ContractViolation(name, *found)
    line = start.split(b"\n", 1)[0].removeprefix(_BOM)
    text = line.decode("utf-8", errors="replace").rstrip("\r")
    if text == KAGGLE_HEADER:
        return
    shape = raw_sniff.header_shape(text)
    if shape:
        raise ContractViolation(name, *shape)
    if len(line) > MAX_HEADER_BYTES:  # the Kaggle header is 330 bytes: this is no header at all
        raise ContractViolation(
            name, f"its first line is not the Kaggle header: {excerpt(line, size=len(line))}", HEADER_FIX
        )
    columns = text.split(",")
    expected = list(KAGGLE_COLUMNS)
    extra = [c for c in columns if c not in expected]
    missing = [c for c in expected if c not in columns]
    if extra or missing:
        parts = []
        if extra:
            parts.append(f"extra column(s) {', '.join(map(excerpt, extra[:5]))}")
        if missing:
            parts.append(f"missing column(s) {', '.join(map(repr, missing[:5]))}")
        problem = f"the header has {len(columns)} columns, expected {len(expected)}: {'; '.join(parts)}"
    else:
        first = next(i for i, (a, b) in enumerate(zip(columns, expected, strict=False)) if a != b)
        problem = (
            f"the header's columns are out of order: column {first + 1} is {columns[first]!r}, "
            f"expected {expected[first]!r}"
        )
    raise ContractViolation(name, problem, HEADER_FIX)


def check_stream(chunks: Iterable[bytes], name: str, year: int | None = None) -> ContractReport:
    """Check a year file given as byte chunks; raises ContractViolation or returns the report.
    `year` is the one its name says (`year_file_year`); by default read from `name`."""
    year = year_from_name(name) if year is None else year
    report = ContractReport(name=name, year=year)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    rows = RowCounter(year)
    start: bytes | None = b""  # the file's first bytes until the header's newline; None once checked
    for chunk in chunks:
        if not chunk:
            continue
        digest.update(chunk)
        report.size += len(chunk)
        if start is not None:
            start += chunk
            if b"\n" not in start and len(start) < CHUNK:
                continue
            check_header(name, start)
            header, _, body = start.partition(b"\n")
            report.bom, report.crlf = header.startswith(_BOM), header.endswith(b"\r")
            data, start = start, None
            _scan_utf8(decoder, data, 0, report)
        else:
            data = body = chunk
            _scan_utf8(decoder, data, rows.lines, report)  # every newline so far completed a line
        rows.feed(body)
    if start is not None:
        if not start:
            raise ContractViolation(name, "the file is empty", "download the year file again")
        check_header(name, start)  # a header with no newline after it: refused below, no data rows
    rows.close()
    report.sha256 = digest.hexdigest()
    report.data_rows, report.skipped_lines = rows.data_rows, rows.skipped
    report.other_year_rows = rows.data_rows - rows.year_rows
    _check_rows(name, rows)
    return report


def _check_rows(name: str, rows: RowCounter) -> None:
    """Refuse a file without rows, with rows mostly of another year or date format, or with no
    row raw_to_stage could stage."""
    year = rows.year
    if rows.data_rows == 0:
        raise ContractViolation(name, "the file has a header but no data rows", "download the year file again")
    if rows.year_rows * 2 < rows.data_rows or rows.valid_line is None:
        dates = raw_sniff.date_format(rows.dates, year)
        if dates:
            raise ContractViolation(name, *dates)
    if rows.year_rows * 2 < rows.data_rows:
        raise ContractViolation(
            name,
            f"only {rows.year_rows} of its {rows.data_rows} rows are dated {year}, the year its name says"
            + _dated(rows.dates),
            "rename the file after the year its FL_DATE values are in",
        )
    if rows.valid_line is None and rows.first_row is not None:
        raise ContractViolation(
            name,
            f"none of its {rows.data_rows} rows is a flight row of {year} ({len(KAGGLE_COLUMNS)} fields, "
            f"FL_DATE a {year} date): {rows.first_row.why_not_valid(year)}",
            "provide the Kaggle file as downloaded",
        )


def _dated(dates: list[str]) -> str:
    """'; its first rows are dated 2011', from the sampled YYYY-MM-DD values."""
    years = Counter(value[:4] for value in dates if raw_sniff.date_shape([value]) == (raw_sniff.ISO_DATE, value))
    return f"; its first rows are dated {years.most_common(1)[0][0]}" if years else ""


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
    """The stream's bytes, `size` at a time."""
    while block := stream.read(size):
        yield block
