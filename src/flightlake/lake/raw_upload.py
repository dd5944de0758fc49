"""Uploading a checked year file so that what was checked is what the lake stores, provably.

The contract check (`raw_contract`) hashes every byte it reads; `Fingerprint`, fed the same
bytes, computes what S3 will call the object: the MD5 of each 64 MB part and the ETag they make
(the MD5 of the whole for one part, of the parts' MD5s and their count for more). Then:

- a file of one part is uploaded from the very bytes the check read, kept in memory: one read;
- a bigger file is read again part by part, and each part must have the MD5 the check saw, and
  the whole the same sha256, before the upload completes; a file edited in between is refused
  ("changed while it was read") and its upload aborted, so the lake keeps its old object;
- every part goes with its Content-MD5 and the ETag S3 answers must be the expected one, so
  the bytes stored are the bytes sent; the object's metadata records the sha256 and that ETag.

"Unchanged" is decided on content: the stored object's ETag, computed by the lake from what it
holds, must be the file's. The metadata's sha256 is believed only when its recorded ETag is the
object's (`content_sha256`): anything written behind ingest's back shows as another file.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

from flightlake.errors import PermanentError

PART_BYTES = 64 * 1024 * 1024  # S3 parts of 64 MB: a 900 MB year is 15 parts
IN_FLIGHT = 2  # parts sent while the next one is read: 3 x 64 MB of memory at most
Sent = Callable[[int], None]  # bytes just stored, for a progress bar


CHANGED, STORED = "changed", "stored"  # the file changed under the upload; the lake kept other bytes


class UploadRefused(PermanentError):
    """An upload stopped because the file (`CHANGED`) or the lake (`STORED`) did not hold the
    bytes that were checked; `detail` says where."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


class Fingerprint:
    """A file's parts as S3 will see them, from its bytes in order."""

    def __init__(self, keep: bool) -> None:
        self.part_md5s: list[bytes] = []
        self.size = 0
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._in_part = 0
        self._kept: bytearray | None = bytearray() if keep else None

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            piece, view = view[: PART_BYTES - self._in_part], view[PART_BYTES - self._in_part :]
            self._md5.update(piece)
            self._in_part += len(piece)
            if self._in_part == PART_BYTES:
                self._end_part()
        self.size += len(data)
        if self._kept is not None:
            self._kept += data
            if len(self._kept) > PART_BYTES:
                self._kept = None  # more than one part: uploaded from a second read

    def finish(self) -> None:
        if self._in_part or not self.part_md5s:
            self._end_part()

    def _end_part(self) -> None:
        self.part_md5s.append(self._md5.digest())
        self._md5, self._in_part = hashlib.md5(usedforsecurity=False), 0

    @property
    def single(self) -> bool:
        return len(self.part_md5s) == 1

    @property
    def etag(self) -> str:
        if self.single:
            return self.part_md5s[0].hex()
        combined = hashlib.md5(b"".join(self.part_md5s), usedforsecurity=False).hexdigest()
        return f"{combined}-{len(self.part_md5s)}"

    @property
    def kept(self) -> bytes | None:
        """The file's bytes, when it is one part and they were kept."""
        return bytes(self._kept) if self._kept is not None and self.single else None


def content_sha256(head: dict[str, Any]) -> str | None:
    """The sha256 of an object's content: its metadata's, if the ETag ingest recorded beside it
    is the object's own (the lake computes that from the bytes it holds); else None."""
    metadata = head.get("Metadata", {})
    sha256, recorded = metadata.get("sha256"), metadata.get("etag")
    return sha256 if sha256 and recorded and recorded == etag_of(head) else None


def etag_of(answer: dict[str, Any]) -> str:
    return str(answer.get("ETag", "")).strip('"')


def put_single(s3: Any, bucket: str, key: str, data: bytes, fingerprint: Fingerprint, extra: dict[str, Any]) -> None:
    """One PUT of the checked bytes; the lake must answer their MD5."""
    answer = s3.put_object(Bucket=bucket, Key=key, Body=data, ContentMD5=_b64(fingerprint.part_md5s[0]), **extra)
    _expect(etag_of(answer), fingerprint.etag, key)


def put_multipart(
    s3: Any,
    bucket: str,
    key: str,
    stream: IO[bytes],
    fingerprint: Fingerprint,
    sha256: str,
    extra: dict[str, Any],
    sent: Sent,
    before_completing: Callable[[], None],
) -> None:
    """A multipart upload from `stream` (a second read of the checked file): each part must be
    the checked one; `before_completing` may still refuse (the file changed on disk). Anything
    that stops it aborts the upload, so the object is replaced whole or not at all."""
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **extra)["UploadId"]
    try:
        digest = hashlib.sha256()
        parts: list[Future[dict[str, Any]]] = []
        with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="upload-part") as pool:
            for number, data in enumerate(_parts(stream), start=1):
                md5 = hashlib.md5(data, usedforsecurity=False).digest()
                if number > len(fingerprint.part_md5s) or md5 != fingerprint.part_md5s[number - 1]:
                    where = f"its bytes from {(number - 1) * PART_BYTES:,} on are not the ones checked"
                    raise UploadRefused(CHANGED, where)
                digest.update(data)
                parts.append(pool.submit(_upload_part, s3, bucket, key, upload, number, data, md5, sent))
                _wait_for_room(parts)
            done = [part.result() for part in parts]
        if len(done) != len(fingerprint.part_md5s) or digest.hexdigest() != sha256:
            raise UploadRefused(CHANGED, f"read again, it is not the {fingerprint.size:,} bytes checked")
        before_completing()
        answer = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": done})
    except BaseException:
        abort(s3, bucket, key, upload)
        raise
    _expect(etag_of(answer), fingerprint.etag, key)


def abort(s3: Any, bucket: str, key: str, upload: str) -> None:
    """Abort a multipart upload; one the lake already aborted (a full disk) is gone all the same."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload)
    except (ClientError, BotoCoreError):
        pass  # already gone, or the lake is unreachable: its parts are removed when it next starts


def _upload_part(s3: Any, bucket: str, key: str, upload: str, number: int, data: bytes, md5: bytes, sent: Sent):
    answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=data, ContentMD5=_b64(md5))
    _expect(etag_of(answer), md5.hex(), f"{key} part {number}")
    sent(len(data))
    return {"PartNumber": number, "ETag": answer["ETag"]}


def _wait_for_room(parts: list[Future[dict[str, Any]]]) -> None:
    """Block until fewer than IN_FLIGHT parts are being sent (memory stays bounded)."""
    pending = [part for part in parts if not part.done()]
    for part in pending[: max(0, len(pending) - IN_FLIGHT + 1)]:
        part.result()


def _parts(stream: IO[bytes]) -> Iterator[bytes]:
    while True:
        data = stream.read(PART_BYTES)
        while data and len(data) < PART_BYTES:  # a short read is not the end of the file
            more = stream.read(PART_BYTES - len(data))
            if not more:
                break
            data += more
        if not data:
            return
        yield data


def _expect(answered: str, expected: str, what: str) -> None:
    if answered != expected:
        raise UploadRefused(STORED, f"the lake answered ETag {answered} for {what}, not {expected}")


def _b64(md5: bytes) -> str:
    return base64.b64encode(md5).decode()
