"""What every layer of the emulator needs: which AWS action a request is, its body, and answers
in the shape the AWS JSON protocol has, errors included (boto3 reads `__type` and `message`)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def aws_target(environ: Environ) -> str:
    """The JSON-protocol action, e.g. `AWSGlue.StartJobRun`; empty for S3 (REST) requests."""
    return environ.get("HTTP_X_AMZ_TARGET", "")


def read_body(environ: Environ) -> bytes:
    """The request body, read once and put back, so the next layer (or moto) can read it too."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


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
