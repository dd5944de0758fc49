"""A request body checked against its signature while it is read, without holding it twice.

An S3 upload's Content-MD5, when it has one, must be its body's MD5 (S3's BadDigest). Its
signature covers its body through x-amz-content-sha256: the body's sha256 in hex,
or, for an aws-chunked upload (Spark's S3A over http), `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: each
chunk carries a signature chained from the request's. `VerifyingInput` stands in for the WSGI
input: moto reads the bytes unchanged, and the check sees them on the way. moto reads the whole
body before it acts on a request, so a body that does not match raises `Refused` before anything
is written, and the authentication layer answers S3's error instead of moto's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
from typing import IO, Any, Protocol

from flightlake.local.emulator.refusals import (
    BAD_CHUNKS,
    BAD_DIGEST,
    INVALID_DIGEST,
    PAYLOAD_MISMATCH,
    SIGNATURE,
    Refused,
)
from flightlake.local.emulator.sigv4 import (
    EMPTY_SHA256,
    STREAMING_SIGNED,
    STREAMING_SIGNED_TRAILER,
    Verified,
    hmac_hex,
)

MAX_CHUNK_LINE = 4096  # "<hex size>;chunk-signature=<64 hex>" and trailer lines are far shorter
_READ = 1024 * 1024


class PayloadCheck(Protocol):
    def feed(self, data: bytes) -> None: ...

    def finish(self) -> None: ...


class Sha256Check:
    """The body's sha256 must be the hex digest the request signed."""

    def __init__(self, expected: str) -> None:
        self.expected, self.digest = expected, hashlib.sha256()

    def feed(self, data: bytes) -> None:
        self.digest.update(data)

    def finish(self) -> None:
        computed = self.digest.hexdigest()
        if computed != self.expected:
            fields = {"ClientComputedContentSHA256": self.expected, "S3ComputedContentSHA256": computed}
            raise Refused(PAYLOAD_MISMATCH, fields=fields)


class SignedChunks:
    """An aws-chunked body whose every chunk (and trailer) is signed:

        <hex size>;chunk-signature=<sig>\\r\\n<data>\\r\\n … 0;chunk-signature=<sig>\\r\\n[trailers]\\r\\n

    Each chunk's signature signs its data's sha256 and the signature before it, starting from the
    request's own; the trailer's (x-amz-trailer-signature) signs the trailing headers."""

    def __init__(self, verified: Verified, decoded_length: int | None) -> None:
        self.key, self.signature = verified.signing_key, verified.signature
        self.previous = verified.signature.signature
        self.trailer = verified.payload == STREAMING_SIGNED_TRAILER
        self.decoded_length, self.decoded = decoded_length, 0
        self.buffer = b""
        self.state = "size"  # size -> data -> end-of-data -> size ... -> trailer | end -> done
        self.size = self.left = 0
        self.chunk_signature = ""
        self.digest = hashlib.sha256()
        self.trailers: list[str] = []

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer and self.state != "done":
            if self.state == "data":
                piece, self.buffer = self.buffer[: self.left], self.buffer[self.left :]
                self.digest.update(piece)
                self.left -= len(piece)
                if self.left == 0:
                    self.state = "end-of-data"
                continue
            line = self._line()
            if line is None:
                return
            self._line_read(line)
        if self.buffer and self.state == "done":
            raise Refused(BAD_CHUNKS, "(bytes after the last chunk)")

    def finish(self) -> None:
        if self.state != "done":
            raise Refused(BAD_CHUNKS, "(the body ends before its last chunk)")
        if self.decoded_length is not None and self.decoded != self.decoded_length:
            said = f"(x-amz-decoded-content-length says {self.decoded_length} bytes, the chunks hold {self.decoded})"
            raise Refused(BAD_CHUNKS, said)

    def _line(self) -> str | None:
        end = self.buffer.find(b"\r\n")
        if end < 0:
            if len(self.buffer) > MAX_CHUNK_LINE:
                raise Refused(BAD_CHUNKS, "(a chunk header line is too long)")
            return None
        line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
        return line.decode("latin-1")

    def _line_read(self, line: str) -> None:
        if self.state == "end-of-data":
            if line:
                raise Refused(BAD_CHUNKS, "(a chunk is longer than its size says)")
            self._chunk_done()
        elif self.state == "size":
            self._chunk_header(line)
        elif self.state == "trailer":
            self._trailer_line(line)
        elif self.state == "end":
            if line:
                raise Refused(BAD_CHUNKS, "(bytes after the last chunk)")
            self.state = "done"

    def _chunk_header(self, line: str) -> None:
        size, _, extension = line.partition(";")
        name, _, signature = extension.partition("=")
        try:
            self.size = self.left = int(size, 16)
        except ValueError:
            raise Refused(BAD_CHUNKS, f"(a chunk size {size[:20]!r} is not hexadecimal)") from None
        if name != "chunk-signature" or not signature or self.size < 0:
            raise Refused(BAD_CHUNKS, "(a chunk carries no chunk-signature)")
        self.chunk_signature, self.digest = signature, hashlib.sha256()
        if self.size:
            self.state = "data"
        else:
            self._chunk_done()

    def _chunk_done(self) -> None:
        """Check the chunk just read; the empty chunk is the last one."""
        head = ("AWS4-HMAC-SHA256-PAYLOAD", self.signature.timestamp, self.signature.scope, self.previous)
        to_sign = "\n".join((*head, EMPTY_SHA256, self.digest.hexdigest()))
        self._check(to_sign, self.chunk_signature, "a chunk's signature")
        self.previous = self.chunk_signature
        self.decoded += self.size
        if self.size:
            self.state = "size"
        else:
            self.state = "trailer" if self.trailer else "end"

    def _trailer_line(self, line: str) -> None:
        name, _, value = line.partition(":")
        if name.strip().lower() != "x-amz-trailer-signature":
            if not line:
                raise Refused(BAD_CHUNKS, "(the trailer has no x-amz-trailer-signature)")
            self.trailers.append(f"{name.strip().lower()}:{value.strip()}\n")
            return
        digest = hashlib.sha256("".join(self.trailers).encode()).hexdigest()
        to_sign = "\n".join(
            ("AWS4-HMAC-SHA256-TRAILER", self.signature.timestamp, self.signature.scope, self.previous, digest)
        )
        self._check(to_sign, value.strip(), "the trailer's signature")
        self.state = "end"

    def _check(self, to_sign: str, provided: str, what: str) -> None:
        if not hmac.compare_digest(hmac_hex(self.key, to_sign).encode(), provided.lower().encode()):
            raise Refused(SIGNATURE, f"({what} does not match)", {"StringToSign": to_sign})


class VerifyingInput(io.RawIOBase):
    """The WSGI input, read through `check`: at most `length` bytes (the Content-Length), or to
    the end of a body sent with Transfer-Encoding: chunked (`length` None). The check's refusal,
    raised when the bytes that break it are read, is kept in `refused` too."""

    def __init__(self, raw: IO[bytes], length: int | None, check: PayloadCheck) -> None:
        super().__init__()
        self.raw, self.left, self.check = raw, length, check
        self.refused: Refused | None = None
        self.finished = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.finished:
            return 0
        size = len(buffer) if self.left is None else min(len(buffer), self.left)
        data = self.raw.read(size) if size else b""
        try:
            if data:
                self.check.feed(data)
                if self.left is not None:
                    self.left -= len(data)
            if not data or self.left == 0:
                self.finished = True
                self.check.finish()
        except Refused as refused:
            self.refused = refused
            raise
        buffer[: len(data)] = data
        return len(data)

    def drain(self) -> None:
        """Read what the application left unread, through the check (a refusal is kept)."""
        try:
            while self.read(_READ):
                pass
        except Refused:
            pass


class Md5Check:
    """The body's MD5 must be its Content-MD5 (S3's BadDigest): moto does not check it."""

    def __init__(self, expected: bytes) -> None:
        self.expected, self.digest = expected, hashlib.md5(usedforsecurity=False)

    def feed(self, data: bytes) -> None:
        self.digest.update(data)

    def finish(self) -> None:
        if self.digest.digest() != self.expected:
            computed = base64.b64encode(self.digest.digest()).decode()
            raise Refused(
                BAD_DIGEST,
                fields={"ExpectedDigest": base64.b64encode(self.expected).decode(), "CalculatedDigest": computed},
            )


class AllOf:
    def __init__(self, checks: list[PayloadCheck]) -> None:
        self.checks = checks

    def feed(self, data: bytes) -> None:
        for check in self.checks:
            check.feed(data)

    def finish(self) -> None:
        for check in self.checks:
            check.finish()


def payload_check(verified: Verified, environ: dict[str, Any]) -> PayloadCheck | None:
    """What the body of a verified S3 request must satisfy: the digest or the chunk signatures
    its signature covers, and its Content-MD5; None when nothing is to be checked (another
    service's body was already hashed into its signature)."""
    if verified.signature.service != "s3":
        return None
    payload = verified.payload
    if payload in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER):
        decoded = str(environ.get("HTTP_X_AMZ_DECODED_CONTENT_LENGTH", ""))
        return SignedChunks(verified, int(decoded) if decoded.isdigit() else None)
    checks: list[PayloadCheck] = [Sha256Check(payload)] if len(payload) == 64 else []
    content_md5 = str(environ.get("HTTP_CONTENT_MD5", "")).strip()
    chunked = "aws-chunked" in str(environ.get("HTTP_CONTENT_ENCODING", "")) or payload.startswith("STREAMING-")
    copy = bool(environ.get("HTTP_X_AMZ_COPY_SOURCE"))  # no body: S3 ignores what the Java SDK sends
    if content_md5 and not chunked and not copy:  # of an aws-chunked body, it covers the decoded bytes
        try:
            expected = base64.b64decode(content_md5, validate=True)
        except ValueError:
            expected = b""
        if len(expected) != 16:
            raise Refused(INVALID_DIGEST, fields={"Content-MD5": content_md5[:64]})
        checks.append(Md5Check(expected))
    return AllOf(checks) if checks else None
