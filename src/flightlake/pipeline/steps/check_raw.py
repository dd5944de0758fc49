"""Is the raw year in the lake, and does it still meet the contract?

A file that went through `flightlake ingest` carries its checked sha256, its ETag and the contract
version as object metadata, so the check only re-reads the header. Anything else (a file copied
in by hand, or overwritten: its ETag is no longer the recorded one) is streamed through the full
contract check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flightlake.lake.aws import client, object_exists
from flightlake.lake.ingest import CONTRACT_VERSION
from flightlake.lake.raw_contract import ContractViolation, check_header, check_stream, read_chunks
from flightlake.lake.raw_upload import content_sha256
from flightlake.lake.tables import RAW_FLIGHTS, raw_object_key, raw_object_uri
from flightlake.settings import Settings


@dataclass(frozen=True)
class RawYear:
    uri: str
    year: int
    data_rows: int
    sha256: str
    size: int
    checked: str  # "metadata" (ingested, header re-read) or "full" (whole file re-checked)


def check_raw_year(settings: Settings, year: int) -> RawYear:
    s3 = client("s3", settings)
    bucket, key = RAW_FLIGHTS.bucket(settings), raw_object_key(settings, year)
    uri = raw_object_uri(settings, year)
    head = object_exists(s3, bucket, key)
    if head is None:
        raise ContractViolation(
            uri, f"there is no raw file for {year}", f"ingest it: flightlake ingest /path/to/{year}.csv"
        )
    metadata = head.get("Metadata", {})
    sha256 = content_sha256(head)
    if metadata.get("contract") == CONTRACT_VERSION and sha256:
        first = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{64 * 1024 - 1}")["Body"].read()
        check_header(uri, first)
        return RawYear(uri, year, int(metadata.get("data-rows", 0)), sha256, head["ContentLength"], "metadata")
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    report = check_stream(read_chunks(body), uri)
    return RawYear(uri, year, report.data_rows, report.sha256, report.size, "full")


def run(settings: Settings, year: int, run_id: str | None = None) -> dict[str, Any]:
    """The step: the raw year's facts, or a ContractViolation (a PermanentError) naming the fix."""
    raw = check_raw_year(settings, year)
    print(f"raw {year}: {raw.uri}, {raw.data_rows:,} rows, {raw.size / 1e6:,.1f} MB, checked by {raw.checked}")
    return asdict(raw)
