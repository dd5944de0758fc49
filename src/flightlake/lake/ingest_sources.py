"""What `flightlake ingest` is given, expanded into year files: plain or compressed files, the
members of a zip, and folders of either.

One naming rule decides what a year file is, wherever it comes from (`raw_contract.NAME_RULE`:
the name ends in .csv, .csv.gz or .csv.bz2 and holds one year of 2009-2018). A path given
directly that breaks it is refused: it was asked for by name. A folder entry or a zip member that
breaks it is skipped and reported, never silently ignored: a folder may well hold other files (a
README, the generator's anomalies.csv). A .csv.gz or .csv.bz2 is read decompressed, so it is
checked, and uploaded, as the CSV it holds.
"""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flightlake.lake.raw_contract import NAME_RULE, ContractViolation, year_file_year

Opener = Callable[[], IO[bytes]]
_DECOMPRESSORS: dict[str, tuple[str, Callable[[IO[bytes]], IO[bytes]]]] = {
    ".gz": ("gzip", lambda raw: gzip.GzipFile(fileobj=raw, mode="rb")),
    ".bz2": ("bzip2", lambda raw: bz2.BZ2File(raw, "rb")),
}


@dataclass
class Candidate:
    """One year file to ingest: a plain file, a compressed one, or a member of a zip."""

    name: str
    year: int
    size: int  # bytes on disk (compressed, for a .csv.gz): what progress is measured against
    open: Opener  # the CSV bytes, decompressed
    container: str | None = None  # the zip it came from
    compression: str | None = None  # "gzip" or "bzip2"

    def notes(self) -> list[str]:
        return [f"{self.compression}-compressed: checked and uploaded decompressed"] if self.compression else []


@dataclass
class IngestResult:
    name: str
    status: str  # uploaded | unchanged | refused | skipped
    year: int | None = None
    rows: int = 0
    key: str | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # a refusal's message: the file, the problem, the fix


class _Reader(io.RawIOBase):
    """Reads `stream`; closing it also closes what the stream was opened from (`owners`), which
    ZipExtFile, GzipFile and BZ2File each leave open."""

    def __init__(self, stream: IO[bytes], *owners: Any) -> None:
        super().__init__()
        self._stream, self._owners = stream, owners

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        for owner in self._owners:
            owner.close()
        super().close()


def _member_opener(path: Path, member: str) -> Opener:
    def open_member() -> IO[bytes]:
        archive = zipfile.ZipFile(path)
        return _Reader(archive.open(member), archive)

    return open_member


def _decompressing(name: str, opener: Opener) -> tuple[Opener, str | None]:
    """`opener` wrapped to decompress when `name` ends in .gz or .bz2, and the compression's name."""
    found = _DECOMPRESSORS.get(Path(name).suffix.lower())
    if found is None:
        return opener, None
    compression, decompress = found

    def open_decompressed() -> IO[bytes]:
        raw = opener()
        return _Reader(decompress(raw), raw)

    return open_decompressed, compression


def _candidate(name: str, year: int, size: int, opener: Opener, container: str | None = None) -> Candidate:
    opener, compression = _decompressing(name, opener)
    return Candidate(name, year, size, opener, container, compression)


def _skipped(name: str, reason: str) -> IngestResult:
    return IngestResult(name, "skipped", notes=[f"skipped: {reason}"])


def _zip_members(path: Path) -> Iterator[Candidate | IngestResult]:
    with zipfile.ZipFile(path) as archive:
        infos = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
    if not infos:
        yield IngestResult(str(path), "refused", error=f"{path}: the zip is empty. Fix: download it again.")
    for info in infos:
        name = f"{path.name}:{info.filename}"
        try:
            year = year_file_year(name, info.filename)
        except ContractViolation as violation:
            yield _skipped(name, f"{violation.problem}: not a year file")
            continue
        yield _candidate(name, year, info.file_size, _member_opener(path, info.filename), container=str(path))


def _folder(path: Path) -> Iterator[Candidate | IngestResult]:
    """A folder's year files and zips; every other entry comes back as skipped, with why."""
    entries = sorted(path.iterdir())
    taken = 0
    for entry in entries:
        if entry.is_dir():
            yield _skipped(entry.name, "a folder inside a folder: give it to ingest itself to bring its files in")
        elif entry.suffix.lower() == ".zip":
            taken += 1
            yield from _expand([entry])
        else:
            try:
                year = year_file_year(entry.name)
            except ContractViolation as violation:
                yield _skipped(entry.name, f"{violation.problem}: not a year file")
                continue
            taken += 1
            yield _candidate(entry.name, year, entry.stat().st_size, lambda p=entry: p.open("rb"))
    if not taken:
        yield IngestResult(str(path), "refused", error=f"{path}: holds no year file or zip. Fix: {NAME_RULE}.")


def candidates(paths: list[Path], years: Collection[int] | None = None) -> Iterator[Candidate | IngestResult]:
    """Expand paths into year files; what cannot be used comes back as a refused or skipped
    result. With `years`, files of other years are skipped (and not read at all)."""
    for item in _expand(paths):
        if isinstance(item, Candidate) and years is not None and item.year not in years:
            item = _skipped(item.name, f"a {item.year} file; the years asked for are {', '.join(map(str, years))}")
        yield item


def _expand(paths: list[Path]) -> Iterator[Candidate | IngestResult]:
    for path in paths:
        if path.is_dir():
            yield from _folder(path)
        elif not path.exists():
            yield IngestResult(str(path), "refused", error=f"{path}: no such file or folder. Fix: check the path.")
        elif path.suffix.lower() == ".zip":
            try:
                yield from _zip_members(path)
            except zipfile.BadZipFile:
                yield IngestResult(
                    str(path), "refused", error=f"{path}: not a readable zip file. Fix: download it again."
                )
        else:
            try:
                year = year_file_year(path.name)
            except ContractViolation as violation:
                yield IngestResult(path.name, "refused", error=str(violation))
                continue
            yield _candidate(path.name, year, path.stat().st_size, lambda p=path: p.open("rb"))
