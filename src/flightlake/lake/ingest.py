"""Bring year files into the raw zone: check the contract, upload, publish the year.

Accepts CSV files, the Kaggle zip (one CSV per year inside), or directories holding either.
Every file is checked completely before anything is uploaded; a zip is all-or-nothing. An upload
is a single PUT or a multipart upload that S3 only shows once complete, so a refused or failed
file leaves nothing half-written. The sha256 of the bytes is stored as object metadata: the same
bytes are never uploaded twice.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flightlake.lake.aws import client, object_exists
from flightlake.lake.publish import publish_partition
from flightlake.lake.raw_contract import ContractReport, ContractViolation, check_stream, read_chunks
from flightlake.lake.tables import RAW_FLIGHTS, raw_object_key
from flightlake.settings import Settings

MULTIPART_BYTES = 64 * 1024 * 1024
CONTRACT_VERSION = "kaggle-airline-delays-v1"
Progress = Callable[[str, int, int], None]  # (label, bytes done, bytes total)


@dataclass
class Candidate:
    """One year file to ingest: a plain file or a member of a zip."""

    name: str
    size: int
    open: Callable[[], IO[bytes]]
    container: str | None = None  # the zip it came from


@dataclass
class IngestResult:
    name: str
    status: str  # uploaded | unchanged | refused
    year: int | None = None
    rows: int = 0
    key: str | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None


class _ZipMember(io.RawIOBase):
    """A zip member opened for reading that also closes its archive (ZipExtFile does not)."""

    def __init__(self, path: Path, member: str) -> None:
        super().__init__()
        self._archive = zipfile.ZipFile(path)
        self._stream = self._archive.open(member)

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
        self._archive.close()
        super().close()


def _zip_members(path: Path) -> list[Candidate]:
    with zipfile.ZipFile(path) as archive:
        infos = [
            info
            for info in archive.infolist()
            if info.filename.lower().endswith(".csv") and not info.is_dir() and "__MACOSX" not in info.filename
        ]

    def opener(member: str) -> Callable[[], IO[bytes]]:
        return lambda: _ZipMember(path, member)

    return [
        Candidate(f"{path.name}:{info.filename}", info.file_size, opener(info.filename), container=str(path))
        for info in infos
    ]


def candidates(paths: list[Path]) -> Iterator[Candidate | IngestResult]:
    """Expand paths into year files; a path that cannot be used comes back as a refused result."""
    for path in paths:
        if path.is_dir():
            inner = sorted(p for p in path.iterdir() if p.suffix.lower() == ".zip" or _looks_like_year_file(p))
            if not inner:
                yield IngestResult(str(path), "refused", error=f"{path}: no YYYY.csv or .zip files in it")
            yield from candidates(inner)
        elif not path.exists():
            yield IngestResult(str(path), "refused", error=f"{path}: no such file")
        elif path.suffix.lower() == ".zip":
            try:
                members = _zip_members(path)
            except zipfile.BadZipFile:
                yield IngestResult(
                    str(path), "refused", error=f"{path}: not a readable zip file. Fix: download it again."
                )
                continue
            if not members:
                yield IngestResult(str(path), "refused", error=f"{path}: the zip holds no .csv file")
            yield from members
        else:
            yield Candidate(path.name, path.stat().st_size, lambda p=path: p.open("rb"))


def _looks_like_year_file(path: Path) -> bool:
    return path.suffix.lower() == ".csv" and path.stem.isdigit() and len(path.stem) == 4


def check(candidate: Candidate, progress: Progress | None = None) -> ContractReport:
    with candidate.open() as stream:
        done = 0

        def counted() -> Iterator[bytes]:
            nonlocal done
            for chunk in read_chunks(stream):
                done += len(chunk)
                if progress:
                    progress(f"checking {candidate.name}", done, candidate.size)
                yield chunk

        return check_stream(counted(), candidate.name)


def _metadata(report: ContractReport, candidate: Candidate) -> dict[str, str]:
    return {
        "sha256": report.sha256,
        "source-name": candidate.name[-200:],
        "data-rows": str(report.data_rows),
        "contract": CONTRACT_VERSION,
        "line-ending": "crlf" if report.crlf else "lf",
    }


def upload(
    settings: Settings, candidate: Candidate, report: ContractReport, progress: Progress | None = None
) -> IngestResult:
    """Upload one checked file unless the same bytes are already there; register the partition."""
    from boto3.s3.transfer import TransferConfig

    started = time.monotonic()
    s3 = client("s3", settings)
    bucket, key = RAW_FLIGHTS.bucket(settings), raw_object_key(settings, report.year)
    result = IngestResult(candidate.name, "unchanged", report.year, report.data_rows, key, report.notes())
    existing = object_exists(s3, bucket, key)
    if existing is None or existing.get("Metadata", {}).get("sha256") != report.sha256:
        sent = 0

        def callback(amount: int) -> None:
            nonlocal sent
            sent += amount
            if progress:
                progress(f"uploading {candidate.name}", sent, report.size)

        config = TransferConfig(
            multipart_threshold=MULTIPART_BYTES, multipart_chunksize=MULTIPART_BYTES, max_concurrency=4
        )
        with candidate.open() as stream:
            s3.upload_fileobj(
                stream,
                bucket,
                key,
                ExtraArgs={"Metadata": _metadata(report, candidate), "ContentType": "text/csv"},
                Config=config,
                Callback=callback,
            )
        result.status = "uploaded"
    figures = {"sha256": report.sha256, "data_rows": report.data_rows, "size": report.size, "source": candidate.name}
    publish_partition(settings, RAW_FLIGHTS, report.year, "ingest", started, figures)
    return result


def ingest(settings: Settings, paths: list[Path], progress: Progress | None = None) -> list[IngestResult]:
    """Check everything first, then upload what passed; results in input order."""
    results: list[IngestResult] = []
    accepted: list[tuple[Candidate, ContractReport]] = []
    refused_zips: dict[str, list[str]] = {}
    for item in candidates(paths):
        if isinstance(item, IngestResult):
            results.append(item)
            continue
        try:
            report = check(item, progress)
        except ContractViolation as violation:
            results.append(IngestResult(item.name, "refused", error=str(violation)))
            if item.container:
                refused_zips.setdefault(item.container, []).append(item.name)
            continue
        accepted.append((item, report))

    seen_years: dict[int, str] = {}
    for item, report in accepted:
        if item.container in refused_zips:
            bad = ", ".join(refused_zips[item.container])
            results.append(
                IngestResult(
                    item.name,
                    "refused",
                    report.year,
                    error=f"{item.name}: not uploaded because {bad} in the same zip was refused",
                )
            )
            continue
        if report.year in seen_years:
            results.append(
                IngestResult(
                    item.name,
                    "refused",
                    report.year,
                    error=f"{item.name}: {seen_years[report.year]} is also a {report.year} file. "
                    "Fix: ingest one file per year.",
                )
            )
            continue
        seen_years[report.year] = item.name
        results.append(upload(settings, item, report, progress))
    return results


def raw_status(settings: Settings, year: int) -> dict[str, Any] | None:
    """The raw object of a year (head_object answer), or None."""
    return object_exists(client("s3", settings), RAW_FLIGHTS.bucket(settings), raw_object_key(settings, year))
