"""What `flightlake ingest` is given, expanded into year files: plain or compressed files, the
members of a zip, and folders of either.

One naming rule decides what a year file is, wherever it comes from (`raw_contract.NAME_RULE`:
the name ends in .csv, .csv.gz or .csv.bz2 and holds one year of 2009-2018). A path given
directly that breaks it is refused: it was asked for by name. A folder entry or a zip member that
breaks it is skipped and reported, never silently ignored: a folder may well hold other files (a
README, the generator's anomalies.csv). A .csv.gz or .csv.bz2 is read decompressed, so it is
checked, and uploaded, as the CSV it holds.

Only regular files are read: a FIFO, a socket or a device (`/dev/zero` behind a symlink) is
refused by name before anything opens it, and files are opened without blocking, so that a pipe
put there in between is refused too instead of waiting forever for a writer. Each year file
knows the file on disk it is read from (`Candidate.source`), so that ingest can tell when that
file changes while it is read.
"""

from __future__ import annotations

import bz2
import gzip
import io
import os
import stat
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flightlake.lake.raw_contract import NAME_RULE, ContractViolation, year_file_year

Opener = Callable[[], IO[bytes]]
Version = tuple[int, int, int, int]  # (device, inode, size, mtime in ns) of a file on disk
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
    source: Path  # the file on disk its bytes come from (the zip, for a member)
    container: str | None = None  # the zip it came from
    compression: str | None = None  # "gzip" or "bzip2"

    def notes(self) -> list[str]:
        return [f"{self.compression}-compressed: checked and uploaded decompressed"] if self.compression else []

    def version(self) -> Version:
        """What changes when the source is written to or replaced."""
        info = os.stat(self.source)
        return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


@dataclass
class IngestResult:
    name: str
    status: str  # uploaded | unchanged | refused | skipped
    year: int | None = None
    rows: int = 0
    key: str | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # a refusal's message: the file, the problem, the fix


_NOT_REGULAR = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_regular(name: str, mode: int) -> ContractViolation | None:
    """The refusal of a path that is no regular file (reading a FIFO would wait forever)."""
    what = next((what for test, what in _NOT_REGULAR if test(mode)), None)
    if what is None:
        return None
    return ContractViolation(
        name,
        f"it is {what}, not a regular file: ingest reads files, and checks every byte before uploading them",
        "save the data to a regular file (e.g. 2013.csv) and ingest that",
    )


def open_regular(path: Path, name: str) -> IO[bytes]:
    """`path` opened for reading, or a ContractViolation if it is not a regular file. Opened
    without blocking, so that a FIFO is refused instead of waiting for a writer."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        refusal = not_regular(name, os.fstat(fd).st_mode)
        if refusal is not None:
            raise refusal
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


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
        archive = zipfile.ZipFile(open_regular(path, path.name))
        return _Reader(archive.open(member), archive, archive.fp)

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


def _candidate(
    name: str, year: int, size: int, opener: Opener, source: Path, container: str | None = None
) -> Candidate:
    opener, compression = _decompressing(name, opener)
    return Candidate(name, year, size, opener, source, container, compression)


def _plain(path: Path, name: str, year: int) -> Candidate:
    return _candidate(name, year, path.stat().st_size, lambda: open_regular(path, name), path)


def _skipped(name: str, reason: str) -> IngestResult:
    return IngestResult(name, "skipped", notes=[reason])


def _zip_members(path: Path) -> Iterator[Candidate | IngestResult]:
    with open_regular(path, str(path)) as raw, zipfile.ZipFile(raw) as archive:
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
        yield _candidate(name, year, info.file_size, _member_opener(path, info.filename), path, container=str(path))


def _folder(path: Path) -> Iterator[Candidate | IngestResult]:
    """A folder's year files and zips; every other entry comes back as skipped, with why."""
    entries = sorted(path.iterdir())
    taken = 0
    for entry in entries:
        refusal = not_regular(entry.name, entry.stat().st_mode) if entry.exists() else None
        if entry.is_dir():
            yield _skipped(entry.name, "a folder inside a folder: give it to ingest itself to bring its files in")
        elif refusal is not None and _wanted(entry.name):
            taken += 1
            yield IngestResult(entry.name, "refused", _year_or_none(entry.name), error=str(refusal))
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
            yield _plain(entry, entry.name, year)
    if not taken:
        yield IngestResult(str(path), "refused", error=f"{path}: holds no year file or zip. Fix: {NAME_RULE}.")


def candidates(paths: list[Path], years: Collection[int] | None = None) -> Iterator[Candidate | IngestResult]:
    """Expand paths into year files; what cannot be used comes back as a refused or skipped
    result. With `years`, files of other years are skipped (and not read at all)."""
    for item in _expand(paths):
        if isinstance(item, Candidate) and years is not None and item.year not in years:
            item = _skipped(item.name, f"a {item.year} file; the years asked for are {', '.join(map(str, years))}")
        yield item


def _wanted(name: str) -> bool:
    """A folder entry ingest would read: a zip, or a name that holds a year file."""
    return name.lower().endswith(".zip") or _year_or_none(name) is not None


def _year_or_none(name: str) -> int | None:
    try:
        return year_file_year(name)
    except ContractViolation:
        return None


def _expand(paths: list[Path]) -> Iterator[Candidate | IngestResult]:
    for path in paths:
        refusal = not_regular(str(path), path.stat().st_mode) if path.exists() else None
        if path.is_dir():
            yield from _folder(path)
        elif not path.exists():
            yield IngestResult(str(path), "refused", error=f"{path}: no such file or folder. Fix: check the path.")
        elif refusal is not None:
            yield IngestResult(str(path), "refused", _year_or_none(path.name), error=str(refusal))
        elif path.suffix.lower() == ".zip":
            try:
                yield from _zip_members(path)
            except zipfile.BadZipFile:
                yield IngestResult(
                    str(path), "refused", error=f"{path}: not a readable zip file. Fix: download it again."
                )
            except ContractViolation as violation:  # became a FIFO since it was looked at
                yield IngestResult(str(path), "refused", error=str(violation))
        else:
            try:
                year = year_file_year(path.name)
            except ContractViolation as violation:
                yield IngestResult(path.name, "refused", error=str(violation))
                continue
            yield _plain(path, path.name, year)
