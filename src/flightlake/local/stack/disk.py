"""Whether the disk under the stack is full, so that what failed because of it says so by name.

A full disk shows up as whatever it broke first: PostgreSQL exiting at start-up, an Airflow
worker ending mid-run with SQLite's "database or disk is full", a write's ENOSPC. Each of those
places asks here and says "the disk holding ... is full" instead.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

FULL_BYTES = 1024 * 1024  # less free than this: nothing the stack writes fits any more
_FULL_WORDS = ("No space left on device", "database or disk is full")


def is_full(path: Path) -> bool:
    """True when the file system holding `path` (or its nearest existing parent) is full."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free < FULL_BYTES
    return False


def says_full(text: str) -> bool:
    """True when a log or a message says the disk was full."""
    return any(words in text for words in _FULL_WORDS)


def caused_by_full_disk(error: BaseException, path: Path) -> bool:
    """True when `error` is, or says it is, a full disk, or the disk under `path` is full now."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    return says_full(str(error)) or is_full(path)


def log_tail(path: Path | None, size: int = 20_000) -> str:
    """The end of a log file, or nothing if there is none."""
    if path is None or not path.exists():
        return ""
    with open(path, "rb") as log:
        log.seek(max(0, path.stat().st_size - size))
        return log.read().decode(errors="replace")
