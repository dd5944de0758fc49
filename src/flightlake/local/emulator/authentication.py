"""The emulator's outermost layer: every request must be signed with its stack's credentials.

S3 and every other AWS API refuse a request that is not signed with Signature Version 4 by a key
they know; so does the emulator (`sigv4`), with the error each API gives (`refusals`): S3's
`AccessDenied`, `InvalidAccessKeyId`, `SignatureDoesNotMatch`, ... in XML, Glue's
`UnrecognizedClientException`, ... in JSON. A refused request never reaches moto or the durable
store, so whatever the emulator acknowledges was sent by a holder of the stack's keys, and went
through the durable layer. An S3 body is checked against the signature as moto reads it
(`signed_payload`): a body changed on the way is refused before anything is written.

Two paths are not AWS APIs: `GET /_flightlake/health` answers health checks (compose, `flightlake
status`) without a signature and says nothing of the lake; moto's own `/moto-api/` (its
dashboard, state dumps and reset) is closed, because a reset would change the lake behind the
durable store's back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from flightlake.local.emulator.refusals import ANONYMOUS, CLOSED, Refused, answer
from flightlake.local.emulator.signed_payload import VerifyingInput, payload_check
from flightlake.local.emulator.sigv4 import Credentials, claimed, verify
from flightlake.local.emulator.wsgi import Environ, StartResponse, WSGIApp, call, read_body

HEALTH_PATH = "/_flightlake/health"
HEALTHY = "ready"  # in the health answer's body, for `healthcheck.sh http URL TEXT`
CLOSED_PATH = "/moto-api"
_DRAIN = 1024 * 1024

Clock = Callable[[], datetime]


class Authentication:
    def __init__(self, inner: WSGIApp, credentials: Credentials, clock: Clock | None = None) -> None:
        self.inner, self.credentials = inner, credentials
        self.clock = clock or (lambda: datetime.now(UTC))

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return _health(start_response)
        service: str | None = None
        try:
            if path == CLOSED_PATH or path.startswith(f"{CLOSED_PATH}/"):
                raise Refused(CLOSED, f"({CLOSED_PATH}/ is closed: it would change the lake behind its durable store)")
            signature = claimed(environ)
            if signature is None:
                raise Refused(ANONYMOUS)
            service = signature.service
            body_sha256 = None if service == "s3" else hashlib.sha256(read_body(environ)).hexdigest()
            verified = verify(environ, signature, self.credentials, self.clock(), body_sha256)
            check = payload_check(verified, environ)
            if check is None:
                return self.inner(environ, start_response)
            length = _content_length(environ)
            if length == 0:
                check.finish()  # no body: it must be what the signature says an empty one is
                return self.inner(environ, start_response)
            environ["wsgi.input"] = stream = VerifyingInput(environ["wsgi.input"], length, check)
            # A body that breaks its signature raises Refused while moto reads it, before it acts.
            status, headers, body = call(self.inner, environ)
            if not stream.finished:
                stream.drain()
            if stream.refused is not None:
                raise stream.refused
        except Refused as refused:
            _drain(environ)
            return answer(environ, start_response, refused, service)
        start_response(status, headers)
        return [body]


def _content_length(environ: Environ) -> int | None:
    """The body's length; None for one sent with Transfer-Encoding: chunked (read to its end)."""
    if environ.get("wsgi.input_terminated"):
        return None
    value = str(environ.get("CONTENT_LENGTH") or "0")
    return int(value) if value.isdigit() else 0


def _drain(environ: Environ) -> None:
    """Read the rest of a refused request's body: a client still sending it would otherwise
    see the connection reset instead of the answer."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return
    if isinstance(stream, VerifyingInput):
        stream, left = stream.raw, stream.left
    else:
        left = _content_length(environ)
    while left is None or left > 0:
        data = stream.read(_DRAIN if left is None else min(_DRAIN, left))
        if not data:
            return
        if left is not None:
            left -= len(data)


def _health(start_response: StartResponse) -> list[bytes]:
    body = json.dumps({"status": HEALTHY}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
