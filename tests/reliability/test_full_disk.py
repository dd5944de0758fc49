"""A full disk under the lake: ingest names the disk and how much to free, and the failed upload
leaves nothing behind (its partial file and its parts are removed at once, not at the next
start), while the lake's other objects stay whole.

The emulator runs with its store on a 48 MB tmpfs of its own (this needs root: `mount -t tmpfs`;
elsewhere the test is skipped, saying so). One file is uploaded in one PUT, another in 5 MB
parts, as bigger files are; both meet the full disk."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flightlake.lake import raw_upload
from flightlake.lake.ingest import ingest
from flightlake.lake.tables import RAW_FLIGHTS, raw_object_key
from flightlake.local.emulator.server import READY_FILE
from flightlake.local.stack import processes
from flightlake.local.stack.lake_init import init_lake
from flightlake.settings import Settings, load_settings
from tests.reliability.corpus import row, year_csv

pytestmark = pytest.mark.integration
DISK_MB = 48
MB = 1024 * 1024
SMALL_PARTS = 5 * MB
FULL = re.compile(
    r"(?P<name>\S+): the disk holding the emulator's store \((?P<store>[^)]+)\) is full: nothing was uploaded, and "
    r"what the upload had stored is removed\. Fix: free (?P<free_mb>[\d,]+) MB there \(a (?P<size>[\d.,]+) MB file "
    r"takes (?P<needed>[\d.,]+) MB while its upload completes; (?P<free>[\d.,]+) MB are free\), then ingest it again\."
)


@dataclass
class SmallLake:
    settings: Settings
    store: Path
    log: Path

    def used(self) -> int:
        return shutil.disk_usage(self.store).used

    def s3(self):
        from flightlake.lake.aws import client

        return client("s3", self.settings)


@pytest.fixture(scope="module")
def small_lake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmallLake]:
    disk = tmp_path_factory.mktemp("small-disk")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(disk)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a {DISK_MB} MB tmpfs here ({mounted.stderr.strip()}): a full disk needs root")
    state = tmp_path_factory.mktemp("small-disk-state")
    port = processes.free_port(0)
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "FLFULLDISKTEST0001",
        "AWS_SECRET_ACCESS_KEY": "full-disk-test-secret",
        "AWS_REGION": "us-east-1",
    }
    env.pop("AWS_ENDPOINT_URL", None)
    log = state / "emulator.log"
    argv = [sys.executable, "-m", "flightlake.local.emulator.server", "--port", str(port)]
    argv += ["--store-dir", str(disk / "store"), "--state-dir", str(state)]
    with log.open("w") as out:
        emulator = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        processes.wait_until(lambda: (state / READY_FILE).exists() or emulator.poll() is not None, 60, "the emulator")
        with pytest.MonkeyPatch.context() as patch:
            for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
                patch.setenv(name, env[name])
            patch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
            settings = load_settings()
            init_lake(settings)
            yield SmallLake(settings, disk / "store", log)
    finally:
        emulator.terminate()
        emulator.wait(30)
        subprocess.run(["umount", str(disk)], check=False)


def year_file(path: Path, megabytes: int) -> Path:
    row_bytes = len(row(1, 2014)) + 1
    path.write_bytes(year_csv(rows=megabytes * MB // row_bytes, year=int(path.stem)))
    return path


def check_full_disk_message(error: str, lake: SmallLake, path: Path, parts: int) -> None:
    """The whole message, its figures consistent: what to free is what the upload needs beyond
    what is free."""
    found = FULL.fullmatch(error)
    assert found, error
    assert found["name"] == path.name and found["store"] == str(lake.store)
    size = path.stat().st_size
    needed = size * parts
    assert found["size"] == f"{size / MB:,.1f}" and found["needed"] == f"{needed / MB:,.1f}"
    free = float(found["free"].replace(",", "")) * MB  # as said, to 0.1 MB
    to_free = int(found["free_mb"].replace(",", ""))
    assert to_free >= 1 and abs(to_free - (needed - free) / MB) <= 1


def test_a_file_bigger_than_the_free_space_is_refused_naming_the_disk_and_leaves_nothing(small_lake, tmp_path):
    s3 = small_lake.s3()
    bucket, key = RAW_FLIGHTS.bucket(small_lake.settings), raw_object_key(small_lake.settings, 2014)
    s3.put_object(Bucket=bucket, Key=key, Body=b"the object before")
    before = small_lake.used()
    path = year_file(tmp_path / "2014.csv", 56)  # one PUT (under 64 MB), more than the 48 MB disk
    [result] = ingest(small_lake.settings, [path])
    assert result.status == "refused"
    check_full_disk_message(result.error, small_lake, path, parts=1)
    assert small_lake.used() - before < MB  # the partial object went at once
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"the object before"
    assert "Traceback" not in small_lake.log.read_text()


def test_a_multipart_upload_that_fills_the_disk_is_aborted_and_its_parts_removed(small_lake, tmp_path, monkeypatch):
    monkeypatch.setattr(raw_upload, "PART_BYTES", SMALL_PARTS)
    monkeypatch.setattr("flightlake.lake.ingest.PART_BYTES", SMALL_PARTS)
    s3 = small_lake.s3()
    bucket = RAW_FLIGHTS.bucket(small_lake.settings)
    before = small_lake.used()
    big = year_file(tmp_path / "2015.csv", 30)  # 30 MB of parts fit; the object they make does not
    later = year_file(tmp_path / "2016.csv", 1)
    first, second = ingest(small_lake.settings, [big, later])
    assert first.status == second.status == "refused"
    check_full_disk_message(first.error, small_lake, big, parts=2)
    assert second.error == (
        f"2016.csv: not uploaded: the disk holding the emulator's store ({small_lake.store}) is full. "
        "Fix: free space there, then ingest the files again."
    )
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert small_lake.used() - before < MB  # the parts went at once, not at the next start
    [fits] = ingest(small_lake.settings, [later])  # the disk works again for what fits
    assert fits.status == "uploaded"
    assert "Traceback" not in small_lake.log.read_text()


@pytest.fixture
def in_process_emulator(tmp_path: Path) -> Iterator[tuple[str, object]]:
    """An emulator served from this process, so that its journal can be made to fail."""
    from flightlake.local.emulator.app import EmulatorContext
    from flightlake.local.emulator.lake_store import LakeStore
    from flightlake.local.emulator.server import start_server
    from flightlake.local.emulator.sigv4 import Credentials

    store = LakeStore(tmp_path / "store")
    store.restore()
    port = processes.free_port(0)
    endpoint = f"http://127.0.0.1:{port}"
    keys = Credentials("FLJOURNALTEST0001", "journal-test-secret")
    server = start_server("127.0.0.1", port, EmulatorContext(tmp_path, endpoint, store, keys))
    try:
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(aws_access_key_id=keys.access_key, aws_secret_access_key=keys.secret_key)
        config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AWS_ENDPOINT_URL", endpoint)
            patch.setenv("AWS_ACCESS_KEY_ID", keys.access_key)
            patch.setenv("AWS_SECRET_ACCESS_KEY", keys.secret_key)
            yield session.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config), store
    finally:
        server.shutdown()
        store.journal.close()


def test_a_write_the_journal_cannot_record_is_undone_and_not_acknowledged(in_process_emulator, monkeypatch):
    """The object file fitted but the journal did not: moto had the new object; the emulator puts
    back what the journal holds, deletes the new file, and answers that the disk is full."""
    import sqlite3

    from botocore.exceptions import ClientError

    s3, store = in_process_emulator
    s3.create_bucket(Bucket="journal-test")
    s3.put_object(Bucket="journal-test", Key="kept.csv", Body=b"acknowledged")
    files = set(store.files.all_files())

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store.journal, "record_keys", full)
    for key in ("kept.csv", "new.csv"):
        with pytest.raises(ClientError) as refused:
            s3.put_object(Bucket="journal-test", Key=key, Body=b"never acknowledged")
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 507
        assert (
            f"the disk holding the emulator's store ({store.root}) is full"
            in refused.value.response["Error"]["Message"]
        )
    assert s3.get_object(Bucket="journal-test", Key="kept.csv")["Body"].read() == b"acknowledged"
    with pytest.raises(ClientError, match="NoSuchKey"):
        s3.get_object(Bucket="journal-test", Key="new.csv")
    assert set(store.files.all_files()) == files  # the new objects' files went at once
    monkeypatch.undo()
    s3.put_object(Bucket="journal-test", Key="kept.csv", Body=b"once there is room")
    assert s3.get_object(Bucket="journal-test", Key="kept.csv")["Body"].read() == b"once there is room"


def test_a_file_the_lake_holds_but_cannot_register_for_lack_of_space_says_so(in_process_emulator, tmp_path):
    """The object fitted; the catalog could not be written: ingest says the lake holds the file
    but did not register it, and ingesting it again once there is room registers it without
    sending its bytes again."""
    _, store = in_process_emulator
    settings = load_settings()
    init_lake(settings)
    path = year_file(tmp_path / "2013.csv", 1)
    saved = store.save_catalog

    def full() -> None:
        raise OSError(28, "No space left on device")

    store.save_catalog = full
    try:
        [result] = ingest(settings, [path])
    finally:
        store.save_catalog = saved
    assert result.status == "refused"
    said = result.error
    assert said.startswith(
        f"2013.csv: the lake holds it now, but could not register it: the disk holding the emulator's store "
        f"({store.root}) is full: "
    ), said
    assert said.endswith(". Fix: free space there, then ingest it again (its bytes are not sent twice).")
    [again] = ingest(settings, [path])
    assert again.status == "unchanged"
