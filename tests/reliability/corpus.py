"""The corpus of bad input: every kind of bad file and bad row, each with its expected outcome.

Two tables, one line per case; the tests in this folder build the inputs from them.

FILE_CASES: one input given to `flightlake ingest` (a file, a folder or a zip), and what becomes
of it: `refused` (nothing uploaded; the message names the file, says `says` and, after "Fix:",
`fix`), `skipped` (a folder entry or zip member that is not a year file: reported, not read), or
`accepted` (uploaded, `says` in its notes, then raw_to_stage stages every good row and puts
`rejects` rows aside: rows in = staged + rejects).

ROW_CASES: one line (or several) inside an otherwise good year file, and what raw_to_stage does
with it: `STAGED` (a row that looks odd but is good), `SKIPPED` (not a row: blank, a header), or
the reason it is rejected with, by line number. A case whose lines depend on each other returns a
list of lines and gives a list of outcomes; `{first}` in a reason is the line number of the
case's first line, e.g. a duplicate rule:
    RowCase("exact duplicate", lambda row: [row, row], [STAGED, "duplicate of line {first}"]),
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flightlake.lake.schemas import KAGGLE_COLUMNS, KAGGLE_HEADER

FILE_YEAR = 2017  # the year the file cases are named after (uploaded by the accepted ones)
ROW_YEAR = 2016  # the year of the combined file of row cases
ROWS = 40  # good rows in a file case
BAD_NUMBER = 9_000  # flight numbers from here on mark rows that must be rejected (still a valid number)
ROW = "{date},UA,{number},EWR,DEN,1517,1512.0,-5.0,15.0,1527.0,1712.0,10.0,1745,1722.0,-23.0,0.0,,0.0,268.0,250.0,225.0,1605.0,,,,,,"
STAGED, SKIPPED = "staged", "skipped (not a row)"
TEN_MB = 10 * 1024 * 1024


def row(number: int, year: int = FILE_YEAR, date: Callable[[int], str] | None = None) -> str:
    """A good Kaggle row; its flight number identifies it once staged."""
    day = date(number) if date else f"{year}-{1 + number % 12:02d}-{1 + number % 28:02d}"
    return ROW.format(date=day, number=number)


def year_csv(
    rows: int = ROWS,
    year: int = FILE_YEAR,
    eol: str = "\n",
    header: str = KAGGLE_HEADER,
    date: Callable[[int], str] | None = None,
    tail: str = "",
    final_eol: bool = True,
) -> bytes:
    """A year file: the header, `rows` good rows (flight numbers 1..rows, a real range), then `tail` lines."""
    lines = [header] + [row(n, year, date) for n in range(1, rows + 1)]
    text = eol.join(lines) + (eol if final_eol else "") + tail
    return text.encode()


def other_year_rows(count: int, year: int = FILE_YEAR - 1) -> str:
    """Rows dated in another year, flight numbers from BAD_NUMBER: raw_to_stage rejects them."""
    return "".join(row(BAD_NUMBER + n, year) + "\n" for n in range(count))


# -- what a file case gives to ingest -------------------------------------------------------------

Make = Callable[[Path], Path]


def a_file(name: str, content: Callable[[], bytes]) -> Make:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content())
        return path

    return make


def a_folder(*files: tuple[str, Callable[[], bytes] | None]) -> Make:
    """A folder holding `files`; a None content makes a sub-folder."""

    def make(folder: Path) -> Path:
        root = folder / "given"
        root.mkdir()
        for name, content in files:
            if content is None:
                (root / name).mkdir()
            else:
                (root / name).write_bytes(content())
        return root

    return make


def a_zip(name: str, *members: tuple[str, Callable[[], bytes]]) -> Make:
    def make(folder: Path) -> Path:
        path = folder / name
        with zipfile.ZipFile(path, "w") as archive:
            for member, content in members:
                archive.writestr(member, content())
        return path

    return make


def nothing(name: str) -> Make:
    return lambda folder: folder / name


def a_fifo(name: str, in_folder: bool = False) -> Make:
    """A FIFO (named pipe) that nothing writes to: reading it would wait forever."""

    def make(folder: Path) -> Path:
        root = folder / "given" if in_folder else folder
        root.mkdir(exist_ok=True)
        os.mkfifo(root / name)
        return root if in_folder else root / name

    return make


def a_symlink(name: str, target: str) -> Make:
    def make(folder: Path) -> Path:
        (folder / name).symlink_to(target)
        return folder / name

    return make


def good() -> bytes:
    return year_csv()


def columns(text: str) -> Callable[[], bytes]:
    return lambda: year_csv(header=text)


def dates(form: Callable[[int], str]) -> Callable[[], bytes]:
    return lambda: year_csv(date=form)


@dataclass(frozen=True)
class FileCase:
    kind: str
    make: Make
    outcome: str  # refused | skipped | accepted
    says: str = ""  # in the refusal's problem, the skip's reason, or an accepted file's notes
    fix: str = ""  # in the refusal, after "Fix:"
    result: str = ""  # the result to look at, by the end of its name; default: the only one
    rows: int = ROWS  # accepted: good rows, all staged
    rejects: int = 0  # accepted: rows raw_to_stage puts aside


Y, H = FILE_YEAR, KAGGLE_HEADER
READS_FILES = "ingest reads files, and checks every byte before uploading them"
NOT_REGULAR_FIX = "save the data to a regular file (e.g. 2013.csv) and ingest that"
_mixed = lambda: year_csv(tail=f"\n{H}\n   \n" + other_year_rows(6) + f"\n{H}\n\n")  # noqa: E731
FILE_CASES: tuple[FileCase, ...] = (
    # content that is not a CSV at all
    FileCase("empty file", a_file(f"{Y}.csv", lambda: b""), "refused", "the file is empty", "download"),
    FileCase("gzip content named .csv", a_file(f"{Y}.csv", lambda: gzip.compress(good())), "refused", "gzip-compressed", "gunzip it"),
    FileCase("zip content named .csv", a_file(f"{Y}.csv", lambda: _zipped(good())), "refused", "a zip archive", f"name it {Y}.zip"),
    FileCase("Excel workbook named .csv", a_file(f"{Y}.csv", lambda: _zipped(b"<xml/>", "xl/workbook.xml")), "refused", "a zip archive"),
    FileCase("bzip2 content named .csv", a_file(f"{Y}.csv", lambda: bz2.compress(good())), "refused", "bzip2-compressed", "bunzip2"),
    FileCase("xz content named .csv", a_file(f"{Y}.csv", lambda: lzma.compress(good())), "refused", "xz-compressed", "unxz"),
    FileCase("zstd content named .csv", a_file(f"{Y}.csv", lambda: b"\x28\xb5\x2f\xfd" + bytes(64)), "refused", "zstd-compressed", "unzstd"),
    FileCase(".csv.gz cut short", a_file(f"{Y}.csv.gz", lambda: gzip.compress(year_csv(2000))[:3000]), "refused", "gzip data is damaged or cut short", "download it again"),
    FileCase("HTML page saved as .csv", a_file(f"{Y}.csv", lambda: b"<!DOCTYPE html>\n<html><body>Sign in</body></html>\n"), "refused", "HTML", "download"),
    FileCase("NUL bytes in the header", a_file(f"{Y}.csv", lambda: b"\x00" * 40 + good()), "refused", "NUL bytes", "download"),
    # another encoding
    FileCase("UTF-16 with a byte-order mark", a_file(f"{Y}.csv", lambda: good().decode().encode("utf-16")), "refused", "UTF-16 text with a byte-order mark", "iconv -f UTF-16 -t UTF-8"),
    FileCase("UTF-16BE with a byte-order mark", a_file(f"{Y}.csv", lambda: b"\xfe\xff" + good().decode().encode("utf-16-be")), "refused", "UTF-16 text with a byte-order mark", "iconv -f UTF-16"),
    FileCase("UTF-16LE without a byte-order mark", a_file(f"{Y}.csv", lambda: good().decode().encode("utf-16-le")), "refused", "UTF-16LE text without a byte-order mark", "iconv -f UTF-16LE -t UTF-8"),
    FileCase("UTF-16BE without a byte-order mark", a_file(f"{Y}.csv", lambda: good().decode().encode("utf-16-be")), "refused", "UTF-16BE text without", "iconv -f UTF-16BE"),
    FileCase("UTF-32 with a byte-order mark", a_file(f"{Y}.csv", lambda: good().decode().encode("utf-32")), "refused", "UTF-32 text with a byte-order mark", "iconv -f UTF-32 -t UTF-8"),
    FileCase("UTF-32LE without a byte-order mark", a_file(f"{Y}.csv", lambda: good().decode().encode("utf-32-le")), "refused", "UTF-32LE text without", "iconv -f UTF-32LE"),
    # line endings, delimiters, the header
    FileCase("CR-only line endings", a_file(f"{Y}.csv", lambda: good().replace(b"\n", b"\r")), "refused", "carriage return only", "tr '\\r' '\\n'"),
    FileCase("semicolon delimiter", a_file(f"{Y}.csv", lambda: good().replace(b",", b";")), "refused", "separated by semicolons (';')", "commas"),
    FileCase("tab delimiter", a_file(f"{Y}.csv", lambda: good().replace(b",", b"\t")), "refused", "separated by tabs", "commas"),
    FileCase("pipe delimiter", a_file(f"{Y}.csv", lambda: good().replace(b",", b"|")), "refused", "separated by vertical bars", "commas"),
    FileCase("quoted column names", a_file(f"{Y}.csv", columns('"' + H.replace(",", '","') + '"')), "refused", "in double quotes", "remove the quotes"),
    FileCase("no header line", a_file(f"{Y}.csv", lambda: year_csv().split(b"\n", 1)[1]), "refused", "the header line is missing", "FL_DATE,OP_CARRIER"),
    FileCase("lower-case column names", a_file(f"{Y}.csv", columns(H.lower())), "refused", "another case", "spell them as the Kaggle header does"),
    FileCase("spaces around column names", a_file(f"{Y}.csv", columns(H.replace(",", ", "))), "refused", "spaces around them", "remove the spaces"),
    FileCase("columns reordered", a_file(f"{Y}.csv", columns(H.replace("ORIGIN,DEST", "DEST,ORIGIN"))), "refused", "out of order", "28 columns"),
    FileCase("an extra column", a_file(f"{Y}.csv", columns(H + ",EXTRA")), "refused", "extra column(s) 'EXTRA'", "28 columns"),
    FileCase("a missing column", a_file(f"{Y}.csv", columns(H.replace(",TAXI_IN", ""))), "refused", "missing column(s) 'TAXI_IN'", "28 columns"),
    FileCase("one 10 MB line, no newline", a_file(f"{Y}.csv", lambda: b"y" * TEN_MB), "refused", "not the Kaggle header", "28 columns"),
    # rows
    FileCase("header only", a_file(f"{Y}.csv", lambda: f"{H}\n".encode()), "refused", "no data rows", "download"),
    FileCase("header only, no newline", a_file(f"{Y}.csv", lambda: H.encode()), "refused", "no data rows", "download"),
    FileCase("header and blank lines", a_file(f"{Y}.csv", lambda: f"{H}\n\n  \n\r\n".encode()), "refused", "no data rows", "download"),
    FileCase("header and one 10 MB garbage line", a_file(f"{Y}.csv", lambda: f"{H}\n{Y}-01-01,".encode() + b"x" * TEN_MB), "refused", f"none of its 1 rows is a flight row of {Y}", "as downloaded"),
    FileCase("rows of 27 fields", a_file(f"{Y}.csv", lambda: good().replace(b",,,,,,\n", b",,,,,\n")), "refused", "line 2 has 27 fields, expected 28", "as downloaded"),
    FileCase("dates of another year", a_file(f"{Y}.csv", lambda: year_csv(year=Y - 1)), "refused", f"only 0 of its 40 rows are dated {Y}, the year its name says; its first rows are dated {Y - 1}", "rename the file"),
    # dates written another way
    FileCase("dates MM/DD/YYYY", a_file(f"{Y}.csv", dates(lambda n: f"01/{1 + n % 28:02d}/{Y}")), "refused", "FL_DATE values look like MM/DD/YYYY", "convert them to YYYY-MM-DD"),
    FileCase("dates M/D/YYYY", a_file(f"{Y}.csv", dates(lambda n: f"1/{1 + n % 28}/{Y}")), "refused", "look like MM/DD/YYYY", "convert them to YYYY-MM-DD"),
    FileCase("dates DD/MM/YYYY", a_file(f"{Y}.csv", dates(lambda n: f"{13 + n % 15}/01/{Y}")), "refused", "look like DD/MM/YYYY", "convert them to YYYY-MM-DD"),
    FileCase("dates YYYY/MM/DD", a_file(f"{Y}.csv", dates(lambda n: f"{Y}/01/{1 + n % 28:02d}")), "refused", "look like YYYY/MM/DD", "YYYY-MM-DD"),
    FileCase("dates DD.MM.YYYY", a_file(f"{Y}.csv", dates(lambda n: f"{1 + n % 28:02d}.01.{Y}")), "refused", "look like DD.MM.YYYY", "YYYY-MM-DD"),
    FileCase("dates YYYYMMDD", a_file(f"{Y}.csv", dates(lambda n: f"{Y}01{1 + n % 28:02d}")), "refused", "look like YYYYMMDD", "YYYY-MM-DD"),
    FileCase("dates MM/DD/YY", a_file(f"{Y}.csv", dates(lambda n: f"01/{1 + n % 28:02d}/{Y % 100}")), "refused", "look like MM/DD/YY", "YYYY-MM-DD"),
    FileCase("dates with a time", a_file(f"{Y}.csv", dates(lambda n: f"{Y}-01-{1 + n % 28:02d} 00:00:00")), "refused", "look like YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD"),
    # names and paths
    FileCase("name without a year", a_file("flights.csv", good), "refused", "its name holds no year", "YYYY.csv"),
    FileCase("name with two years", a_file(f"{Y - 1}_{Y}.csv", good), "refused", "several years", "YYYY.csv"),
    FileCase("year outside 2009-2018", a_file("2019.csv", good), "refused", "outside the years the data covers (2009-2018)", "2009-2018"),
    FileCase("not a .csv name", a_file(f"{Y}.txt", good), "refused", "does not end in .csv", "YYYY.csv"),
    FileCase("no such path", nothing(f"missing/{Y}.csv"), "refused", "no such file or folder", "check the path"),
    FileCase("folder without year files", a_folder(("notes.txt", good)), "refused", "holds no year file", "YYYY.csv", result="given"),
    FileCase("not a zip", a_file("archive.zip", good), "refused", "not a readable zip", "download it again"),
    FileCase("empty zip", a_zip("archive.zip"), "refused", "the zip is empty", "download it again"),
    FileCase("zip with one bad member", a_zip("archive.zip", (f"{Y - 1}.csv", lambda: year_csv(year=Y - 1)), (f"{Y}.csv", columns("a,b"))), "refused", f"{Y}.csv in the same zip was refused", f"correct or remove archive.zip:{Y}.csv", result=f"{Y - 1}.csv"),
    # folder entries and zip members that are not year files: reported, not read
    FileCase("a README beside a year file", a_folder((f"{Y}.csv", good), ("README.txt", good)), "skipped", "does not end in .csv", result="README.txt"),
    FileCase("the generator's anomalies.csv", a_folder((f"{Y}.csv", good), ("anomalies.csv", good)), "skipped", "its name holds no year", result="anomalies.csv"),
    FileCase("a sub-folder", a_folder((f"{Y}.csv", good), ("older", None)), "skipped", "folder inside a folder", result="older"),
    FileCase("a zip member that is no year file", a_zip("archive.zip", (f"{Y}.csv", good), ("readme.md", good)), "skipped", "does not end in .csv", result="readme.md"),
    # accepted: every good row staged, the bad ones rejected, nothing lost
    FileCase("a clean file", a_file(f"{Y}.csv", good), "accepted"),
    FileCase("CRLF line endings", a_file(f"{Y}.csv", lambda: year_csv(eol="\r\n")), "accepted", "CRLF line endings"),
    FileCase("UTF-8 byte-order mark", a_file(f"{Y}.csv", lambda: b"\xef\xbb\xbf" + good()), "accepted", "UTF-8 byte-order mark"),
    FileCase("no newline at the end", a_file(f"{Y}.csv", lambda: year_csv(final_eol=False)), "accepted"),
    FileCase("upper-case .CSV", a_file(f"{Y}.CSV", good), "accepted"),
    FileCase(".csv.gz", a_file(f"{Y}.csv.gz", lambda: gzip.compress(good())), "accepted", "gzip-compressed: checked and uploaded decompressed"),
    FileCase(".csv.bz2", a_file(f"{Y}.csv.bz2", lambda: bz2.compress(good())), "accepted", "bzip2-compressed"),
    FileCase("flights_YYYY.csv given directly", a_file(f"flights_{Y}.csv", good), "accepted"),
    FileCase("flights_YYYY.csv in a folder", a_folder((f"flights_{Y}.csv", good)), "accepted", result=f"flights_{Y}.csv"),
    FileCase("the Kaggle zip", a_zip("archive.zip", (f"{Y}.csv", good)), "accepted"),
    FileCase("concatenated files: blank lines, repeated headers", a_file(f"{Y}.csv", lambda: year_csv(tail=f"\n{H}\n\n")), "accepted", "3 blank or repeated header lines"),
    FileCase("a minority of rows of another year, blank lines, headers", a_file(f"{Y}.csv", _mixed), "accepted", f"6 rows not dated {Y}", rejects=6),
    FileCase("a row that is not UTF-8", a_file(f"{Y}.csv", lambda: good() + row(BAD_NUMBER).replace("EWR", "E\xffR").encode("latin-1") + b"\n"), "accepted", "1 rows not UTF-8 (lines 42", rejects=1),
    # issue 24: binary data, and paths that are no regular file (refused at once, never read)
    FileCase("random bytes (/dev/urandom) named .csv", a_file(f"{Y}.csv", lambda: random.Random(24).randbytes(1 << 20)), "refused", "the file is binary data, not CSV text (it holds control characters that no text file has)", "download the year file again: the Kaggle files are plain CSV text"),
    FileCase("a FIFO named YYYY.csv", a_fifo(f"{Y}.csv"), "refused", f"it is a FIFO (named pipe), not a regular file: {READS_FILES}", NOT_REGULAR_FIX),
    FileCase("a FIFO named YYYY.csv in a folder", a_fifo(f"{Y}.csv", in_folder=True), "refused", f"it is a FIFO (named pipe), not a regular file: {READS_FILES}", NOT_REGULAR_FIX, result=f"{Y}.csv"),
    FileCase("a FIFO named archive.zip", a_fifo("archive.zip"), "refused", f"it is a FIFO (named pipe), not a regular file: {READS_FILES}", NOT_REGULAR_FIX),
    FileCase("a symlink to /dev/zero named YYYY.csv", a_symlink(f"{Y}.csv", "/dev/zero"), "refused", f"it is a character device, not a regular file: {READS_FILES}", NOT_REGULAR_FIX),
)  # fmt: skip


def _zipped(content: bytes, member: str = f"{FILE_YEAR}.csv") -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, content)
    return buffer.getvalue()


# -- row cases ------------------------------------------------------------------------------------

Line = str | bytes


def field(name: str, value: Line) -> Callable[[str], Line]:
    """The row with one column (by its Kaggle name) set to `value`."""
    index = KAGGLE_COLUMNS.index(name)

    def make(good_row: str) -> Line:
        fields: list[Line] = list(good_row.split(","))
        fields[index] = value
        if isinstance(value, bytes):
            return b",".join(f if isinstance(f, bytes) else f.encode() for f in fields)
        return ",".join(str(f) for f in fields)

    return make


def _cancelled(good_row: str) -> str:
    """A cancelled flight as Kaggle writes it: no times, no delays, a cancellation code."""
    fields = good_row.split(",")
    for name in ("DEP_TIME", "DEP_DELAY", "TAXI_OUT", "WHEELS_OFF", "WHEELS_ON", "TAXI_IN", "ARR_TIME", "ARR_DELAY"):
        fields[KAGGLE_COLUMNS.index(name)] = ""
    for name in ("ACTUAL_ELAPSED_TIME", "AIR_TIME"):
        fields[KAGGLE_COLUMNS.index(name)] = ""
    fields[KAGGLE_COLUMNS.index("CANCELLED")] = "1.0"
    fields[KAGGLE_COLUMNS.index("CANCELLATION_CODE")] = "B"
    return ",".join(fields)


@dataclass(frozen=True)
class RowCase:
    kind: str
    make: Callable[[str], Line | list[Line]]  # from a good row, the case's line(s)
    outcome: str | list[str]  # STAGED, SKIPPED or a reject reason (a part of it); a list for several lines


R = ROW_YEAR
ROW_CASES: tuple[RowCase, ...] = (
    RowCase("FL_DATE not a calendar date", field("FL_DATE", f"{R}-13-45"), f"FL_DATE '{R}-13-45' is not a YYYY-MM-DD date"),
    RowCase("FL_DATE of another year", field("FL_DATE", f"{R - 1}-06-01"), f"FL_DATE {R - 1}-06-01 is not in {R}"),
    RowCase("FL_DATE written MM/DD/YYYY", field("FL_DATE", f"06/01/{R}"), f"FL_DATE '06/01/{R}' is not a YYYY-MM-DD date"),
    RowCase("FL_DATE with a time", field("FL_DATE", f"{R}-06-01 00:00:00"), "is not a YYYY-MM-DD date"),
    RowCase("FL_DATE empty", field("FL_DATE", ""), "FL_DATE is empty"),
    RowCase("too few fields", lambda r: ",".join(r.split(",")[:20]), "has 20 fields, expected 28"),
    RowCase("too many fields", lambda r: r + ",X", "has 29 fields, expected 28"),
    RowCase("a quoted field holding a comma", field("ORIGIN", '"Newark, NJ"'), "ORIGIN '\"Newark, NJ\"' is a quoted field"),
    RowCase("fields shifted into the last column", field("Unnamed: 27", "7.0"), "the last column (Unnamed: 27) is not empty"),
    RowCase("DEP_DELAY not a number", field("DEP_DELAY", "abc"), "DEP_DELAY 'abc' is not a number"),
    RowCase("DISTANCE with a NUL byte", field("DISTANCE", "16\x0005.0"), "DISTANCE '16\x0005.0' is not a number"),
    RowCase("CRS_DEP_TIME written 10:15", field("CRS_DEP_TIME", "10:15"), "CRS_DEP_TIME '10:15' is not a whole number"),
    RowCase("flight number not whole", field("OP_CARRIER_FL_NUM", "12.5"), "OP_CARRIER_FL_NUM '12.5' is not a whole number"),
    RowCase("CANCELLED not 0 or 1", field("CANCELLED", "2.0"), "CANCELLED '2.0' is not 0.0 or 1.0"),
    RowCase("DIVERTED empty", field("DIVERTED", ""), "DIVERTED is empty"),
    RowCase("OP_CARRIER empty", field("OP_CARRIER", ""), "OP_CARRIER is empty"),
    RowCase("ORIGIN empty", field("ORIGIN", ""), "ORIGIN is empty"),
    RowCase("ORIGIN in lower case", field("ORIGIN", "ewr"), "ORIGIN 'ewr' is not a valid code"),
    RowCase("DEST a city name", field("DEST", "DENVER"), "DEST 'DENVER' is not a valid code"),
    RowCase("a quoted carrier", field("OP_CARRIER", '"UA"'), "OP_CARRIER '\"UA\"' is not a valid code"),
    RowCase("bytes that are not UTF-8", field("ORIGIN", b"E\xffR"), "contains bytes that are not UTF-8"),
    RowCase("a zero-filled line (a crashed copy)", lambda r: "\x00" * 150, "has 1 fields, expected 28"),
    RowCase("a semicolon-separated row", lambda r: r.replace(",", ";"), "has 1 fields, expected 28"),
    RowCase("a 100 KB line", lambda r: f"{R}-01-01," + "x" * 100_000, "has 2 fields, expected 28"),
    RowCase("DEP_DELAY 99999 minutes", field("DEP_DELAY", "99999.0"), "DEP_DELAY '99999.0' is outside the possible range -1440 to 2880 minutes"),
    RowCase("DEP_DELAY -5000 minutes", field("DEP_DELAY", "-5000.0"), "DEP_DELAY '-5000.0' is outside the possible range -1440 to 2880 minutes"),
    RowCase("ARR_DELAY three days", field("ARR_DELAY", "4400.0"), "ARR_DELAY '4400.0' is outside the possible range"),
    RowCase("TAXI_OUT negative", field("TAXI_OUT", "-3.0"), "TAXI_OUT '-3.0' is outside the possible range 0 to 1440 minutes"),
    RowCase("DISTANCE zero", field("DISTANCE", "0.0"), "DISTANCE '0.0' is outside the possible range 1 to 6000 miles"),
    RowCase("DEP_TIME 2575 (75 minutes)", field("DEP_TIME", "2575.0"), "DEP_TIME '2575.0' is not a time of day"),
    RowCase("CRS_ARR_TIME 1299", field("CRS_ARR_TIME", "1299"), "CRS_ARR_TIME '1299' is not a time of day"),
    RowCase("flight number 0", field("OP_CARRIER_FL_NUM", "0"), "OP_CARRIER_FL_NUM '0' is outside the possible range 1 to 9999"),
    RowCase("an exact duplicate flight", lambda r: [r, r], [STAGED, "duplicate of line {first}"]),
    RowCase("three copies of one flight", lambda r: [r, r, r], [STAGED, "duplicate of line {first}", "duplicate of line {first}"]),
    RowCase("DEP_DELAY at the edge (-1440, a day early)", field("DEP_DELAY", "-1440.0"), STAGED),
    RowCase("midnight written 2400", field("DEP_TIME", "2400.0"), STAGED),
    RowCase("a cancelled flight", _cancelled, STAGED),
    RowCase("spaces around the values", lambda r: ", ".join(r.split(",")), STAGED),
    RowCase("one CRLF line in an LF file", lambda r: r + "\r", STAGED),
    RowCase("a blank line", lambda r: "", SKIPPED),
    RowCase("a line of spaces", lambda r: "   ", SKIPPED),
    RowCase("the header again (files concatenated)", lambda r: KAGGLE_HEADER, SKIPPED),
    RowCase("the header again with a byte-order mark", lambda r: "\ufeff" + KAGGLE_HEADER, SKIPPED),
    RowCase("a quoted DEST holding a comma", field("DEST", '"A,B"'), "DEST '\"A,B\"' is a quoted field, but the Kaggle files carry no quoting: its comma splits the line into 29 fields, expected 28"),
    RowCase("FL_DATE a day its month does not have", field("FL_DATE", f"{R}-02-30"), f"FL_DATE '{R}-02-30' does not exist: February {R} has 29 days"),
)  # fmt: skip


@dataclass(frozen=True)
class Expected:
    line: int
    case: str
    outcome: str  # STAGED, SKIPPED or a reject reason
    data: bytes  # the line as written
    number: int | None  # the flight number a staged line must come back with


def row_file(cases: tuple[RowCase, ...] = ROW_CASES, year: int = ROW_YEAR) -> tuple[bytes, list[Expected]]:
    """One year file holding every row case, each after a good row, and what must become of
    each line (the header aside): good rows are expected staged like the STAGED cases."""
    lines: list[bytes] = [KAGGLE_HEADER.encode()]
    expected: list[Expected] = []
    number = 1

    def add(line: Line, case: str, outcome: str, flight: int | None) -> None:
        data = line if isinstance(line, bytes) else line.encode()
        lines.append(data)
        expected.append(Expected(len(lines), case, outcome, data, flight if outcome == STAGED else None))

    for case in cases:
        good_row = row(number, year)
        add(good_row, "good row", STAGED, number)
        base = row(number + 1, year)
        made = case.make(base)
        outcomes = case.outcome if isinstance(case.outcome, list) else [case.outcome]
        made_lines = made if isinstance(made, list) else [made]
        assert len(outcomes) == len(made_lines), case.kind
        first = len(lines) + 1
        for line, outcome in zip(made_lines, outcomes, strict=True):
            add(line, case.kind, outcome.format(first=first), number + 1)
        number += 2
    add(row(number, year), "good row", STAGED, number)
    return b"\n".join(lines) + b"\n", expected


# -- command cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandCase:
    """A command given something it cannot use: its exit code and the one line it answers with.

    `where` the command runs: "stack" with the session's embedded stack; "no stack" in a checkout
    whose stack was never started, with stray AWS credentials in the environment; "outside" in a
    folder outside any checkout. `files` are written to the case's folder first, `stdin` is what
    standard input holds. In argv and `says`, {dir} is the case's folder, {state} the stack's
    state directory, {checkout} the checkout of the flightlake under test.
    """

    kind: str
    argv: tuple[str, ...]
    code: int  # 2: bad usage or input; 1: the environment; 0: it works (it used to fail)
    says: str  # exit 1 or 2: the whole of stderr's last line; exit 0: a part of stdout
    where: str = "stack"
    stdin: bytes | None = None
    files: tuple[tuple[str, bytes], ...] = ()


def nested(depth: int) -> str:
    """A query of `depth` subqueries, each selecting from the next."""
    query = "select 1"
    for _ in range(depth):
        query = f"select * from ({query})"
    return query


_QUERY_FILE = (("q.sql", b"select 1\xff"),)
_NO_STACK = "flightlake: no embedded stack has been started here ({state} holds none): run `flightlake up` (or pass `--env NAME` for AWS)"
_OUTSIDE = (
    "flightlake: {dir} is not inside a flightlake checkout (no dags/flights_etl.py here or above), so it has no "
    "stack. Fix: cd {checkout}, the checkout of this flightlake, or another; or set FLIGHTLAKE_STATE_DIR to the "
    "stack's state directory."
)
_TOO_DEEP = (
    "flightlake sql: the query nests subqueries too deeply to be read (a few hundred levels at most). Fix: name the "
    "inner queries with WITH and select from them"
)
_CANNOT_WRITE = "Fix: give a file in a folder you can write to"
COMMAND_CASES: tuple[CommandCase, ...] = (
    # sql: what the query text can be
    CommandCase("EXPLAIN /* comment */ ANALYZE", ("sql", "explain /* c */ analyze select 1"), 0, "1 rows in"),
    CommandCase("EXPLAIN with a comment before the query", ("sql", "explain -- why\n select 1"), 0, "physical_plan"),
    CommandCase("a query file with a 0xFF byte", ("sql", "--file", "{dir}/q.sql"), 2, "flightlake sql: --file {dir}/q.sql: byte 9 (0xff) is not UTF-8 text. Fix: save the query as UTF-8", files=_QUERY_FILE),
    CommandCase("a 0xFF byte on standard input", ("sql",), 2, "flightlake sql: standard input: byte 9 (0xff) is not UTF-8 text. Fix: save the query as UTF-8", stdin=b"select 1\xff"),
    CommandCase("an argument that is not UTF-8", ("sql", "select 1\udcff"), 2, "flightlake sql: the query holds bytes that are not UTF-8 text (at character 9). Fix: write the query in UTF-8"),
    CommandCase("400 nested subqueries", ("sql", nested(400)), 0, "1 rows in"),
    CommandCase("600 nested subqueries", ("sql", nested(600)), 2, _TOO_DEEP),
    CommandCase("1,100 nested subqueries (past DuckDB's own limit)", ("sql", nested(1100)), 2, _TOO_DEEP),
    CommandCase("a value that does not convert, after 150,000 good rows", ("sql", "select cast(case when i > 150000 then 'x' else '1' end as int) from range(300000) t(i)"), 2, "flightlake sql: query failed: Could not convert string 'x' to INT32"),
    # sql: where the result goes
    CommandCase("--output under /proc", ("sql", "select 1", "--output", "/proc/x.csv"), 2, f"flightlake sql: --output /proc/x.csv: cannot write it there (No such file or directory). {_CANNOT_WRITE}"),
    CommandCase("--output inside a file", ("sql", "select 1", "--output", "{dir}/q.sql/x.csv"), 2, f"flightlake sql: --output {{dir}}/q.sql/x.csv: cannot write it there ({{dir}}/q.sql is a file, not a folder). {_CANNOT_WRITE}", files=_QUERY_FILE),
    CommandCase("--output .xlsx, said before the query runs", ("sql", "select * from no.such_table", "--output", "{dir}/x.xlsx"), 2, "flightlake sql: --output {dir}/x.xlsx: the extension says the format; use one of .csv, .json, .parquet"),
    # no stack environment: never real AWS with stray credentials
    CommandCase("ingest with no stack", ("ingest", "{dir}/2013.csv"), 1, _NO_STACK, where="no stack"),
    CommandCase("sql with no stack", ("sql", "select 1"), 1, _NO_STACK, where="no stack"),
    # outside any checkout: said, nothing built
    CommandCase("status outside a checkout", ("status",), 1, _OUTSIDE, where="outside"),
    CommandCase("backfill outside a checkout", ("backfill", "--years", "2013"), 1, _OUTSIDE, where="outside"),
    CommandCase("run outside a checkout", ("run", "--years", "2013", "--generate", "1000"), 1, _OUTSIDE, where="outside"),
    CommandCase("up outside a checkout", ("up",), 1, _OUTSIDE, where="outside"),
    CommandCase("down outside a checkout", ("down",), 1, _OUTSIDE, where="outside"),
    CommandCase("env outside a checkout", ("env",), 1, _OUTSIDE, where="outside"),
    CommandCase("ingest outside a checkout", ("ingest", "{dir}/2013.csv"), 1, _OUTSIDE, where="outside"),
    CommandCase("sql outside a checkout", ("sql", "select 1"), 1, _OUTSIDE, where="outside"),
    # run's data
    CommandCase("run --data with --seed", ("run", "--data", "{dir}", "--seed", "3", "--years", "2013"), 2, "flightlake run: error: --seed is for generated data; --data runs on your files", where="no stack"),
)  # fmt: skip
