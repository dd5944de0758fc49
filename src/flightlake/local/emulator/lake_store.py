"""The emulator's durable state: S3 (object files + journal) and the Glue Data Catalog (a JSON file).

    <store>/objects/ab/<id>    one file per object, its bytes as uploaded
    <store>/journal.sqlite3    buckets, and which file each key's versions are (`journal`)
    <store>/catalog.json       Glue databases, tables and partitions, rewritten after each change

`sync_*` are called by the `durable_lake` layer after moto has carried out a write and before the
client gets its answer; `restore` rebuilds moto's S3 and catalog from them when the emulator
starts, in place: objects are not copied or read, so starting on a big lake takes seconds.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flightlake.local.emulator.journal import BucketRecord, Journal, KeyRecord
from flightlake.local.emulator.object_files import ObjectFiles, adopt, install

CATALOG_FILE = "catalog.json"
JOURNAL_FILE = "journal.sqlite3"


@dataclass
class Restored:
    buckets: int = 0
    objects: int = 0
    databases: int = 0
    tables: int = 0
    partitions: int = 0
    acknowledged_writes: int = 0
    problems: list[str] = field(default_factory=list)  # anything older than acknowledged, said aloud


class LakeStore:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.files = ObjectFiles(root / "objects")
        self.journal = Journal(root / JOURNAL_FILE)
        self._catalog_lock = threading.Lock()
        install(self.files)

    # --- S3 -----------------------------------------------------------------------------------
    def sync_bucket(self, name: str) -> None:
        """Record a bucket as moto now has it (created, re-configured or deleted)."""
        bucket, account = _bucket(name)
        record = None
        if bucket is not None:
            record = BucketRecord(name, account, bucket.region_name, bucket.versioning_status or None)
        self._remove(self.journal.record_bucket(name, record))

    def sync_keys(self, bucket_name: str, keys: list[str]) -> None:
        """Record the keys as moto now has them (written, replaced or deleted)."""
        bucket, _ = _bucket(bucket_name)
        if bucket is None:
            self.sync_bucket(bucket_name)
            return
        versions = {key: [_record(bucket_name, v) for v in bucket.keys.getlist(key, [])] for key in keys}
        self._remove(self.journal.record_keys(bucket_name, versions))

    def revert_keys(self, bucket_name: str, keys: list[str]) -> None:
        """Put moto's keys back as the journal last recorded them: for a write moto carried out
        but the journal could not record (a full disk), so that nothing unacknowledged shows.
        The files only moto's newer versions named are deleted."""
        from moto.s3.models import FakeDeleteMarker, s3_backends

        bucket, _ = _bucket(bucket_name)
        if bucket is None:
            return
        partition, account = s3_backends.bucket_accounts[bucket_name]
        backend = s3_backends[account][partition]
        for key in keys:
            recorded = self.journal.versions(bucket_name, key)
            kept = {record.file for record in recorded}
            newer = [v for v in bucket.keys.getlist(key, []) if not isinstance(v, FakeDeleteMarker)]
            unrecorded = {_relative(v) for v in newer} - kept
            restored = [k for k in (self._key(backend, bucket, r, Restored()) for r in recorded) if k is not None]
            if restored:
                bucket.keys.setlist(key, restored)  # closes the files of the versions it replaces
            elif key in bucket.keys:
                bucket.keys.pop(key)
            self._remove(sorted(unrecorded))

    def _remove(self, files: list[str]) -> None:
        for relative in files:
            self.files.absolute(relative).unlink(missing_ok=True)

    # --- Glue Data Catalog --------------------------------------------------------------------
    def save_catalog(self) -> None:
        """Write the whole catalog (a few tables and partitions: small) atomically."""
        from moto.glue.models import glue_backends

        catalog: dict[str, Any] = {}
        with self._catalog_lock:
            for account, regions in list(glue_backends.items()):
                for region, backend in list(regions.items()):
                    databases = [_database(d) for d in list(backend.databases.values())]
                    if databases:
                        catalog[f"{account}/{region}"] = databases
            target = self.root / CATALOG_FILE
            partial = target.with_suffix(".part")
            partial.write_text(json.dumps(catalog, default=str, sort_keys=True))
            os.replace(partial, target)

    # --- start --------------------------------------------------------------------------------
    def restore(self) -> Restored:
        """moto's S3 and catalog as last acknowledged; call before the server takes requests."""
        restored = Restored(acknowledged_writes=self.journal.acknowledged_writes())
        self._restore_s3(restored)
        self._restore_catalog(restored)
        referenced = self.journal.files()
        for orphan in self.files.all_files() - referenced:  # written, never acknowledged
            self.files.absolute(orphan).unlink(missing_ok=True)
        return restored

    def _restore_s3(self, restored: Restored) -> None:
        from moto.s3.models import s3_backends

        for record in self.journal.buckets():
            backend = s3_backends[record.account]["aws"]
            backend.create_bucket(record.name, record.region)
            if record.versioning:
                backend.put_bucket_versioning(record.name, record.versioning)
            restored.buckets += 1
        for bucket_name, key, versions in self.journal.key_versions():
            partition, account = s3_backends.bucket_accounts[bucket_name]
            backend = s3_backends[account][partition]
            bucket = backend.buckets[bucket_name]
            keys = []
            for version in versions:
                key_object = self._key(backend, bucket, version, restored)
                if key_object is not None:
                    keys.append(key_object)
            bucket.keys.setlist(key, keys)
            restored.objects += 1

    def _key(self, backend: Any, bucket: Any, record: KeyRecord, restored: Restored) -> Any:
        from moto.s3.models import FakeDeleteMarker, FakeKey

        key = FakeKey(
            record.key, b"", backend.account_id, backend.region_name, storage=record.storage,
            etag=record.etag, is_versioned=bucket.is_versioned, version_id=record.version_id,
            bucket_name=record.bucket, encryption=record.encryption, kms_key_id=record.kms_key_id,
        )  # fmt: skip
        key.last_modified = datetime.fromisoformat(record.last_modified).replace(tzinfo=None)  # moto's are naive UTC
        if record.delete_marker:
            marker = FakeDeleteMarker(key)
            marker.version_id, marker.last_modified = record.version_id, key.last_modified
            key.dispose()
            return marker
        path = self.files.absolute(record.file or "")
        if not path.is_file():
            restored.problems.append(f"s3://{record.bucket}/{record.key}: its bytes ({path}) are missing; left out")
            key.dispose()
            return None
        adopt(key, path, record.size)
        key.set_metadata(dict(record.metadata), replace=True)
        for name, value in (record.checksum or {}).items():
            setattr(key, name, value)
        return key

    def _restore_catalog(self, restored: Restored) -> None:
        from moto.glue.models import glue_backends

        path = self.root / CATALOG_FILE
        if not path.exists():
            return
        for where, databases in json.loads(path.read_text()).items():
            account, region = where.split("/", 1)
            backend = glue_backends[account][region]
            for database in databases:
                backend.create_database(database["name"], database["input"])
                restored.databases += 1
                for table in database["tables"]:
                    backend.create_table(database["name"], table["name"], table["input"])
                    restored.tables += 1
                    table_object = backend.get_table(database["name"], table["name"])
                    for partition in table["partitions"]:
                        table_object.create_partition(partition)
                        restored.partitions += 1


def _bucket(name: str) -> tuple[Any, str]:
    """moto's bucket of that name, and its account; (None, "") when it does not exist."""
    from moto.s3.models import s3_backends

    location = s3_backends.bucket_accounts.get(name)
    if location is None:
        return None, ""
    partition, account = location
    return s3_backends[account][partition].buckets.get(name), account


def _record(bucket: str, key: Any) -> KeyRecord:
    from moto.s3.models import FakeDeleteMarker

    modified = key.last_modified.replace(tzinfo=UTC).isoformat()
    if isinstance(key, FakeDeleteMarker):
        return KeyRecord(bucket, key.name, key.version_id, None, 0, "", modified, None, {}, delete_marker=True)
    checksum = {
        name: getattr(key, name)
        for name in ("checksum_algorithm", "checksum_value", "checksum_type", "checksum_parts")
        if getattr(key, name, None) is not None
    }
    return KeyRecord(
        bucket=bucket, key=key.name, version_id=key.version_id, file=_relative(key), size=key.size,
        etag=key.etag.strip('"'), last_modified=modified, storage=key.storage_class, metadata=dict(key.metadata),
        encryption=key.encryption, kms_key_id=key.kms_key_id, checksum=checksum or None,
    )  # fmt: skip


def _relative(key: Any) -> str:
    return key.flightlake_files.relative(key.file_path)


def _database(database: Any) -> dict[str, Any]:
    return {
        "name": database.name,
        "input": database.input,
        "tables": [
            {
                "name": table.name,
                "input": table.get_version(str(table._current_version)),
                "partitions": [p.partition_input for p in list(table.partitions.values())],
            }
            for table in list(database.tables.values())
        ],
    }
