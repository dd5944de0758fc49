"""A full disk under the emulator's store: said as such, and what the failed write left, gone at once.

S3 never runs out of space; the emulator's store can (a small volume, a laptop's disk). A write
that meets a full disk fails before it is acknowledged, like any other failed write, and the
durable layer answers with what a person can act on: which disk, how much is free, how much the
request needed. It answers HTTP 507 (Insufficient Storage), which no AWS SDK retries: sending the
same bytes again cannot succeed until someone frees space. What the write had put on disk is
removed straight away (the partial file, and the parts of a multipart upload, which is aborted),
so that the disk is not left full until the next start.
"""

from __future__ import annotations

import errno
import math
import shutil
import sqlite3
from pathlib import Path

from flightlake.local.emulator.wsgi import StartResponse, aws_error

STATUS = "507 Insufficient Storage"
MB = 1024 * 1024
_FULL = (errno.ENOSPC, errno.EDQUOT)


def is_disk_full(error: BaseException) -> bool:
    """An object file or the journal could not be written for lack of space."""
    if isinstance(error, OSError) and error.errno in _FULL:
        return True
    return isinstance(error, sqlite3.OperationalError) and "full" in str(error)  # SQLITE_FULL


def message(store: Path, needed: int, aborted: bool) -> tuple[str, int]:
    """What to tell the client, and the bytes free now (after the clean-up)."""
    free = shutil.disk_usage(store).free
    said = f"the disk holding the emulator's store ({store}) is full: "
    if needed > free:
        said += (
            f"free at least {math.ceil((needed - free) / MB)} MB there "
            f"(this request brought {needed / MB:,.1f} MB, {free / MB:,.1f} MB are free)"
        )
    else:
        said += f"{free / MB:,.1f} MB are free now that this write's bytes are removed, too few for it and the rest"
    if aborted:
        said += "; the multipart upload was aborted and its parts removed"
    return said, free


def s3_answer(start_response: StartResponse, store: Path, needed: int, aborted: bool) -> list[bytes]:
    """S3's XML error shape; `StorePath`, `FreeBytes` and `RequestBytes` let a client say more."""
    from xml.sax.saxutils import escape

    said, free = message(store, needed, aborted)
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>{escape(said)}</Message>'
        f"<StorePath>{escape(str(store))}</StorePath><FreeBytes>{free}</FreeBytes>"
        f"<RequestBytes>{needed}</RequestBytes><Aborted>{str(aborted).lower()}</Aborted></Error>"
    ).encode()
    start_response(STATUS, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]


def json_answer(start_response: StartResponse, store: Path, needed: int) -> list[bytes]:
    """The JSON APIs' shape (the Glue Data Catalog)."""
    said, _ = message(store, needed, aborted=False)
    return aws_error(start_response, "InternalServiceException", said, STATUS)
