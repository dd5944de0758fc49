"""The emulator's SigV4 check against requests signed by botocore itself (the signer every boto3
client uses): what it signs is accepted, whatever the key names hold; a request changed after
signing, signed with another key, or out of time is refused with the reason AWS gives. The
aws-chunked bodies S3A sends are built here as the S3 documentation describes them (a real
Spark upload goes through the emulator in tests/local/test_stack.py)."""

from __future__ import annotations

import hashlib
import hmac
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from flightlake.local.emulator import refusals
from flightlake.local.emulator.refusals import Refused
from flightlake.local.emulator.signed_payload import SignedChunks, VerifyingInput, payload_check
from flightlake.local.emulator.sigv4 import STREAMING_SIGNED, Credentials, claimed, signing_key, verify

KEYS = Credentials("FLTESTACCESSKEY01", "test-secret-key/with+symbols")
HOST = "127.0.0.1:4566"


def environ_of(request: AWSRequest, body: bytes | None = None) -> dict:
    """The WSGI environ werkzeug builds from the request as it goes on the wire."""
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    data = body if body is not None else (prepared.body or b"")
    data = data.encode() if isinstance(data, str) else data
    environ = {
        "REQUEST_METHOD": prepared.method,
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "RAW_URI": parts.path + (f"?{parts.query}" if parts.query else ""),
        "wsgi.input": io.BytesIO(data),
        "CONTENT_LENGTH": str(len(data)),
    }
    for name, value in prepared.headers.items():
        key = name.upper().replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"
        environ[key] = value.decode() if isinstance(value, bytes) else value
    environ.setdefault("HTTP_HOST", HOST)
    return environ


class StreamingAuth(S3SigV4Auth):
    """botocore's S3 signer for a request whose body goes as signed aws-chunks (as S3A sends it)."""

    def payload(self, request):
        return STREAMING_SIGNED


def signed(method, path, body=b"", headers=None, keys=KEYS, service="s3", auth=None):
    request = AWSRequest(method=method, url=f"http://{HOST}{path}", data=body, headers=headers or {})
    auth = auth or (S3SigV4Auth if service == "s3" else SigV4Auth)
    auth(BotoCredentials(keys.access_key, keys.secret_key), service, "us-east-1").add_auth(request)
    return request


def check(environ: dict, now: datetime | None = None):
    signature = claimed(environ)
    assert signature is not None
    body = None
    if signature.service != "s3":
        body = hashlib.sha256(environ["wsgi.input"].read()).hexdigest()
    return verify(environ, signature, KEYS, now or datetime.now(UTC), body)


def refusal(environ: dict, now: datetime | None = None) -> Refused:
    with pytest.raises(Refused) as raised:
        check(environ, now)
    return raised.value


@pytest.mark.parametrize(
    "path",
    [
        "/flightlake-raw/flights/year=2013/2013.csv",
        "/flightlake-stage/a%20b%2Bc%3Dd/%C3%A9t%C3%A9.parquet",  # space, plus, equals, UTF-8
        "/flightlake-raw/?list-type=2&prefix=flights%2Fyear%3D2013%2F&delimiter=%2F",
        "/flightlake-raw/big.bin?uploadId=abc%2Bdef&partNumber=3",
        "/flightlake-raw/?delete",
    ],
)
def test_what_botocore_signs_is_accepted(path):
    assert check(environ_of(signed("PUT", path, b"payload"))).signature.service == "s3"


def test_json_and_query_services_are_checked_over_their_body():
    glue = signed("POST", "/", b'{"Name": "db"}', {"X-Amz-Target": "AWSGlue.GetDatabase"}, service="glue")
    assert check(environ_of(glue)).signature.service == "glue"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    sts = signed("POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15", form, service="sts")
    assert check(environ_of(sts)).signature.service == "sts"
    tampered = environ_of(glue, body=b'{"Name": "other"}')
    assert refusal(tampered).kind == refusals.SIGNATURE


def test_a_presigned_url_is_accepted_until_it_expires():
    request = AWSRequest(method="GET", url=f"http://{HOST}/flightlake-raw/2013.csv")
    S3SigV4QueryAuth(BotoCredentials(KEYS.access_key, KEYS.secret_key), "s3", "us-east-1", expires=60).add_auth(request)
    environ = environ_of(request)
    assert check(environ).signature.presigned
    later = refusal(environ_of(request), datetime.now(UTC) + timedelta(minutes=2))
    assert later.kind == refusals.EXPIRED and later.fields["X-Amz-Expires"] == "60"


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        (lambda e: e.update(RAW_URI="/flightlake-raw/other.csv", PATH_INFO="/flightlake-raw/other.csv"), refusals.SIGNATURE),
        (lambda e: e.update(REQUEST_METHOD="DELETE"), refusals.SIGNATURE),
        (lambda e: e.update(HTTP_X_AMZ_META_ROWS="999"), refusals.UNSIGNED_HEADERS),
        (lambda e: e.pop("HTTP_X_AMZ_CONTENT_SHA256"), refusals.MISSING_HEADER),
        (lambda e: e.update(HTTP_X_AMZ_CONTENT_SHA256="not-a-digest"), refusals.BAD_PAYLOAD_HASH),
        (lambda e: e.update(HTTP_X_AMZ_SECURITY_TOKEN="token"), refusals.TOKEN),
        (lambda e: e.update(HTTP_AUTHORIZATION="AWS FLTESTACCESSKEY01:c2lnbmF0dXJl"), refusals.UNSUPPORTED),
        (lambda e: e.update(HTTP_AUTHORIZATION="AWS4-HMAC-SHA256 Credential=FLTESTACCESSKEY01/x"), refusals.MALFORMED),
    ],
    ids=["other path", "other method", "a header added", "no payload hash", "bad payload hash", "session token",
         "signature version 2", "malformed header"],
)  # fmt: skip
def test_a_request_changed_after_signing_is_refused_with_the_reason(change, kind):
    environ = environ_of(signed("PUT", "/flightlake-raw/2013.csv", b"payload", {"x-amz-meta-sha256": "abc"}))
    change(environ)
    assert refusal(environ).kind == kind


def test_another_key_or_secret_or_clock_is_refused():
    other_key = environ_of(signed("GET", "/flightlake-raw/", keys=Credentials("AKIAOTHERKEY", KEYS.secret_key)))
    refused = refusal(other_key)
    assert (refused.kind, refused.fields["AWSAccessKeyId"]) == (refusals.UNKNOWN_KEY, "AKIAOTHERKEY")
    wrong_secret = refusal(environ_of(signed("GET", "/flightlake-raw/", keys=Credentials(KEYS.access_key, "x"))))
    assert wrong_secret.kind == refusals.SIGNATURE and "CanonicalRequest" in wrong_secret.fields
    skewed = refusal(environ_of(signed("GET", "/flightlake-raw/")), datetime.now(UTC) + timedelta(minutes=16))
    assert skewed.kind == refusals.SKEWED
    assert claimed({"QUERY_STRING": "", "REQUEST_METHOD": "PUT"}) is None  # anonymous


def test_the_body_must_be_the_one_the_signature_names():
    environ = environ_of(signed("PUT", "/flightlake-raw/2013.csv", b"the bytes that were signed"))
    environ["wsgi.input"] = io.BytesIO(b"the bytes that were sent!!")
    stream = VerifyingInput(environ["wsgi.input"], 26, payload_check(check(environ), environ))
    with pytest.raises(Refused) as raised:
        stream.read()
    assert raised.value.kind == refusals.PAYLOAD_MISMATCH and stream.refused is raised.value


def aws_chunked(verified, chunks: list[bytes]) -> bytes:
    """A STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, signed as the S3 documentation describes."""
    signature, previous, out = verified.signature, verified.signature.signature, b""
    key = signing_key(KEYS.secret_key, signature.date, signature.region, signature.service)
    for data in [*chunks, b""]:
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256-PAYLOAD", signature.timestamp, signature.scope, previous,
             hashlib.sha256(b"").hexdigest(), hashlib.sha256(data).hexdigest()]
        )  # fmt: skip
        previous = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        out += f"{len(data):x};chunk-signature={previous}\r\n".encode() + data + b"\r\n"
    return out


def chunked_upload(chunks: list[bytes], tamper=lambda body: body) -> tuple[VerifyingInput, bytes]:
    headers = {"x-amz-decoded-content-length": str(sum(map(len, chunks)))}
    environ = environ_of(signed("PUT", "/flightlake-stage/part-0000.parquet", headers=headers, auth=StreamingAuth))
    verified = check(environ)
    body = tamper(aws_chunked(verified, chunks))
    check_ = payload_check(verified, environ)
    assert isinstance(check_, SignedChunks)
    return VerifyingInput(io.BytesIO(body), len(body), check_), body


def test_signed_chunks_pass_unchanged_and_a_changed_chunk_is_refused():
    chunks = [b"a" * 65536, b"b" * 100, b"\r\n;chunk-signature=x\r\n"]
    stream, body = chunked_upload(chunks)
    assert b"".join(iter(lambda: stream.read(1000), b"")) == body  # moto decodes it itself
    tampered, _ = chunked_upload(chunks, lambda body: body.replace(b"b" * 100, b"c" * 100))
    with pytest.raises(Refused) as raised:
        tampered.read()
    assert raised.value.kind == refusals.SIGNATURE
    cut, _ = chunked_upload(chunks, lambda body: body[: len(body) // 2])
    with pytest.raises(Refused) as raised:
        cut.read()
    assert raised.value.kind == refusals.BAD_CHUNKS
