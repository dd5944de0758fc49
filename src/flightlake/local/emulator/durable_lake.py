"""The layer that makes moto's S3 and Glue Data Catalog durable, and serves objects from disk.

Writes: moto carries out the request as usual; before its answer goes back, the change is
recorded (`LakeStore.sync_*`): an acknowledged write is a durable write. A write that meets a
full disk is answered as such (`full_disk`), and what it left is undone at once. Reads of an object
(GET, with or without a Range) take moto's headers from a HEAD of the same request, so status,
ETag, metadata, conditional requests and errors are moto's own, and stream the bytes from the
object's file: a ranged read of a 900 MB object reads the range, not the object (moto's GET reads
the whole object into memory for every range, and Spark reads a file in many ranges).

Every request here was signed with the stack's credentials (the `authentication` layer, outside
this one, refuses any other), and moto routes it by the service its signature names, as this
layer does (`dispatch`): an S3 write cannot reach moto without passing here. Buckets are always
read from the path (what boto3, S3A and pyarrow use against an endpoint URL): moto is told to
ignore a bucket name in the Host header, so that it and this layer agree on every key.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from flightlake.local.emulator import full_disk
from flightlake.local.emulator.full_disk import is_disk_full
from flightlake.local.emulator.lake_store import LakeStore
from flightlake.local.emulator.wsgi import (
    Environ,
    StartResponse,
    WSGIApp,
    aws_target,
    call,
    read_body,
    signed_service,
)

_READ_CHUNK = 1024 * 1024
_PLAIN_GET_PARAMS = {"versionId"}  # plus response-* header overrides, which HEAD honours too
_GLUE_READS = ("AWSGlue.Get", "AWSGlue.List", "AWSGlue.Search", "AWSGlue.BatchGet")
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/\d+")
_DELETED = "flightlake.deleted_keys"  # the keys of a DeleteObjects request, once read


class DurableLake:
    def __init__(self, inner: WSGIApp, store: LakeStore) -> None:
        self.inner, self.store = inner, store

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self._route(environ, start_response)
        except Exception as error:
            if not is_disk_full(error):
                raise
            return self._disk_full(environ, start_response, error)

    def _route(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        target = aws_target(environ)
        if target.startswith("AWSGlue."):
            if target.startswith(_GLUE_READS):
                return self.inner(environ, start_response)
            return self._write(environ, start_response, self.store.save_catalog)
        request = _s3_request(environ)
        if request is None:
            return self.inner(environ, start_response)
        bucket, key, query, method = request
        if method == "GET" and key and all(q in _PLAIN_GET_PARAMS or q.startswith("response-") for q in query):
            return self._read(environ, start_response, bucket, key, query)
        if method not in ("PUT", "POST", "DELETE"):
            return self.inner(environ, start_response)
        if not key:
            if method == "POST" and "delete" in query:  # DeleteObjects
                keys = environ[_DELETED] = deleted_keys(read_body(environ))
                return self._write(environ, start_response, lambda: self.store.sync_keys(bucket, keys))
            return self._write(environ, start_response, lambda: self.store.sync_bucket(bucket))
        completes_upload = method == "POST" and "uploadId" in query
        if not completes_upload and ("uploadId" in query or method == "POST"):
            return self.inner(environ, start_response)  # a part, an abort, an initiation: no object yet
        return self._write(environ, start_response, lambda: self.store.sync_keys(bucket, [key]))

    def _write(self, environ: Environ, start_response: StartResponse, record: Any) -> list[bytes]:
        """Run the request in moto; record its effect before answering, if it succeeded."""
        status, headers, body = call(self.inner, environ)
        if status[:1] == "2":
            record()
        start_response(status, headers)
        return [body]

    def _disk_full(self, environ: Environ, start_response: StartResponse, error: Exception) -> list[bytes]:
        """Undo what the failed write left (`full_disk`) and say which disk is full."""
        needed = int(environ.get("HTTP_X_AMZ_DECODED_CONTENT_LENGTH") or environ.get("CONTENT_LENGTH") or 0)
        request = _s3_request(environ)
        if aws_target(environ).startswith("AWSGlue.") or request is None:
            return full_disk.json_answer(start_response, self.store.root, needed)
        bucket, key, query, _ = request
        upload = query.get("uploadId", [""])[0]
        aborted = False
        if upload:
            needed = max(needed, _upload_size(bucket, upload))
            aborted = _abort(bucket, upload)
        if isinstance(error, sqlite3.Error):  # moto made the change; the journal could not record it
            self.store.revert_keys(bucket, [key] if key else environ.get(_DELETED, []))
        return full_disk.s3_answer(start_response, self.store.root, needed, aborted)

    def _read(
        self, environ: Environ, start_response: StartResponse, bucket: str, key: str, query: dict[str, list[str]]
    ) -> Iterable[bytes]:
        head = dict(environ, REQUEST_METHOD="HEAD")
        status, headers, _ = call(self.inner, head)
        found = _key(bucket, key, query.get("versionId", [None])[0]) if status[:3] in ("200", "206") else None
        stream = _open(found)
        if stream is None:
            return self.inner(environ, start_response)  # moto answers errors, 304s and oddities itself
        length = int(_header(headers, "Content-Length") or 0)
        match = _CONTENT_RANGE.match(_header(headers, "Content-Range") or "")
        start = int(match.group(1)) if match else 0
        if status[:3] == "200" and environ.get("HTTP_X_AMZ_CHECKSUM_MODE") == "ENABLED":
            headers = _get_checksum(headers, found)
        start_response(status, headers)
        return _chunks(stream, start, length)


def _s3_request(environ: Environ) -> tuple[str, str, dict[str, list[str]], str] | None:
    """(bucket, key, query, method) of a path-style S3 request; None for anything else."""
    if signed_service(environ) != "s3":
        return None
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        path = unquote(urlsplit(raw).path)
    else:  # PATH_INFO is already decoded, as latin-1 text of the UTF-8 bytes (PEP 3333)
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    bucket, _, key = path.lstrip("/").partition("/")
    if not bucket:
        return None
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return bucket, key, query, environ.get("REQUEST_METHOD", "GET")


def _upload_size(bucket: str, upload: str) -> int:
    """The bytes of a multipart upload's parts so far (what completing it writes again)."""
    multipart = _multipart(bucket, upload)
    return 0 if multipart is None else sum(part.contentsize or 0 for part in multipart.parts.values())


def _abort(bucket: str, upload: str) -> bool:
    """Abort a multipart upload in moto (its parts' files are deleted); True once it is gone
    (a part that failed alongside may have aborted it already)."""
    if _multipart(bucket, upload) is None:
        return True
    from moto.s3.models import s3_backends

    partition, account = s3_backends.bucket_accounts[bucket]
    s3_backends[account][partition].abort_multipart_upload(bucket, upload)
    return True


def _multipart(bucket: str, upload: str) -> Any:
    from moto.s3.models import s3_backends

    location = s3_backends.bucket_accounts.get(bucket)
    if location is None:
        return None
    partition, account = location
    found = s3_backends[account][partition].buckets.get(bucket)
    return None if found is None else found.multiparts.get(upload)


def deleted_keys(body: bytes) -> list[str]:
    """The keys a DeleteObjects request names."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(body)
    return [element.text or "" for element in root.iter() if element.tag.rsplit("}", 1)[-1] == "Key"]


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name.lower()), None)


def _key(bucket: str, key: str, version_id: str | None) -> Any:
    """moto's key object, or None (moto will answer the GET, errors included)."""
    from moto.s3.models import s3_backends

    location = s3_backends.bucket_accounts.get(bucket)
    if location is None:
        return None
    partition, account = location
    try:
        return s3_backends[account][partition].get_object(bucket, key, version_id=version_id)
    except Exception:  # no such key or version
        return None


def _open(found: Any) -> Any:
    """The key's file, open for reading; None when moto does not hold it in a file."""
    try:
        return open(found.file_path, "rb")  # closed by _chunks
    except (AttributeError, OSError):
        return None


def _get_checksum(headers: list[tuple[str, str]], key: Any) -> list[tuple[str, str]]:
    """The checksum headers as moto's GET sends them (its HEAD leaves out the type, and the part
    count of a composite checksum): clients validate a full GET against them."""
    if not key.checksum_algorithm:
        return headers
    name = f"x-amz-checksum-{key.checksum_algorithm.lower()}"
    value = key.checksum_value
    if key.checksum_type == "COMPOSITE":
        value = f"{value}-{key.checksum_parts}"
    kept = [(k, v) for k, v in headers if k.lower() not in (name, "x-amz-checksum-type")]
    kept.append((name, value))
    if key.checksum_type:
        kept.append(("x-amz-checksum-type", key.checksum_type))
    return kept


def _chunks(stream: Any, start: int, length: int) -> Iterator[bytes]:
    with stream:
        stream.seek(start)
        left = length
        while left > 0:
            chunk = stream.read(min(_READ_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
