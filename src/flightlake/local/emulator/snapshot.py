"""Importing the snapshot an earlier version of the emulator saved on `down`.

Before the store (`lake_store`), the emulator kept the lake in memory and copied it to a snapshot
folder on the way down:

    objects/<bucket>/<sha1 of key>   object bytes
    s3.json                          {bucket: {key: {etag, size, content_type, metadata}}}
    glue.json                        {databases: [...], tables: {db: [...]}, partitions: {db: {table: [...]}}}

A store that starts empty next to such a folder loads it once, through the public S3 and Glue
APIs of the running emulator, which records everything in the store as it goes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

SNAPSHOT_THREADS = 4  # the emulator is the bottleneck: more threads only queue there
_SINGLE_PUT_BYTES = 64 * 1024 * 1024


def _in_parallel(work: Callable[[Any], Any], items: list[Any]) -> Iterator[Any]:
    """Requests to the emulator are mostly waiting, so a few threads cut a lake of thousands of
    small objects (one chart per airport and year) from minutes to seconds."""
    if len(items) < 2:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(max_workers=SNAPSHOT_THREADS) as pool:
        yield from pool.map(work, items)


def _read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return default


def restore(s3: Any, glue: Any, source: Path) -> dict[str, int]:
    """Load a snapshot into an empty emulator; returns counts of what was restored."""
    index = _read_json(source / "s3.json", {})
    skipped = 0
    uploads: list[tuple[str, str, dict[str, Any], Path]] = []
    for bucket, keys in index.items():
        s3.create_bucket(Bucket=bucket)
        for key, entry in list(keys.items()):
            path = source / "objects" / bucket / object_file(key)
            if not path.is_file():
                print(f"snapshot: {bucket}/{key} has no saved bytes ({path}); skipped", flush=True)
                del keys[key]
                skipped += 1
                continue
            uploads.append((bucket, key, entry, path))
    objects = sum(1 for _ in _in_parallel(lambda item: _upload(s3, *item), uploads))
    catalog = _read_json(source / "glue.json", {"databases": []})
    tables = partitions = 0
    for database in catalog["databases"]:
        glue.create_database(DatabaseInput=database)
        for table in catalog["tables"].get(database["Name"], []):
            glue.create_table(DatabaseName=database["Name"], TableInput=table)
            tables += 1
            parts = catalog["partitions"].get(database["Name"], {}).get(table["Name"], [])
            for start in range(0, len(parts), 100):
                glue.batch_create_partition(
                    DatabaseName=database["Name"],
                    TableName=table["Name"],
                    PartitionInputList=parts[start : start + 100],
                )
            partitions += len(parts)
    if skipped:
        # Never let the next save overwrite what could not be read: keep it aside for a person.
        kept = source.with_name(f"{source.name}.incomplete-{int(time.time())}")
        shutil.copytree(source, kept)
        print(f"snapshot: {skipped} objects could not be restored; the snapshot is kept as {kept}", flush=True)
    return {"buckets": len(index), "objects": objects, "tables": tables, "partitions": partitions, "skipped": skipped}


def _upload(s3: Any, bucket: str, key: str, entry: dict[str, Any], path: Path) -> None:
    """One PUT for an ordinary object; multipart (upload_file) only for large ones, since
    upload_file builds a transfer manager and its threads for every call."""
    extra = {"ContentType": entry["content_type"], "Metadata": entry["metadata"]}
    if path.stat().st_size > _SINGLE_PUT_BYTES:
        s3.upload_file(str(path), bucket, key, ExtraArgs=extra)
        return
    with open(path, "rb") as body:
        s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)


def clients(endpoint: str) -> tuple[Any, Any]:
    """S3 and Glue clients for the emulator, from the credentials it was started with."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "emulator"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "emulator"),
        region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
    )
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3})
    return (
        session.client("s3", endpoint_url=endpoint, config=config),
        session.client("glue", endpoint_url=endpoint, config=config),
    )


def object_file(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()
