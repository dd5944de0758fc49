"""The emulator is killed (kill -9) after and during writes: what it acknowledged is there after
`flightlake up`, nothing half-written appears, and `up` says what it restored."""

from __future__ import annotations

import hashlib
import io
import os
import signal

import pytest

from flightlake.lake.catalog import register_partition
from flightlake.lake.tables import STAGE_FLIGHTS
from flightlake.local.emulator.lake_store import JOURNAL_FILE
from flightlake.local.stack import processes
from tests.reliability.private_stack import PrivateStack, private_stack

pytestmark = pytest.mark.integration
RAW, STAGE = "flightlake-raw", "flightlake-stage"


@pytest.fixture(scope="module")
def lake():
    with private_stack("flightlake-test-crash-") as handle:
        yield handle


def kill_emulator(handle: PrivateStack) -> int:
    tracked = handle.stack.pid_files.read("emulator")
    assert tracked is not None and processes.is_running(tracked)
    os.kill(tracked.pid, signal.SIGKILL)
    processes.wait_until(lambda: not processes.pid_alive(tracked.pid), 10, "the emulator to die")
    return tracked.pid


def emulator_pids(handle: PrivateStack) -> list[int]:
    marker = str(handle.settings.state_dir / "emulator" / "store")
    return [pid for pid in processes.strays(handle.settings.state_dir) if marker in (processes.command_line(pid) or "")]


def test_acknowledged_writes_survive_kill_9(lake, monkeypatch):
    s3 = lake.client("s3")
    s3.put_object(Bucket=RAW, Key="crash/kept.csv", Body=b"a,b\n1,2\n", ContentType="text/csv", Metadata={"rows": "1"})
    s3.put_object(Bucket=RAW, Key="crash/replaced.csv", Body=b"old")
    s3.put_object(Bucket=RAW, Key="crash/replaced.csv", Body=b"new")
    s3.put_object(Bucket=RAW, Key="crash/deleted.csv", Body=b"gone")
    s3.delete_object(Bucket=RAW, Key="crash/deleted.csv")
    s3.put_object(Bucket=RAW, Key="crash/batch-1", Body=b"1")
    s3.put_object(Bucket=RAW, Key="crash/batch-2", Body=b"2")
    s3.delete_objects(Bucket=RAW, Delete={"Objects": [{"Key": "crash/batch-1"}, {"Key": "crash/batch-2"}]})
    big = os.urandom(12 * 1024 * 1024)
    from boto3.s3.transfer import TransferConfig

    s3.upload_fileobj(io.BytesIO(big), RAW, "crash/big.bin", Config=TransferConfig(multipart_threshold=5 << 20))
    before = s3.head_object(Bucket=RAW, Key="crash/big.bin")
    register_partition(STAGE_FLIGHTS, lake.activated(monkeypatch), 2011, {"rows": "7"})

    old_pid = kill_emulator(lake)
    lake.lines.clear()
    lake.up()

    s3 = lake.client("s3")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=RAW, Prefix="crash/")["Contents"])
    assert keys == ["crash/big.bin", "crash/kept.csv", "crash/replaced.csv"]
    kept = s3.get_object(Bucket=RAW, Key="crash/kept.csv")
    assert (kept["Body"].read(), kept["ContentType"], kept["Metadata"]) == (b"a,b\n1,2\n", "text/csv", {"rows": "1"})
    assert s3.get_object(Bucket=RAW, Key="crash/replaced.csv")["Body"].read() == b"new"
    after = s3.head_object(Bucket=RAW, Key="crash/big.bin")
    assert (after["ETag"], after["LastModified"]) == (before["ETag"], before["LastModified"])
    ranged = s3.get_object(Bucket=RAW, Key="crash/big.bin", Range="bytes=5000000-5000099")["Body"].read()
    assert ranged == big[5_000_000:5_000_100]
    whole = s3.get_object(Bucket=RAW, Key="crash/big.bin")["Body"].read()
    assert hashlib.sha256(whole).digest() == hashlib.sha256(big).digest()
    partitions = lake.client("glue").get_partitions(DatabaseName="flightlake_stage", TableName="flights")
    assert [(p["Values"], p["Parameters"]) for p in partitions["Partitions"]] == [(["2011"], {"rows": "7"})]
    started = next(line for line in lake.lines if line.startswith("emulator   started"))
    assert "restored" in started and "as of acknowledged write #" in started
    assert not any("WARNING" in line for line in lake.lines)
    assert emulator_pids(lake) == [lake.stack.pid_files.read("emulator").pid] != [old_pid]


def test_a_write_cut_short_by_kill_9_leaves_nothing_half_written(lake):
    """The emulator dies in the middle of a multipart upload (two parts in, not completed):
    afterwards the key holds its old bytes, never part of the new ones; the lake's other objects
    are untouched and the parts are cleared away."""
    s3 = lake.client("s3")
    s3.put_object(Bucket=STAGE, Key="cut/neighbour", Body=b"untouched")
    s3.put_object(Bucket=STAGE, Key="cut/target.bin", Body=b"previous version")
    store = lake.settings.state_dir / "emulator" / "store"
    files_before = sum(1 for _ in (store / "objects").rglob("*") if _.is_file())
    upload = s3.create_multipart_upload(Bucket=STAGE, Key="cut/target.bin")["UploadId"]
    for number in (1, 2):
        s3.upload_part(Bucket=STAGE, Key="cut/target.bin", UploadId=upload, PartNumber=number, Body=os.urandom(5 << 20))
    parts_on_disk = sum(1 for _ in (store / "objects").rglob("*") if _.is_file())
    assert parts_on_disk > files_before  # the parts really are on disk when the emulator dies

    kill_emulator(lake)
    with pytest.raises(Exception, match="Could not connect"):
        s3.upload_part(Bucket=STAGE, Key="cut/target.bin", UploadId=upload, PartNumber=3, Body=b"late")
    lake.up()
    s3 = lake.client("s3")
    assert s3.get_object(Bucket=STAGE, Key="cut/target.bin")["Body"].read() == b"previous version"
    assert s3.get_object(Bucket=STAGE, Key="cut/neighbour")["Body"].read() == b"untouched"
    files_after = sum(1 for _ in (store / "objects").rglob("*") if _.is_file())
    assert files_after == files_before  # the parts of the cut upload were cleared away at start


def test_up_warns_when_it_cannot_restore_what_was_acknowledged(lake):
    s3 = lake.client("s3")
    s3.put_object(Bucket=RAW, Key="lost/object.csv", Body=b"x")
    lake.stack.down(echo=lambda line: None)
    import sqlite3

    store = lake.settings.state_dir / "emulator" / "store"
    with sqlite3.connect(store / JOURNAL_FILE) as journal:
        (relative,) = journal.execute("SELECT file FROM objects WHERE key = 'lost/object.csv'").fetchone()
    (store / "objects" / relative).unlink()  # a file removed by hand behind the emulator's back
    lake.lines.clear()
    lake.up()
    warnings = [line for line in lake.lines if "WARNING" in line]
    assert len(warnings) == 1 and "s3://flightlake-raw/lost/object.csv" in warnings[0] and "missing" in warnings[0]
