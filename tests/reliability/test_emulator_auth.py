"""The emulator authenticates like S3: a request that is not signed with the stack's own
credentials gets the error AWS gives and changes nothing; whatever it acknowledges is in its
durable journal. Requests go over real HTTP to the session's emulator: unsigned ones as curl
sends them, signed ones by boto3 (with other keys, or changed after botocore signed them)."""

from __future__ import annotations

import base64
import hashlib
import http.client
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from flightlake.local.emulator.lake_store import JOURNAL_FILE
from tests.conftest import StackHandle

pytestmark = pytest.mark.integration
PREFIX = "auth-test/"


@pytest.fixture
def stack(embedded_stack: StackHandle) -> StackHandle:
    return embedded_stack


def send(stack: StackHandle, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    """One HTTP request, exactly as given (no signature unless its headers carry one)."""
    endpoint = urlsplit(stack.env["AWS_ENDPOINT_URL"])
    with closing(http.client.HTTPConnection(endpoint.hostname, endpoint.port, timeout=30)) as connection:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read().decode()


def signed_request(stack: StackHandle, method: str, path: str, body: bytes, service="s3", secret=None, headers=None):
    endpoint = stack.env["AWS_ENDPOINT_URL"]
    request = AWSRequest(method=method, url=f"{endpoint}{path}", data=body, headers=headers or {})
    keys = Credentials(stack.env["AWS_ACCESS_KEY_ID"], secret or stack.env["AWS_SECRET_ACCESS_KEY"])
    (S3SigV4Auth if service == "s3" else SigV4Auth)(keys, service, "us-east-1").add_auth(request)
    return {name: value for name, value in request.headers.items()}


def client(stack: StackHandle, service: str, access_key: str | None = None, secret_key: str | None = None):
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=access_key or stack.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=secret_key or stack.env["AWS_SECRET_ACCESS_KEY"],
    )
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    return session.client(service, endpoint_url=stack.env["AWS_ENDPOINT_URL"], region_name="us-east-1", config=config)


def journal_keys(stack: StackHandle, bucket: str) -> set[str]:
    """The keys under PREFIX the durable journal holds: what survives a restart."""
    path = stack.settings.state_dir / "emulator" / "store" / JOURNAL_FILE
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as journal:
        rows = journal.execute("SELECT key FROM objects WHERE bucket = ? AND key LIKE ?", (bucket, f"{PREFIX}%"))
        return {key for (key,) in rows}


def listed_keys(stack: StackHandle, bucket: str) -> set[str]:
    answer = client(stack, "s3").list_objects_v2(Bucket=bucket, Prefix=PREFIX)
    return {item["Key"] for item in answer.get("Contents", [])}


@pytest.fixture
def raw(stack: StackHandle) -> Iterator[str]:
    bucket = stack.settings.zone("raw").bucket
    yield bucket
    s3 = client(stack, "s3")
    for key in listed_keys(stack, bucket):
        s3.delete_object(Bucket=bucket, Key=key)


def test_unsigned_writes_get_s3s_403_and_change_nothing(stack, raw):
    status, body = send(stack, "PUT", f"/{raw}/{PREFIX}unsigned.csv", b"a,b\n", {"Content-Type": "text/csv"})
    assert status == 403 and "<Code>AccessDenied</Code>" in body and "flightlake env" in body
    status, body = send(stack, "PUT", "/flightlake-unsigned-bucket")
    assert status == 403 and "<Code>AccessDenied</Code>" in body
    status, body = send(stack, "DELETE", f"/{raw}/{PREFIX}kept.csv")
    assert status == 403
    s3 = client(stack, "s3")
    assert "flightlake-unsigned-bucket" not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert listed_keys(stack, raw) == journal_keys(stack, raw) == set()


@pytest.mark.parametrize(
    ("access_key", "secret_key", "code"),
    [(None, "not-the-secret", "SignatureDoesNotMatch"), ("AKIAANOTHERKEY000000", None, "InvalidAccessKeyId")],
    ids=["wrong secret", "unknown key"],
)
def test_writes_signed_with_other_credentials_are_refused_with_s3s_code(stack, raw, access_key, secret_key, code):
    s3 = client(stack, "s3", access_key, secret_key)
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=raw, Key=f"{PREFIX}forged.csv", Body=b"a,b\n")
    assert refused.value.response["Error"]["Code"] == code
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert listed_keys(stack, raw) == journal_keys(stack, raw) == set()


@pytest.mark.parametrize(
    ("service", "call", "unknown_key", "wrong_secret"),
    [
        ("glue", lambda c: c.create_database(DatabaseInput={"Name": "auth_test_db"}),
         "UnrecognizedClientException", "InvalidSignatureException"),
        ("logs", lambda c: c.create_log_group(logGroupName="auth-test"),
         "UnrecognizedClientException", "InvalidSignatureException"),
        ("sns", lambda c: c.create_topic(Name="auth-test"), "InvalidClientTokenId", "SignatureDoesNotMatch"),
        ("sts", lambda c: c.get_caller_identity(), "InvalidClientTokenId", "SignatureDoesNotMatch"),
    ],
    ids=["glue", "logs", "sns", "sts"],
)  # fmt: skip
def test_json_and_query_apis_refuse_other_credentials_in_their_own_shape(
    stack, service, call, unknown_key, wrong_secret
):
    for access_key, secret_key, code in ((f"AKIA{service.upper()}OTHER", None, unknown_key), (None, "x", wrong_secret)):
        with pytest.raises(ClientError) as refused:
            call(client(stack, service, access_key, secret_key))
        assert refused.value.response["Error"]["Code"] == code, refused.value.response
    assert "auth_test_db" not in {d["Name"] for d in client(stack, "glue").get_databases()["DatabaseList"]}


def test_a_body_changed_after_signing_is_refused_and_not_stored(stack, raw):
    path = f"/{raw}/{PREFIX}tampered.csv"
    headers = signed_request(stack, "PUT", path, b"the rows that were checked")
    status, body = send(stack, "PUT", path, b"the rows that were swapped", headers)
    assert status == 400 and "<Code>XAmzContentSHA256Mismatch</Code>" in body
    status, body = send(stack, "PUT", path, b"the rows that were checked", headers)
    assert status == 200, body  # the same request, with the body it signed
    assert listed_keys(stack, raw) == journal_keys(stack, raw) == {f"{PREFIX}tampered.csv"}


def test_a_body_that_is_not_its_content_md5_is_refused_as_s3_does(stack, raw):
    path = f"/{raw}/{PREFIX}digest.csv"
    other_md5 = base64.b64encode(hashlib.md5(b"other bytes").digest()).decode()
    headers = signed_request(stack, "PUT", path, b"these bytes", headers={"Content-MD5": other_md5})
    status, body = send(stack, "PUT", path, b"these bytes", headers)
    assert status == 400 and "<Code>BadDigest</Code>" in body
    assert listed_keys(stack, raw) == journal_keys(stack, raw) == set()


def test_a_request_signed_without_its_payload_hash_is_missing_a_security_header(stack, raw):
    path = f"/{raw}/{PREFIX}no-hash.csv"
    headers = signed_request(stack, "PUT", path, b"x")
    headers.pop("X-Amz-Content-SHA256")
    status, body = send(stack, "PUT", path, b"x", headers)
    assert status == 400 and "<Code>MissingSecurityHeader</Code>" in body
    assert "<MissingHeaderName>x-amz-content-sha256</MissingHeaderName>" in body


def test_every_acknowledged_write_is_in_the_journal_whatever_the_host_says(stack, raw):
    """moto would route by the Host header (a virtual-hosted bucket, another service's host);
    the emulator routes by the signature, so a write it acknowledges is one the journal holds."""
    s3 = client(stack, "s3")
    s3.put_object(Bucket=raw, Key=f"{PREFIX}path-style.csv", Body=b"1")
    endpoint = urlsplit(stack.env["AWS_ENDPOINT_URL"])
    for host, key in ((f"{raw}.s3.amazonaws.com", "virtual.csv"), ("glue.us-east-1.amazonaws.com", "glue-host.csv")):
        path = f"/{raw}/{PREFIX}{key}"
        request = AWSRequest(method="PUT", url=f"http://{endpoint.netloc}{path}", data=b"2", headers={"Host": host})
        keys = Credentials(stack.env["AWS_ACCESS_KEY_ID"], stack.env["AWS_SECRET_ACCESS_KEY"])
        S3SigV4Auth(keys, "s3", "us-east-1").add_auth(request)
        status, body = send(stack, "PUT", path, b"2", dict(request.headers.items()))
        assert status == 200, body
    assert (
        listed_keys(stack, raw)
        == journal_keys(stack, raw)
        == {
            f"{PREFIX}path-style.csv",
            f"{PREFIX}virtual.csv",
            f"{PREFIX}glue-host.csv",
        }
    )


def test_moto_api_is_closed_and_health_is_open(stack, raw):
    client(stack, "s3").put_object(Bucket=raw, Key=f"{PREFIX}survives-reset.csv", Body=b"1")
    status, body = send(stack, "POST", "/moto-api/reset")
    assert status == 403 and "/moto-api/ is closed" in body
    assert listed_keys(stack, raw) == {f"{PREFIX}survives-reset.csv"}
    status, body = send(stack, "GET", "/_flightlake/health")
    assert status == 200 and "ready" in body and raw not in body


def test_a_boto3_aws_chunked_upload_with_a_trailing_checksum_is_stored_whole(stack, raw, monkeypatch):
    """boto3 sends PutObject as aws-chunked with a CRC trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER)
    over TLS; made to do so over the emulator's plain HTTP, its upload is accepted and whole."""
    import botocore.httpchecksum

    real_urlparse = botocore.httpchecksum.urlparse
    monkeypatch.setattr(botocore.httpchecksum, "urlparse", lambda url: real_urlparse(url)._replace(scheme="https"))
    s3 = client(stack, "s3")
    body = b"FL_DATE,OP_CARRIER\n" * 50_000
    answer = s3.put_object(Bucket=raw, Key=f"{PREFIX}chunked.csv", Body=body, ChecksumAlgorithm="CRC32")
    assert "ChecksumCRC32" in answer
    assert s3.get_object(Bucket=raw, Key=f"{PREFIX}chunked.csv")["Body"].read() == body
    assert journal_keys(stack, raw) == {f"{PREFIX}chunked.csv"}
