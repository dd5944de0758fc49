"""Object bytes in files, not in memory: moto's S3 keys, re-based on a directory of the store.

moto keeps every object's bytes in a `SpooledTemporaryFile` (memory up to 8 MiB, an anonymous
temporary file above): the lake lived in the emulator's RAM and died with it. Here each key's
bytes live in a file of its own under `<store>/objects/`, written before the request that made
the key is answered, so that the journal (`journal.py`) only has to record which file is which
key for an acknowledged write to survive the emulator's crash. A key's file is never rewritten:
a new key (a PUT over an old one) gets a new file, and the old file is removed once the journal
no longer points at it.

Completing a multipart upload concatenates the parts' files into the new key's file on disk,
instead of moto's concatenation of every part in memory (three copies of a 900 MB year file).
Patched for moto 5.2 (pinned in requirements/lock.txt); `install` checks the version.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import threading
import uuid
from pathlib import Path
from typing import IO, Any

SUPPORTED_MOTO = "5.2."
_COPY_CHUNK = 8 * 1024 * 1024


class ObjectFiles:
    """The directory of object files: one file per key object, named by a random id."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def new_path(self) -> Path:
        name = uuid.uuid4().hex
        folder = self.root / name[:2]
        folder.mkdir(exist_ok=True)
        return folder / name

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    def all_files(self) -> set[str]:
        return {self.relative(p) for p in self.root.glob("*/*") if p.is_file()}


class FileValue:
    """A value already in a file of the store (a completed multipart upload): adopted, not copied."""

    def __init__(self, path: Path, size: int) -> None:
        self.path, self.size = path, size


def install(files: ObjectFiles) -> None:
    """Make every S3 key moto creates from now on keep its bytes in `files`."""
    import moto
    import moto.s3.models as s3_models

    if not moto.__version__.startswith(SUPPORTED_MOTO):
        raise RuntimeError(f"the emulator's object store supports moto {SUPPORTED_MOTO}x, not {moto.__version__}")
    base = s3_models.FakeKey
    if getattr(base, "flightlake_files", None) is not None:
        base.flightlake_files = files
        return
    s3_models.FakeKey = _durable_key_class(base, files)
    s3_models.FakeMultipart.complete = _complete_on_disk


def _durable_key_class(base: type, files: ObjectFiles) -> type:
    class DurableKey(base):  # type: ignore[misc, valid-type]
        """A moto key whose bytes are a file of the store (created on the first write)."""

        flightlake_files: ObjectFiles = files

        @property
        def _value_buffer(self) -> IO[bytes]:
            if "_file" not in self.__dict__ and "_path" in self.__dict__:  # a copy (see __setstate__)
                self.__dict__["_file"] = open(self.__dict__["_path"], "rb")  # noqa: SIM115
            if "_file" not in self.__dict__:
                path = type(self).flightlake_files.new_path()
                self.__dict__["_path"] = path
                self.__dict__["_file"] = open(path, "w+b")  # noqa: SIM115 - lives as long as the key
            return self.__dict__["_file"]

        @_value_buffer.setter
        def _value_buffer(self, ignored: Any) -> None:
            # moto assigns a SpooledTemporaryFile in __init__ (and on unpickling): a file comes instead.
            if hasattr(ignored, "close"):
                ignored.close()

        @property
        def value(self) -> bytes:
            return base.value.fget(self)

        @value.setter
        def value(self, new_value: Any) -> None:
            if isinstance(new_value, FileValue):
                self._adopt(new_value.path, new_value.size)
                return
            try:
                base.value.fset(self, new_value)
                self._value_buffer.flush()  # in the kernel's hands before the request is answered
            except OSError:
                self._discard()  # a full disk: the part written so far must not keep it full
                raise

        @property
        def file_path(self) -> Path:
            self._value_buffer  # noqa: B018 - an empty key still has its (empty) file
            return self.__dict__["_path"]

        def _adopt(self, path: Path, size: int) -> None:
            """Take an existing file of the store as this key's bytes (restore, multipart)."""
            old = self.__dict__.pop("_file", None)
            if old is not None:
                old.close()
                self.__dict__["_path"].unlink(missing_ok=True)
            self.__dict__["_path"] = path
            self.__dict__["_file"] = open(path, "r+b")  # noqa: SIM115
            self.contentsize = size

        def _discard(self) -> None:
            """Close and delete this key's file (a write that failed: nothing may point at it)."""
            stream = self.__dict__.pop("_file", None)
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass  # the buffered rest could not be written either: the file goes anyway
            path = self.__dict__.pop("_path", None)
            if path is not None:
                path.unlink(missing_ok=True)
            self.contentsize = 0

        def __getstate__(self) -> dict[str, Any]:
            """moto copies keys (ListObjectVersions deep-copies every version): a copy names the
            same file, opened read-only when it is read, instead of carrying the bytes."""
            state = self.__dict__.copy()
            state.pop("_file", None)
            state.pop("lock", None)
            return state

        def __setstate__(self, state: dict[str, Any]) -> None:
            self.__dict__.update(state)
            self.lock = threading.Lock()

        def dispose(self, garbage: bool = False) -> None:
            """Close the file; delete it only for keys no journal row can name (upload parts)."""
            if "_file" in self.__dict__:
                base.dispose(self, garbage)
                if isinstance(self.name, int):  # a part of a multipart upload: moto names them by number
                    self.__dict__["_path"].unlink(missing_ok=True)
            self.disposed = True

    DurableKey.__name__ = DurableKey.__qualname__ = "FakeKey"
    return DurableKey


def adopt(key: Any, path: Path, size: int) -> None:
    key._adopt(path, size)


def _complete_on_disk(self: Any, body: Any) -> tuple[Any, str, Any]:
    """FakeMultipart.complete, with the same checks and answers as moto's (ETag, checksum), writing
    the object to a file of the store part by part instead of building it in memory."""
    from moto.s3.exceptions import EntityTooSmall, InvalidPart, MalformedXML
    from moto.s3.models import S3_UPLOAD_PART_MIN_SIZE, md5_hash

    decode_hex = codecs.getdecoder("hex_codec")
    parts = []
    md5s = bytearray()
    last = None
    for number, etag in body:
        part = self.parts.get(number)
        part_etag = part.etag.replace('"', "") if part is not None else None
        if part is None or part_etag != etag.replace('"', ""):
            raise InvalidPart()
        if last is not None and last.contentsize < S3_UPLOAD_PART_MIN_SIZE:
            raise EntityTooSmall()
        md5s.extend(decode_hex(part_etag)[0])
        parts.append(part)
        last = part
    if not parts:
        raise MalformedXML
    files: ObjectFiles = parts[0].flightlake_files
    target = files.new_path()
    checksum = _Checksum(self.metadata.get("x-amz-checksum-algorithm"), self.metadata.get("x-amz-checksum-type"))
    try:
        with open(target, "wb") as out:
            for part in parts:
                checksum.start_part()
                with open(part.file_path, "rb") as source:
                    while chunk := source.read(_COPY_CHUNK):
                        out.write(chunk)
                        checksum.update(chunk)
                checksum.end_part()
    except OSError:
        target.unlink(missing_ok=True)  # a full disk: the object so far goes, the parts stay for a retry
        raise
    full_etag = md5_hash()
    full_etag.update(bytes(md5s))
    value = FileValue(target, os.path.getsize(target))
    return value, f"{full_etag.hexdigest()}-{len(parts)}", checksum.build()


class _Checksum:
    """moto's MultipartChecksumBuilder, fed chunk by chunk: the same algorithm choice and the same
    answer (moto falls back to CRC32 where a CRC library is missing, and so does this)."""

    def __init__(self, algorithm: str | None, checksum_type: str | None) -> None:
        self.algorithm = algorithm or "CRC64NVME"
        self.type = checksum_type or ("FULL_OBJECT" if self.algorithm == "CRC64NVME" else "COMPOSITE")
        self.parts = 0
        self._composite = bytearray()
        self._part = bytearray()
        self._crc = 0
        self._digest = hashlib.sha1(usedforsecurity=False) if self.algorithm == "SHA1" else None
        if self.algorithm == "SHA256":
            self._digest = hashlib.sha256(usedforsecurity=False)

    def start_part(self) -> None:
        self._part = bytearray()

    def update(self, chunk: bytes) -> None:
        if self.type == "COMPOSITE":
            self._part.extend(chunk)  # a part is at most 5 GB by S3's rules; ours are 64 MB
        elif self._digest is not None:
            self._digest.update(chunk)
        else:
            self._crc = _crc_update(self.algorithm, chunk, self._crc)

    def end_part(self) -> None:
        from moto.s3.utils import compute_checksum

        if self.type == "COMPOSITE":
            self._composite.extend(compute_checksum(bytes(self._part), self.algorithm, encode_base64=False))
        self.parts += 1

    def build(self) -> tuple[str, str, int]:
        import base64

        from moto.s3.utils import compute_checksum

        if self.type == "COMPOSITE":
            return self.type, compute_checksum(bytes(self._composite), self.algorithm).decode(), self.parts
        if self._digest is not None:
            return self.type, base64.b64encode(self._digest.digest()).decode(), 1
        width = 8 if self.algorithm == "CRC64NVME" and _has_crt() else 4
        return self.type, base64.b64encode(self._crc.to_bytes(width, "big")).decode(), 1


def _has_crt() -> bool:
    from moto.s3.utils import HAS_CRT

    return bool(HAS_CRT)


def _crc_update(algorithm: str, chunk: bytes, previous: int) -> int:
    """One step of the full-object CRC moto computes, for the library this machine has."""
    import binascii

    if algorithm == "CRC64NVME" and _has_crt():
        from awscrt import checksums

        return checksums.crc64nvme(chunk, previous)
    if algorithm == "CRC32C":
        try:
            import crc32c

            return crc32c.crc32c(chunk, previous)
        except ImportError:
            pass
    return binascii.crc32(chunk, previous)
