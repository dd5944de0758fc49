"""Bring year files into the raw zone: check the contract, upload, publish the year.

Accepts CSV files (also .csv.gz and .csv.bz2, read decompressed), the Kaggle zip (one CSV per year
inside), or folders holding either; `ingest_sources` expands them by one naming rule. Every file
is checked completely before anything is uploaded; a zip is all-or-nothing. An upload is a single
PUT or a multipart upload that S3 only shows once complete, so a refused or failed file leaves
nothing half-written. The sha256 of the bytes is stored as object metadata: the same bytes are
never uploaded twice.
"""

from __future__ import annotations

import time
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import IO

from flightlake.lake.aws import client, object_exists
from flightlake.lake.ingest_sources import Candidate, IngestResult, candidates
from flightlake.lake.publish import publish_partition
from flightlake.lake.raw_contract import ContractReport, ContractViolation, check_stream, read_chunks
from flightlake.lake.raw_sniff import excerpt
from flightlake.lake.tables import RAW_FLIGHTS, raw_object_key
from flightlake.settings import Settings

__all__ = ["CONTRACT_VERSION", "Candidate", "IngestResult", "check", "ingest", "upload"]

MULTIPART_BYTES = 64 * 1024 * 1024
CONTRACT_VERSION = "kaggle-airline-delays-v1"
Progress = Callable[[str, int, int], None]  # (label, bytes done, bytes total)
_READ_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile)  # damaged archives and compressed files


def check(candidate: Candidate, progress: Progress | None = None) -> ContractReport:
    """The whole file through the contract; a file that cannot even be read (a damaged .csv.gz,
    a zip member with a bad CRC) is a ContractViolation too, not a traceback."""
    done = 0

    def counted(stream: IO[bytes]) -> Iterator[bytes]:
        nonlocal done
        for chunk in read_chunks(stream):
            done += len(chunk)
            if progress:  # a decompressed file outgrows its size on disk: the bar stays full
                progress(f"checking {candidate.name}", done, max(done, candidate.size))
            yield chunk

    try:
        with candidate.open() as stream:
            return check_stream(counted(stream), candidate.name, candidate.year)
    except _READ_ERRORS as error:
        if candidate.compression:
            problem = f"its {candidate.compression} data is damaged or cut short"
            raise ContractViolation(
                candidate.name, f"{problem} ({excerpt(str(error), 100)})", "download it again"
            ) from error
        raise ContractViolation(
            candidate.name, f"it cannot be read ({excerpt(str(error), 100)})", "check the file, or download it again"
        ) from error


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
    notes = report.notes() + candidate.notes()
    result = IngestResult(candidate.name, "unchanged", report.year, report.data_rows, key, notes)
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


def ingest(
    settings: Settings, paths: list[Path], progress: Progress | None = None, years: Collection[int] | None = None
) -> list[IngestResult]:
    """Check everything first, then upload what passed; results in input order. With `years`,
    files of other years are skipped unread (`flightlake run --data archive.zip --years 2013`)."""
    results: list[IngestResult] = []
    accepted: list[tuple[Candidate, ContractReport]] = []
    refused_zips: dict[str, list[str]] = {}
    for item in candidates(paths, years):
        if isinstance(item, IngestResult):
            results.append(item)
            continue
        try:
            report = check(item, progress)
        except ContractViolation as violation:
            results.append(IngestResult(item.name, "refused", item.year, error=str(violation)))
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
                    error=f"{item.name}: not uploaded because {bad} in the same zip was refused (a zip is all "
                    f"or nothing). Fix: correct or remove {bad}, then ingest the zip again.",
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
