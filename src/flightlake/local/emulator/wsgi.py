"""What every layer of the emulator needs: which AWS action a request is, its body, and answers
in the shape the AWS JSON protocol has, errors included (boto3 reads `__type` and `message`)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]
_SCOPE = re.compile(r"Credential=[^/\s,&]+/\d{8}/[^/\s,&]+/([^/\s,&]+)/aws4_request")


def aws_target(environ: Environ) -> str:
    """The JSON-protocol action, e.g. `AWSGlue.StartJobRun`; empty for S3 (REST) requests."""
    return environ.get("HTTP_X_AMZ_TARGET", "")


def read_body(environ: Environ) -> bytes:
    """The request body, read once and put back, so the next layer (or moto) can read it too."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def call(app: WSGIApp, environ: Environ) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run `app` on the request and hold its whole answer (status, headers, body), so that a
    layer can act on the outcome before the client sees it."""
    captured: dict[str, Any] = {}

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    result = app(environ, capture)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return captured["status"], captured["headers"], body


def signed_service(environ: Environ) -> str | None:
    """The service a request's SigV4 credential scope names (`s3`, `glue`, ...), from its
    Authorization header or its presigned query; None when it has none. Only requests whose
    signature the authentication layer verified reach the layers that ask."""
    match = _SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    if match is None:
        match = _SCOPE.search(unquote(str(environ.get("QUERY_STRING", ""))))
    return match.group(1) if match else None


def json_request(environ: Environ) -> dict[str, Any]:
    body = read_body(environ)
    return json.loads(body) if body else {}


def json_answer(start_response: StartResponse, payload: dict[str, Any], status: str = "200 OK") -> list[bytes]:
    body = json.dumps(payload, default=str).encode()
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]


def aws_error(
    start_response: StartResponse, error_type: str, message: str, status: str = "400 Bad Request"
) -> list[bytes]:
    """An error as AWS's JSON protocol sends it: boto3 raises `ClientError` with this code."""
    return json_answer(start_response, {"__type": error_type, "message": message, "Message": message}, status)
