"""AWS Signature Version 4, checked the way AWS checks it: the emulator's authentication.

A request is signed in its Authorization header
(`AWS4-HMAC-SHA256 Credential=KEY/20240101/us-east-1/s3/aws4_request, SignedHeaders=…, Signature=…`)
or, presigned, in its query (`X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
`X-Amz-SignedHeaders`, `X-Amz-Signature`). The emulator rebuilds the canonical request from the
request as it arrived, signs it with the one secret key it knows, and compares.

Clients differ in how they percent-encode a path or a query on the wire (botocore and the Java
SDK encode `=` in a key, the C++ SDK behind pyarrow may not), and each signs what it sends. So
the canonical forms tried are the request's own encoding and RFC 3986's: a signature that
matches either was made with the secret key over this method, path, query and headers. Nothing
else is lenient: every x-amz-* header of an S3 request must be signed, the request time must be
within 15 minutes of the emulator's clock, and a presigned URL must not have expired.

The body is not read here: `signed_payload` checks it against x-amz-content-sha256 (or the
chunk signatures of an aws-chunked upload) as it is read.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

from flightlake.local.emulator.refusals import (
    BAD_PAYLOAD_HASH,
    EXPIRED,
    MALFORMED,
    MALFORMED_QUERY,
    MISSING_HEADER,
    SIGNATURE,
    SKEWED,
    TOKEN,
    UNKNOWN_KEY,
    UNSIGNED_HEADERS,
    UNSUPPORTED,
    Refused,
)
from flightlake.local.emulator.wsgi import Environ

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=15)
MAX_EXPIRES_S = 7 * 24 * 3600
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
PAYLOAD_MODES = (UNSIGNED_PAYLOAD, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER)
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"\d{8}T\d{6}Z")
_ISO = "%Y-%m-%dT%H:%M:%SZ"
_PRESIGNED = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature")
_QUERY_PARTS = ("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature")


@dataclass(frozen=True)
class Credentials:
    """The one key pair the emulator accepts: its stack's generated credentials."""

    access_key: str
    secret_key: str


@dataclass(frozen=True)
class Signature:
    """What a request's signature claims: who signed it, when, for which region and service."""

    access_key: str
    date: str  # YYYYMMDD, the credential scope's
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str  # x-amz-date (or X-Amz-Date of a presigned URL), YYYYMMDDTHHMMSSZ
    presigned: bool
    expires: int = 0  # seconds, a presigned URL's

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


@dataclass(frozen=True)
class Verified:
    """A request whose signature the secret key made, and what checking its body needs."""

    signature: Signature
    signing_key: bytes
    payload: str  # as signed: a sha256 hex digest, UNSIGNED-PAYLOAD or a STREAMING-… mode


def claimed(environ: Environ) -> Signature | None:
    """The signature a request carries, in its header or its query; None for an anonymous one."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", "")).strip()
    params = _query_params(str(environ.get("QUERY_STRING", "")))
    presigned = any(name in params for name in _PRESIGNED)
    if authorization:
        if presigned:
            raise Refused(MALFORMED, "(a request is signed in its Authorization header or in its query, not both)")
        return _from_header(environ, authorization)
    if presigned:
        return _from_query(params)
    if "Signature" in params and "AWSAccessKeyId" in params:
        raise Refused(UNSUPPORTED, "(this is a Signature Version 2 URL)")
    return None


def verify(
    environ: Environ, signature: Signature, credentials: Credentials, now: datetime, body_sha256: str | None = None
) -> Verified:
    """The request's signature checked against `credentials`, or `Refused` saying why not.
    `body_sha256` is the body's digest, needed for every service but S3 (whose clients put it in
    x-amz-content-sha256, checked later as the body is read)."""
    if not hmac.compare_digest(signature.access_key.encode(), credentials.access_key.encode()):
        raise Refused(UNKNOWN_KEY, fields={"AWSAccessKeyId": signature.access_key[:128]})
    if environ.get("HTTP_X_AMZ_SECURITY_TOKEN") or "X-Amz-Security-Token" in _query_params(environ["QUERY_STRING"]):
        raise Refused(TOKEN, "(the emulator's credentials have no session token: unset AWS_SESSION_TOKEN)")
    _check_time(signature, now)
    if "host" not in signature.signed_headers:
        raise Refused(MALFORMED, "(SignedHeaders must include host)")
    if signature.service == "s3":
        unsigned = _unsigned_amz_headers(environ, signature.signed_headers)
        if unsigned:
            raise Refused(UNSIGNED_HEADERS, f"({', '.join(unsigned)})", {"HeadersNotSigned": ", ".join(unsigned)})
    payload = _payload(environ, signature, body_sha256)
    key = signing_key(credentials.secret_key, signature.date, signature.region, signature.service)
    tried: list[tuple[str, str]] = []
    for canonical in canonical_requests(environ, signature, payload):
        to_sign = string_to_sign(signature, canonical)
        if hmac.compare_digest(_hmac(key, to_sign).hex().encode(), signature.signature.encode()):
            return Verified(signature, key, payload)
        tried.append((canonical, to_sign))
    canonical, to_sign = tried[0]
    fields = {
        "AWSAccessKeyId": signature.access_key,
        "StringToSign": to_sign,
        "SignatureProvided": signature.signature[:128],
        "CanonicalRequest": canonical[:4096],
    }
    raise Refused(SIGNATURE, fields=fields)


@functools.lru_cache(maxsize=64)
def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def string_to_sign(signature: Signature, canonical_request: str) -> str:
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return f"{ALGORITHM}\n{signature.timestamp}\n{signature.scope}\n{digest}"


def hmac_hex(key: bytes, text: str) -> str:
    return _hmac(key, text).hex()


def canonical_requests(environ: Environ, signature: Signature, payload: str) -> Iterator[str]:
    """The canonical request in each encoding a client may have signed (see the module's doc)."""
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    raw_path, raw_query = _raw_target(environ)
    headers = "".join(f"{name}:{_header_value(environ, name)}\n" for name in signature.signed_headers)
    signed = ";".join(signature.signed_headers)
    seen: set[str] = set()
    for path in _paths(raw_path, signature.service):
        for query in _queries(raw_query, signature.presigned):
            text = f"{method}\n{path}\n{query}\n{headers}\n{signed}\n{payload}"
            if text not in seen:
                seen.add(text)
                yield text


def _from_header(environ: Environ, authorization: str) -> Signature:
    scheme, _, rest = authorization.partition(" ")
    if scheme != ALGORITHM:
        raise Refused(UNSUPPORTED, f"(the Authorization header starts {scheme[:40]!r})")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        name, _, value = item.strip().partition("=")
        parts[name] = value.strip()
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if not parts.get(name)]
    if missing:
        raise Refused(MALFORMED, f"(it has no {', '.join(missing)})")
    timestamp = str(environ.get("HTTP_X_AMZ_DATE", "")).strip()
    if not timestamp:
        raise Refused(MISSING_HEADER, "(x-amz-date)", {"MissingHeaderName": "x-amz-date"})
    return _signature(parts["Credential"], parts["SignedHeaders"], parts["Signature"], timestamp, MALFORMED)


def _from_query(params: dict[str, str]) -> Signature:
    algorithm = params.get("X-Amz-Algorithm", "")
    if algorithm != ALGORITHM:
        raise Refused(UNSUPPORTED, f"(X-Amz-Algorithm is {algorithm[:40]!r})")
    missing = [name for name in _QUERY_PARTS if not params.get(name)]
    if missing:
        raise Refused(MALFORMED_QUERY, f"(the query has no {', '.join(missing)})")
    expires = params["X-Amz-Expires"]
    if not expires.isdigit() or not 0 < int(expires) <= MAX_EXPIRES_S:
        raise Refused(MALFORMED_QUERY, f"(X-Amz-Expires must be a number of seconds from 1 to {MAX_EXPIRES_S})")
    found = _signature(
        params["X-Amz-Credential"], params["X-Amz-SignedHeaders"], params["X-Amz-Signature"],
        params["X-Amz-Date"], MALFORMED_QUERY,
    )  # fmt: skip
    return Signature(**{**found.__dict__, "presigned": True, "expires": int(expires)})


def _signature(credential: str, signed_headers: str, signature: str, timestamp: str, malformed: str) -> Signature:
    pieces = credential.split("/")
    if len(pieces) != 5 or pieces[4] != "aws4_request" or not all(pieces):
        shape = "KEY/YYYYMMDD/region/service/aws4_request"
        raise Refused(malformed, f"(the Credential {credential[:120]!r} is not {shape})")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise Refused(malformed, f"(the request time {timestamp[:40]!r} is not YYYYMMDDTHHMMSSZ)")
    if timestamp[:8] != pieces[1]:
        raise Refused(malformed, "(Invalid credential date. Date is not the same as X-Amz-Date.)")
    names = tuple(signed_headers.lower().split(";"))
    return Signature(pieces[0], pieces[1], pieces[2], pieces[3], names, signature.lower(), timestamp, False)


def _check_time(signature: Signature, now: datetime) -> None:
    when = datetime.strptime(signature.timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    server_time = now.strftime(_ISO)
    times = {"RequestTime": signature.timestamp, "ServerTime": server_time}
    if signature.presigned:
        ends = when + timedelta(seconds=signature.expires)
        if now > ends:
            expiry = {"X-Amz-Expires": str(signature.expires), "Expires": ends.strftime(_ISO)}
            raise Refused(EXPIRED, fields={**expiry, "ServerTime": server_time})
        if when - now > MAX_SKEW:
            raise Refused(SKEWED, "(the URL is not valid yet)", times)
    elif abs(now - when) > MAX_SKEW:
        said = f"(the request was signed at {signature.timestamp}, the emulator's clock says {server_time})"
        raise Refused(SKEWED, said, {**times, "MaxAllowedSkewMilliseconds": "900000"})


def _payload(environ: Environ, signature: Signature, body_sha256: str | None) -> str:
    """The payload line of the canonical request."""
    if signature.service != "s3":
        return body_sha256 or EMPTY_SHA256
    if signature.presigned:
        return _query_params(environ["QUERY_STRING"]).get("X-Amz-Content-Sha256", UNSIGNED_PAYLOAD)
    value = str(environ.get("HTTP_X_AMZ_CONTENT_SHA256", "")).strip()
    if not value:
        raise Refused(MISSING_HEADER, "(x-amz-content-sha256)", {"MissingHeaderName": "x-amz-content-sha256"})
    if value not in PAYLOAD_MODES and not _HEX_DIGEST.fullmatch(value):
        raise Refused(BAD_PAYLOAD_HASH, fields={"ArgumentName": "x-amz-content-sha256", "ArgumentValue": value[:100]})
    return value


def _unsigned_amz_headers(environ: Environ, signed: tuple[str, ...]) -> list[str]:
    """The x-amz-* headers of the request its signature does not cover (S3 refuses those)."""
    covered = {name.replace("_", "-") for name in signed}
    preserved = environ.get("moto.preserved_header_names", {})
    names = [preserved.get(key, key[5:].replace("_", "-")).lower() for key in environ if key.startswith("HTTP_X_AMZ_")]
    return sorted(name for name in names if name.replace("_", "-") not in covered)


def _header_value(environ: Environ, name: str) -> str:
    key = name.upper().replace("-", "_")
    value = environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}", "")
    return " ".join(str(value).split())  # trimmed, inner runs of spaces as one (the spec's Trimall)


def _raw_target(environ: Environ) -> tuple[str, str]:
    """The path and query as they were sent, before any decoding."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        if "://" in raw.split("?", 1)[0]:  # an absolute URI in the request line
            raw = "/" + raw.split("://", 1)[1].partition("/")[2]
        path, _, query = raw.partition("?")
        return path or "/", query
    path = str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace")
    return quote(path or "/", safe="/"), str(environ.get("QUERY_STRING", ""))


def _paths(raw: str, service: str) -> list[str]:
    """S3 signs the path as it is; other services sign it normalised and encoded once more."""
    strict = quote(unquote(raw), safe="/")
    if service == "s3":
        return [raw, strict]
    return [quote(_remove_dot_segments(raw), safe="/~"), quote(_remove_dot_segments(strict), safe="/~"), raw]


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if output:
                output.pop()
        elif segment and segment != ".":
            output.append(segment)
    return "/" + "/".join(output) + ("/" if path.endswith("/") and output else "")


def _queries(raw: str, presigned: bool) -> list[str]:
    pairs = [pair.partition("=")[::2] for pair in raw.split("&")] if raw else []
    if presigned:
        pairs = [(name, value) for name, value in pairs if name != "X-Amz-Signature"]
    as_sent = "&".join(f"{name}={value}" for name, value in sorted(pairs))
    strict = [(quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~")) for name, value in pairs]
    return [as_sent, "&".join(f"{name}={value}" for name, value in sorted(strict))]


def _query_params(query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in query.split("&") if query else []:
        name, _, value = pair.partition("=")
        params.setdefault(unquote(name), unquote(value))
    return params


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()
