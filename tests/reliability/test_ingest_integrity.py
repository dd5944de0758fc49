"""What ingest checked is what the lake stores, and what the pipeline believes about it is so.

A file edited while ingest reads it is refused and the lake keeps its old object whole; a lake
object whose metadata claims other bytes (the state the issue found) is replaced when the right
file is ingested again, is checked in full by check_raw, and makes the tables built from it
stale for the report. Multipart uploads are tested with 5 MB parts (S3's smallest) so that a
12 MB file takes three."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flightlake.lake import raw_upload
from flightlake.lake.ingest import CONTRACT_VERSION, ingest
from flightlake.lake.manifests import write_manifest
from flightlake.lake.provenance import DERIVED, raw_identity, stale_tables
from flightlake.lake.raw_upload import Fingerprint
from flightlake.lake.tables import RAW_FLIGHTS, STAGE_FLIGHTS, raw_object_key
from flightlake.pipeline.steps.check_raw import check_raw_year
from tests.reliability.corpus import BAD_NUMBER, year_csv

pytestmark = pytest.mark.integration
YEAR = 2012
SMALL_PARTS = 5 * 1024 * 1024


@pytest.fixture
def lake(s3, settings):
    """The year's raw object removed before and after; nothing else of the lake is touched."""
    bucket, key = RAW_FLIGHTS.bucket(settings), raw_object_key(settings, YEAR)
    s3.delete_object(Bucket=bucket, Key=key)
    yield bucket, key
    s3.delete_object(Bucket=bucket, Key=key)
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(raw_upload, "PART_BYTES", SMALL_PARTS)
    monkeypatch.setattr("flightlake.lake.ingest.PART_BYTES", SMALL_PARTS)


def big_year_file(path: Path) -> Path:
    """A valid year file of about 12 MB: three parts of 5 MB."""
    path.write_bytes(year_csv(rows=100_000, year=YEAR))
    assert path.stat().st_size > 2 * SMALL_PARTS
    return path


def edit_in_place(path: Path, offset: int) -> None:
    """Change one row's flight number where it stands (same size), as an editor saving over it would."""
    with path.open("r+b") as handle:
        handle.seek(offset)
        line = handle.read(200)
        start = line.index(b",UA,") + 4
        handle.seek(offset + start)
        handle.write(b"9")


def test_a_file_edited_after_its_check_is_refused_and_the_lake_keeps_its_object(
    tmp_path, s3, settings, lake, small_parts
):
    bucket, key = lake
    s3.put_object(Bucket=bucket, Key=key, Body=b"the old object")
    path = big_year_file(tmp_path / f"{YEAR}.csv")
    size = path.stat().st_size

    def progress(label: str, done: int, total: int) -> None:
        if label.startswith("checking") and done == size:  # checked; the upload reads it again
            edit_in_place(path, 2 * SMALL_PARTS + 1000)

    [result] = ingest(settings, [path], progress)
    assert result.status == "refused"
    assert result.error == (
        f"{YEAR}.csv: it changed while it was read (its bytes from {2 * SMALL_PARTS:,} on are not the ones checked); "
        "nothing was uploaded. Fix: ingest it again once nothing writes to it."
    )
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"the old object"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []  # aborted, parts gone

    [again] = ingest(settings, [path])  # once nothing writes to it
    assert again.status == "uploaded"
    head = s3.head_object(Bucket=bucket, Key=key)
    stored = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert stored == path.read_bytes()
    assert head["Metadata"]["sha256"] == hashlib.sha256(stored).hexdigest()
    assert head["ETag"].strip('"') == head["Metadata"]["etag"] and head["ETag"].endswith('-3"')


def test_a_small_file_written_to_while_it_is_checked_is_refused(tmp_path, s3, settings, lake):
    bucket, key = lake
    path = tmp_path / f"{YEAR}.csv"
    original = year_csv(year=YEAR)
    path.write_bytes(original)
    grown = original + year_csv(rows=1, year=YEAR).split(b"\n", 1)[1]

    def progress(label: str, done: int, total: int) -> None:
        if label.startswith("checking"):
            path.write_bytes(grown)  # the writer is still at work

    [result] = ingest(settings, [path], progress)
    assert result.error == (
        f"{YEAR}.csv: it changed while it was read (its size went from {len(original):,} to {len(grown):,} bytes); "
        "nothing was uploaded. Fix: ingest it again once nothing writes to it."
    )
    assert s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount") == 0


def forge(s3, bucket: str, key: str, claimed: bytes, held: bytes) -> None:
    """The issue's state: an object whose metadata describes `claimed` but which holds `held`."""
    fingerprint = Fingerprint(keep=False)
    fingerprint.feed(claimed)
    fingerprint.finish()
    metadata = {"sha256": hashlib.sha256(claimed).hexdigest(), "etag": fingerprint.etag, "contract": CONTRACT_VERSION}
    s3.put_object(Bucket=bucket, Key=key, Body=held, Metadata={**metadata, "data-rows": "40"})


def test_the_right_file_replaces_an_object_whose_metadata_claims_its_bytes(tmp_path, s3, settings, lake):
    bucket, key = lake
    right = year_csv(year=YEAR)
    wrong = year_csv(year=YEAR).replace(b",UA,1,", f",UA,{BAD_NUMBER},".encode())
    forge(s3, bucket, key, claimed=right, held=wrong)
    path = tmp_path / f"{YEAR}.csv"
    path.write_bytes(right)
    [result] = ingest(settings, [path])
    assert result.status == "uploaded"  # not "unchanged": the lake's ETag says it holds other bytes
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == right
    [again] = ingest(settings, [path])
    assert again.status == "unchanged"


def test_metadata_of_other_bytes_is_not_believed_by_check_raw_or_the_report(s3, settings, lake):
    bucket, key = lake
    right = year_csv(year=YEAR)
    forge(s3, bucket, key, claimed=right, held=year_csv(rows=41, year=YEAR))
    assert check_raw_year(settings, YEAR).checked == "full"  # the whole object, not its metadata
    identity = raw_identity(settings, YEAR)
    assert identity == f"etag:{s3.head_object(Bucket=bucket, Key=key)['ETag'].strip(chr(34))}"
    claimed = f"sha256:{hashlib.sha256(right).hexdigest()}"
    for table in DERIVED:  # only this test's manifest: other tests of the session may have left theirs
        s3.delete_object(Bucket=table.bucket(settings), Key=table.manifest_key(settings, YEAR))
    write_manifest(settings, STAGE_FLIGHTS, YEAR, {"raw_identity": claimed})  # built from the claimed bytes
    try:
        assert stale_tables(settings, YEAR) == [f"{settings.glue_databases['stage']}.flights"]
    finally:
        s3.delete_object(Bucket=STAGE_FLIGHTS.bucket(settings), Key=STAGE_FLIGHTS.manifest_key(settings, YEAR))
