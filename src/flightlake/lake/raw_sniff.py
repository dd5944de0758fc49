"""What a file that is not a Kaggle CSV is instead, in words a person can act on.

The raw contract (`raw_contract`) knows that a file is wrong; this module says what it is: a
compressed file (gzip, zip, bzip2, xz or zstd magic bytes), text in another encoding (UTF-16 or
UTF-32, with or without a byte-order mark; NUL bytes), binary data (random bytes, an image: the
control characters no text holds), an HTML page saved instead of the download,
lines ending in CR only, columns separated by something other than commas, quoted or re-cased
column names, a missing header line, dates written another way than YYYY-MM-DD. Each diagnosis is
a `(problem, fix)` pair for a `ContractViolation`. Whatever is quoted back from the file goes
through `excerpt`, so a 10 MB line never becomes a 10 MB message.

Standard library only: `check_raw` runs this inside the DAG, on MWAA too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import PurePath

from flightlake.lake.schemas import KAGGLE_COLUMNS, KAGGLE_HEADER

EXCERPT = 200  # characters of the file quoted back in a message, at most
Diagnosis = tuple[str, str]  # (problem, fix)

_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x1f\x8b", "gzip-compressed", "gunzip it, or name it {stem}.csv.gz: ingest decompresses .csv.gz files"),
    (b"PK\x03\x04", "a zip archive", "name it {stem}.zip: ingest reads the .csv files inside a zip"),
    (b"PK\x05\x06", "an empty zip archive", "download the year file again"),
    (b"BZh", "bzip2-compressed", "bunzip2 it, or name it {stem}.csv.bz2: ingest decompresses .csv.bz2 files"),
    (b"\xfd7zXZ\x00", "xz-compressed", "unxz it"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "unzstd it"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (  # UTF-32 first: its little-endian BOM starts like UTF-16's
    (b"\xff\xfe\x00\x00", "UTF-32LE"),
    (b"\x00\x00\xfe\xff", "UTF-32BE"),
    (b"\xff\xfe", "UTF-16LE"),
    (b"\xfe\xff", "UTF-16BE"),
)
_DELIMITERS = {";": "semicolons (';')", "\t": "tabs", "|": "vertical bars ('|')"}
_A_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{8}")
# Shapes of FL_DATE values, most specific first; the Kaggle one is YYYY-MM-DD.
_DATE_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), label)
    for pattern, label in (
        (r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD"),
        (r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}.*", "YYYY-MM-DD HH:MM:SS"),
        (r"\d{4}-\d{1,2}-\d{1,2}", "YYYY-M-D"),
        (r"\d{1,2}/\d{1,2}/\d{4}", "MM/DD/YYYY"),
        (r"\d{1,2}/\d{1,2}/\d{2}", "MM/DD/YY"),
        (r"\d{4}/\d{1,2}/\d{1,2}", "YYYY/MM/DD"),
        (r"\d{1,2}\.\d{1,2}\.\d{4}", "DD.MM.YYYY"),
        (r"\d{1,2}-\d{1,2}-\d{4}", "MM-DD-YYYY"),
        (r"\d{8}", "YYYYMMDD"),
    )
)
ISO_DATE = "YYYY-MM-DD"


def excerpt(data: bytes | str, limit: int = EXCERPT, size: int | None = None) -> str:
    """At most `limit` characters of `data`, quoted, saying how much was left out. `size` is the
    length of the whole when `data` is already only its start (a line kept up to a cap)."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    if size is not None and size > len(data):
        return f"{text[:limit]!r}… ({size:,} bytes in all)"
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text) - limit:,} more characters)"


def _stem(name: str) -> str:
    return PurePath(name).name.split(".")[0] or "YYYY"


def compression(name: str, start: bytes) -> Diagnosis | None:
    """A compressed file or archive, recognised by its magic bytes whatever its name says."""
    for magic, what, fix in _MAGIC:
        if start.startswith(magic) and (
            magic != b"BZh" or start[3:10] in {f"{d}1AY&SY".encode() for d in range(1, 10)}
        ):
            return f"the file is {what}, not CSV text", fix.format(stem=_stem(name))
    return None


def encoding(name: str, start: bytes) -> Diagnosis | None:
    """UTF-16 or UTF-32 text (with or without a byte-order mark), or NUL bytes in the header."""
    found = next((enc for bom, enc in _BOMS if start.startswith(bom)), None)
    if found:
        what, source = f"{found[:6]} text with a byte-order mark", found[:6]
    else:
        if b"\x00" not in start.split(b"\n", 1)[0][:400]:  # NUL bytes in rows are the rows' problem
            return None
        found = _utf16_or_32(start[:400])
        if found is None:
            return "its header line holds NUL bytes: binary data, not CSV text", "download the year file again"
        what, source = f"{found} text without a byte-order mark", found
    base = PurePath(name).name
    return f"the file is {what}, not UTF-8", f"convert it to UTF-8: iconv -f {source} -t UTF-8 {base} > utf8/{base}"


def _utf16_or_32(sample: bytes) -> str | None:
    """Which wide encoding ASCII text in `sample` is in, from where its zero bytes fall."""
    for width, name in ((4, "UTF-32"), (2, "UTF-16")):
        usable = sample[: len(sample) // width * width]
        if len(usable) < 2 * width:
            continue
        lanes = [usable[i::width] for i in range(width)]
        zero = [not lane.strip(b"\x00") for lane in lanes]
        if zero[1:] == [True] * (width - 1) and not zero[0]:
            return f"{name}LE"
        if zero[:-1] == [True] * (width - 1) and not zero[-1]:
            return f"{name}BE"
    return None


BINARY_SAMPLE = 4096  # bytes looked at for binary data
_NOT_BINARY = frozenset(b"\t\n\r\x00")  # NUL bytes are `encoding`'s: UTF-16 and UTF-32 text has them


def binary(name: str, start: bytes) -> Diagnosis | None:
    """Binary data: control characters other than tab, CR, LF (and NUL, see `encoding`), which
    text does not hold and random bytes hold one in ten. One stray control character in a CSV is
    a row's problem (rejected with its line); several in the first 4 KB are no text at all."""
    sample = start[:BINARY_SAMPLE]
    controls = sum(1 for byte in sample if (byte < 32 and byte not in _NOT_BINARY) or byte == 127)
    if controls < max(4, len(sample) // 100):
        return None
    return (
        "the file is binary data, not CSV text (it holds control characters that no text file has)",
        "download the year file again: the Kaggle files are plain CSV text",
    )


def not_text(name: str, start: bytes) -> Diagnosis | None:
    """An HTML page (a login or error page saved instead of the download), or CR-only lines."""
    lead = start[:200].lstrip().lower()
    if lead.startswith((b"<!doctype html", b"<html", b"<?xml")):
        return (
            "the file is an HTML or XML page, not CSV (an error or login page saved instead of the data?)",
            "download the year file again",
        )
    first_line = start.split(b"\n", 1)[0].rstrip(b"\r")
    if b"\r" in first_line:
        base = PurePath(name).name
        return (
            "its lines end with a carriage return only (CR, the old Mac convention), so it reads as one long line",
            f"convert the line endings to LF: tr '\\r' '\\n' < {base} > lf/{base}",
        )
    return None


def header_shape(header: str) -> Diagnosis | None:
    """What a header that is not the Kaggle one looks like, when it is one of the known shapes."""
    if header.count(",") < 5:
        for delimiter, named in _DELIMITERS.items():
            if header.count(delimiter) >= 5:
                return (
                    f"its columns are separated by {named}, not commas",
                    "export it again with commas between the columns, as the Kaggle files have them",
                )
    if '"' in header and header.replace('"', "") == KAGGLE_HEADER:
        return "its column names are in double quotes", "remove the quotes: the Kaggle files quote nothing"
    fields = header.split(",")
    if len(fields) == len(KAGGLE_COLUMNS) and _A_DATE.fullmatch(fields[0].strip()):
        return (
            "its first line is a flight row, not the header: the header line is missing",
            f"put the Kaggle header line ({KAGGLE_COLUMNS[0]},{KAGGLE_COLUMNS[1]},…,{KAGGLE_COLUMNS[-1]}) first",
        )
    if [f.strip() for f in fields] == list(KAGGLE_COLUMNS):
        return "its column names have spaces around them", "remove the spaces: the Kaggle header has none"
    if [f.strip().lower() for f in fields] == [c.lower() for c in KAGGLE_COLUMNS]:
        return (
            "its column names are spelt in another case (e.g. 'fl_date')",
            f"spell them as the Kaggle header does ({KAGGLE_COLUMNS[0]}, {KAGGLE_COLUMNS[1]}, …)",
        )
    return None


def date_shape(values: Iterable[str]) -> tuple[str, str] | None:
    """The most common shape of sampled FL_DATE values and one example, or None if none has a
    date shape. MM/DD becomes DD/MM when a first number is above 12."""
    shapes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for value in values:
        for pattern, label in _DATE_SHAPES:
            if pattern.fullmatch(value):
                if label == "MM/DD/YYYY" and int(value.split("/")[0]) > 12:
                    label = "DD/MM/YYYY"
                shapes[label] += 1
                examples.setdefault(label, value)
                break
    if not shapes:
        return None
    label = shapes.most_common(1)[0][0]
    return label, examples[label]


def date_format(values: Iterable[str], year: int) -> Diagnosis | None:
    """FL_DATE values written another way than YYYY-MM-DD, with the fix; None if they are ISO."""
    shape = date_shape(values)
    if shape is None or shape[0] == ISO_DATE:
        return None
    label, example = shape
    return (
        f"FL_DATE values look like {label} (e.g. {excerpt(example, 40)}), not YYYY-MM-DD",
        f"convert them to YYYY-MM-DD ({year}-01-05 for 5 January {year}), the format of the Kaggle files",
    )
