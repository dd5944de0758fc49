"""The emulator's record of what S3 holds: buckets, and for each key the file with its bytes.

A SQLite database in WAL mode, written in the request that changed S3 and committed before that
request is answered: once a client has its 200, the change is in the kernel's hands and survives
a crash (kill -9) of the emulator. On start the emulator rebuilds moto's S3 from it, pointing each
key at its file, so `up` costs one row per object and nothing is copied. (An operating-system
crash can still lose the last moments: files and database are not fsynced, as the emulator is for
development, not a bank.)
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
    name TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, versioning TEXT
);
CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL, key TEXT NOT NULL, position INTEGER NOT NULL, record TEXT NOT NULL, file TEXT,
    PRIMARY KEY (bucket, key, position)
);
CREATE TABLE IF NOT EXISTS acknowledged (id INTEGER PRIMARY KEY CHECK (id = 1), writes INTEGER NOT NULL);
INSERT OR IGNORE INTO acknowledged VALUES (1, 0);
"""


@dataclass(frozen=True)
class BucketRecord:
    name: str
    account: str
    region: str
    versioning: str | None


@dataclass(frozen=True)
class KeyRecord:
    """One version of a key (or a delete marker) as moto holds it, minus its bytes."""

    bucket: str
    key: str
    version_id: str
    file: str | None  # relative to the object files' root; None for a delete marker
    size: int
    etag: str
    last_modified: str  # ISO 8601, UTC
    storage: str | None
    metadata: dict[str, str]
    encryption: str | None = None
    kms_key_id: str | None = None
    checksum: dict[str, Any] | None = None
    delete_marker: bool = False


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record_bucket(self, name: str, bucket: BucketRecord | None) -> list[str]:
        """Record a bucket as it now is (None: deleted); returns the files nothing names any more."""
        with self._lock, self._transaction():
            if bucket is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO buckets VALUES (?, ?, ?, ?)",
                    (bucket.name, bucket.account, bucket.region, bucket.versioning),
                )
                return []
            files = [row[0] for row in self._db.execute("SELECT file FROM objects WHERE bucket = ?", (name,))]
            self._db.execute("DELETE FROM objects WHERE bucket = ?", (name,))
            self._db.execute("DELETE FROM buckets WHERE name = ?", (name,))
            return [file for file in files if file]

    def record_keys(self, bucket: str, versions_by_key: dict[str, list[KeyRecord]]) -> list[str]:
        """Record the versions each key now has (an empty list: gone); returns the files that no
        row names any more, for the caller to delete once this has committed."""
        with self._lock, self._transaction():
            dropped: list[str] = []
            for key, versions in versions_by_key.items():
                old = {row[0] for row in self._db.execute(
                    "SELECT file FROM objects WHERE bucket = ? AND key = ? AND file IS NOT NULL", (bucket, key)
                )}  # fmt: skip
                self._db.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket, key))
                self._db.executemany(
                    "INSERT INTO objects VALUES (?, ?, ?, ?, ?)",
                    [(bucket, key, position, json.dumps(asdict(v)), v.file) for position, v in enumerate(versions)],
                )
                dropped.extend(old - {v.file for v in versions})
            return dropped

    def buckets(self) -> list[BucketRecord]:
        rows = self._db.execute("SELECT name, account, region, versioning FROM buckets ORDER BY name")
        return [BucketRecord(*row) for row in rows]

    def key_versions(self) -> Iterator[tuple[str, str, list[KeyRecord]]]:
        """(bucket, key, its versions in order) for every key."""
        current: tuple[str, str] | None = None
        versions: list[KeyRecord] = []
        for bucket, key, record in self._db.execute(
            "SELECT bucket, key, record FROM objects ORDER BY bucket, key, position"
        ):
            if current is not None and current != (bucket, key):
                yield current[0], current[1], versions
                versions = []
            current = (bucket, key)
            versions.append(KeyRecord(**json.loads(record)))
        if current is not None:
            yield current[0], current[1], versions

    def versions(self, bucket: str, key: str) -> list[KeyRecord]:
        """The versions of one key as last recorded, in order (none: the key is not there)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT record FROM objects WHERE bucket = ? AND key = ? ORDER BY position", (bucket, key)
            ).fetchall()
        return [KeyRecord(**json.loads(record)) for (record,) in rows]

    def files(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT file FROM objects WHERE file IS NOT NULL")}

    def acknowledged_writes(self) -> int:
        return int(self._db.execute("SELECT writes FROM acknowledged").fetchone()[0])

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN ... COMMIT (or ROLLBACK), counting the commit as one more acknowledged write."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: Any, *_: Any) -> None:
        if kind is not None:
            self.db.execute("ROLLBACK")
            return
        self.db.execute("UPDATE acknowledged SET writes = writes + 1")
        self.db.execute("COMMIT")
