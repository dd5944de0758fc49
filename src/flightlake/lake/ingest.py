"""Bring year files into the raw zone: check the contract, upload, publish the year.

Accepts CSV files (also .csv.gz and .csv.bz2, read decompressed), the Kaggle zip (one CSV per year
inside), or folders holding either; `ingest_sources` expands them by one naming rule. A file is
checked completely before its upload completes, and a zip is all-or-nothing: its members are
uploaded once all of them passed. An upload is a single PUT or a multipart upload that S3 only
shows once complete, so a refused or failed file leaves the lake's object as it was.

What the lake stores is provably what was checked (`raw_upload`): the check's own bytes for a
file of one part, a second read proven identical part by part for a bigger one, ETags compared
with what was sent; the object's metadata records its sha256 and ETag. The same bytes are never
uploaded twice: "unchanged" compares the lake's ETag, computed from what it holds, with the
file's. A file that changes on disk while it is read is refused, and so is every upload once the
lake's disk is full, saying which disk and how much to free.
"""

from __future__ import annotations

import time
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import IO

from flightlake.lake.aws import client, object_exists
from flightlake.lake.ingest_sources import Candidate, IngestResult, Version, candidates
from flightlake.lake.publish import publish_partition
from flightlake.lake.raw_contract import ContractReport, ContractViolation, check_stream, read_chunks
from flightlake.lake.raw_sniff import excerpt
from flightlake.lake.raw_upload import (
    CHANGED,
    PART_BYTES,
    Fingerprint,
    UploadRefused,
    content_sha256,
    etag_of,
    put_multipart,
    put_single,
)
from flightlake.lake.tables import RAW_FLIGHTS, raw_object_key
from flightlake.settings import Settings

__all__ = ["CONTRACT_VERSION", "Candidate", "IngestResult", "check", "ingest"]

CONTRACT_VERSION = "kaggle-airline-delays-v1"
MB = 1024 * 1024
Progress = Callable[[str, int, int], None]  # (label, bytes done, bytes total)
_READ_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile)  # damaged archives and compressed files
FULL_DISK = 507  # what the emulator answers when the disk under its store is full


class Checked:
    """A file that passed the contract: its report, its parts as S3 will see them, and the
    version of its file on disk when the check began."""

    def __init__(self, candidate: Candidate, report: ContractReport, fingerprint: Fingerprint, version: Version):
        self.candidate, self.report, self.fingerprint, self.version = candidate, report, fingerprint, version


def check(candidate: Candidate, progress: Progress | None = None, keep: bool = False) -> Checked:
    """The whole file through the contract; a file that cannot even be read (a damaged .csv.gz,
    a zip member with a bad CRC) is a ContractViolation too, not a traceback. With `keep`, a
    file of one part keeps its bytes, for an upload from this very read."""
    done = 0
    fingerprint = Fingerprint(keep and candidate.size <= PART_BYTES)  # a bigger file is read again anyway
    version = candidate.version()

    def counted(stream: IO[bytes]) -> Iterator[bytes]:
        nonlocal done
        for chunk in read_chunks(stream):
            done += len(chunk)
            fingerprint.feed(chunk)
            if progress:  # a decompressed file outgrows its size on disk: the bar stays full
                progress(f"checking {candidate.name}", done, max(done, candidate.size))
            yield chunk

    try:
        with candidate.open() as stream:
            report = check_stream(counted(stream), candidate.name, candidate.year)
    except _READ_ERRORS as error:
        if candidate.compression:
            problem = f"its {candidate.compression} data is damaged or cut short"
            raise ContractViolation(
                candidate.name, f"{problem} ({excerpt(str(error), 100)})", "download it again"
            ) from error
        raise ContractViolation(
            candidate.name, f"it cannot be read ({excerpt(str(error), 100)})", "check the file, or download it again"
        ) from error
    fingerprint.finish()
    return Checked(candidate, report, fingerprint, version)


class _Batch:
    """One call of `ingest`: the lake it writes to and what the files so far decided."""

    def __init__(self, settings: Settings, progress: Progress | None) -> None:
        self.settings, self.progress = settings, progress
        self.s3 = client("s3", settings)
        self.bucket = RAW_FLIGHTS.bucket(settings)
        self.years: dict[int, str] = {}  # year -> the file that brought it
        self.full_disk: str | None = None  # once the lake's disk is full, why nothing more goes

    def store(self, checked: Checked) -> IngestResult:
        """Upload a checked file unless the lake holds the same bytes; register the partition."""
        candidate, report = checked.candidate, checked.report
        refused = self._refusal(checked)
        if refused:
            return IngestResult(candidate.name, "refused", report.year, error=refused)
        self.years[report.year] = candidate.name
        started = time.monotonic()
        key = raw_object_key(self.settings, report.year)
        result = IngestResult(candidate.name, "unchanged", report.year, report.data_rows, key, _notes(checked))
        try:
            if self._holds(key, checked):
                _still(checked)  # the lake has the bytes read, but they are not the file's any more
            else:
                self._upload(key, checked)  # refuses a changed file before the object is replaced
                result.status = "uploaded"
        except ContractViolation as changed:
            return IngestResult(candidate.name, "refused", report.year, error=str(changed))
        except UploadRefused as stopped:
            return IngestResult(candidate.name, "refused", report.year, error=_upload_refusal(candidate, stopped))
        except Exception as error:
            said = self._disk_full(candidate, checked, error)
            if said is None:
                raise
            return IngestResult(candidate.name, "refused", report.year, error=said)
        figures = {"sha256": report.sha256, "data_rows": report.data_rows, "size": report.size}
        figures["source"] = candidate.name
        try:
            publish_partition(self.settings, RAW_FLIGHTS, report.year, "ingest", started, figures)
        except Exception as error:
            said = _disk_full_message(error)
            if said is None:
                raise
            self.full_disk = f"{said}. Fix: free space there, then ingest the files again."
            error_text = (
                f"{candidate.name}: the lake holds it now, but could not register it: {said}. Fix: free space there, "
                "then ingest it again (its bytes are not sent twice)."
            )
            return IngestResult(candidate.name, "refused", report.year, error=error_text)
        return result

    def _refusal(self, checked: Checked) -> str | None:
        name, year = checked.candidate.name, checked.report.year
        if self.full_disk:
            return f"{name}: not uploaded: {self.full_disk}"
        if year in self.years:
            return f"{name}: {self.years[year]} is also a {year} file. Fix: ingest one file per year."
        return None

    def _holds(self, key: str, checked: Checked) -> bool:
        """Whether the lake's object has these very bytes (its ETag, computed by the lake) and
        metadata that says so."""
        head = object_exists(self.s3, self.bucket, key)
        if head is None or etag_of(head) != checked.fingerprint.etag:
            return False
        metadata = head.get("Metadata", {})
        return content_sha256(head) == checked.report.sha256 and metadata.get("contract") == CONTRACT_VERSION

    def _upload(self, key: str, checked: Checked) -> None:
        candidate, fingerprint, report = checked.candidate, checked.fingerprint, checked.report
        extra = {"Metadata": _metadata(checked), "ContentType": "text/csv"}
        sent = 0

        def progressed(amount: int) -> None:
            nonlocal sent
            sent += amount
            if self.progress:
                self.progress(f"uploading {candidate.name}", sent, report.size)

        if fingerprint.single:
            data = fingerprint.kept or _read_again(checked)
            _still(checked)
            put_single(self.s3, self.bucket, key, data, fingerprint, extra)
            progressed(len(data))
            return
        with candidate.open() as stream:
            put_multipart(
                self.s3, self.bucket, key, stream, fingerprint, report.sha256, extra, progressed,
                before_completing=lambda: _still(checked),
            )  # fmt: skip

    def _disk_full(self, candidate: Candidate, checked: Checked, error: Exception) -> str | None:
        """The refusal of an upload the lake's full disk stopped; None for any other error."""
        if _disk_full_message(error) is None or "StorePath" not in error.response["Error"]:  # type: ignore[attr-defined]
            return None
        details = error.response["Error"]  # type: ignore[attr-defined]
        size = checked.report.size
        needed = size if checked.fingerprint.single else 2 * size  # the parts, then the object they make
        free = int(details.get("FreeBytes") or 0)
        where = f"the disk holding the emulator's store ({details['StorePath']}) is full"
        self.full_disk = f"{where}. Fix: free space there, then ingest the files again."
        return (
            f"{candidate.name}: {where}: nothing was uploaded, and what the upload had stored is removed. Fix: free "
            f"{max(1, -(-(needed - free) // MB)):,} MB there (a {size / MB:,.1f} MB file takes "
            f"{needed / MB:,.1f} MB while its upload completes; {free / MB:,.1f} MB are free), then ingest it again."
        )


def _disk_full_message(error: Exception) -> str | None:
    """What the lake said, when its answer is that the disk under its store is full."""
    from botocore.exceptions import ClientError

    if not isinstance(error, ClientError):
        return None
    if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != FULL_DISK:
        return None
    return str(error.response.get("Error", {}).get("Message", "its disk is full"))


def _metadata(checked: Checked) -> dict[str, str]:
    report, candidate = checked.report, checked.candidate
    return {
        "sha256": report.sha256,
        "etag": checked.fingerprint.etag,  # with the sha256: they describe the object whose ETag this is
        "source-name": candidate.name[-200:],
        "data-rows": str(report.data_rows),
        "contract": CONTRACT_VERSION,
        "line-ending": "crlf" if report.crlf else "lf",
    }


def _notes(checked: Checked) -> list[str]:
    return checked.report.notes() + checked.candidate.notes()


def _read_again(checked: Checked) -> bytes:
    """A one-part file whose bytes were not kept (a zip member), read again: it must be the
    same bytes, or it changed while it was read."""
    with checked.candidate.open() as stream:
        data = stream.read(PART_BYTES + 1)
    again = Fingerprint(keep=False)
    again.feed(data)
    again.finish()
    if again.etag != checked.fingerprint.etag or again.size != checked.fingerprint.size:
        raise UploadRefused(CHANGED, "read again, it is not the bytes checked")
    return data


def _still(checked: Checked) -> None:
    """Refuse a file whose version on disk is not the one the check began with."""
    now = checked.candidate.version()
    if now == checked.version:
        return
    before = checked.version
    if now[:2] != before[:2]:
        how = "another file took its place"
    elif now[2] != before[2]:
        how = f"its size went from {before[2]:,} to {now[2]:,} bytes"
    else:
        how = "it was written to"
    raise ContractViolation(
        checked.candidate.name,
        f"it changed while it was read ({how}); nothing was uploaded",
        "ingest it again once nothing writes to it",
    )


def _upload_refusal(candidate: Candidate, stopped: UploadRefused) -> str:
    if stopped.kind == CHANGED:
        problem = f"it changed while it was read ({stopped.detail}); nothing was uploaded"
        return str(ContractViolation(candidate.name, problem, "ingest it again once nothing writes to it"))
    problem = f"the lake did not store the bytes that were sent ({stopped.detail})"
    fix = "ingest it again; if it happens again, the lake's storage is failing"
    return str(ContractViolation(candidate.name, problem, fix))


def ingest(
    settings: Settings, paths: list[Path], progress: Progress | None = None, years: Collection[int] | None = None
) -> list[IngestResult]:
    """Check each file and upload what passed; a zip's members once all of them passed. The
    results: what was skipped or refused by the check, in input order, then the rest. With
    `years`, files of other years are skipped unread (`flightlake run --data archive.zip --years 2013`)."""
    batch = _Batch(settings, progress)
    items = list(candidates(paths, years))
    refused: list[IngestResult] = []  # what was refused or skipped before an upload was tried
    stored: list[IngestResult] = []  # what went to the lake (or was refused on the way)
    done_zips: set[str] = set()
    for item in items:
        if isinstance(item, IngestResult):
            refused.append(item)
        elif item.container is None:
            result, by_the_lake = _one(batch, item)
            (stored if by_the_lake else refused).append(result)
        elif item.container not in done_zips:
            done_zips.add(item.container)
            members = [m for m in items if isinstance(m, Candidate) and m.container == item.container]
            early, late = _zip(batch, members)
            refused.extend(early)
            stored.extend(late)
    return refused + stored


def _one(batch: _Batch, candidate: Candidate) -> tuple[IngestResult, bool]:
    """The file's result, and whether the lake decided it (not the check)."""
    if batch.full_disk:
        error = f"{candidate.name}: not uploaded: {batch.full_disk}"
        return IngestResult(candidate.name, "refused", candidate.year, error=error), True
    try:
        checked = check(candidate, batch.progress, keep=True)
    except ContractViolation as violation:
        return IngestResult(candidate.name, "refused", candidate.year, error=str(violation)), False
    return batch.store(checked), True


def _zip(batch: _Batch, members: list[Candidate]) -> tuple[list[IngestResult], list[IngestResult]]:
    """The members refused by the check, then the others: all checked first, uploaded only if
    every one passed (a zip is all or nothing)."""
    refused: list[IngestResult] = []
    passed: list[Checked] = []
    for member in members:
        try:
            passed.append(check(member, batch.progress))
        except ContractViolation as violation:
            refused.append(IngestResult(member.name, "refused", member.year, error=str(violation)))
    if not refused:
        return [], [batch.store(checked) for checked in passed]
    bad = ", ".join(result.name for result in refused)
    return refused, [_not_uploaded(checked, bad) for checked in passed]


def _not_uploaded(checked: Checked, bad: str) -> IngestResult:
    name = checked.candidate.name
    error = (
        f"{name}: not uploaded because {bad} in the same zip was refused (a zip is all or nothing). "
        f"Fix: correct or remove {bad}, then ingest the zip again."
    )
    return IngestResult(name, "refused", checked.report.year, error=error)
