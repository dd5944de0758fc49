"""Why the emulator refuses a request's authentication, answered in the shape its AWS API has.

One reason (`Refused.kind`) has a different code, status and message in each AWS protocol: S3
answers XML `<Error><Code>SignatureDoesNotMatch</Code>…`, the query APIs (STS, IAM, SNS,
CloudFormation) XML `<ErrorResponse><Error>…`, EC2 its own `<Response><Errors>…`, and the JSON
APIs (Glue, CloudWatch Logs, KMS, the Redshift Data API) `{"__type": "InvalidSignatureException"}`.
The codes and messages are AWS's own, so boto3, the Java SDK and the AWS CLI raise the error
they raise against AWS; a short hint after AWS's message says which credentials the emulator takes.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from flightlake.local.emulator.wsgi import Environ, StartResponse, aws_target

ANONYMOUS = "anonymous"  # no signature at all
UNSUPPORTED = "unsupported"  # signed, but not with SigV4 (SigV2, SigV4a)
MALFORMED = "malformed"  # a SigV4 Authorization header that lacks a part, or whose parts disagree
MALFORMED_QUERY = "malformed-query"  # the same, of a presigned URL's query
MISSING_HEADER = "missing-header"  # x-amz-date or x-amz-content-sha256 absent
UNSIGNED_HEADERS = "unsigned-headers"  # x-amz-* headers the signature does not cover
UNKNOWN_KEY = "unknown-key"  # an access key the emulator does not know
TOKEN = "token"  # a session token: the emulator's credentials have none
SIGNATURE = "signature"  # the signature is not the one the secret key makes
SKEWED = "skewed"  # x-amz-date more than 15 minutes from the emulator's clock
EXPIRED = "expired"  # a presigned URL past X-Amz-Expires
BAD_PAYLOAD_HASH = "bad-payload-hash"  # x-amz-content-sha256 neither a digest nor a known mode
PAYLOAD_MISMATCH = "payload-mismatch"  # the body's sha256 is not x-amz-content-sha256
BAD_CHUNKS = "bad-chunks"  # an aws-chunked body that does not parse, or ends early
BAD_DIGEST = "bad-digest"  # the body's MD5 is not its Content-MD5
INVALID_DIGEST = "invalid-digest"  # a Content-MD5 that is no base64 MD5
CLOSED = "closed"  # a path of the emulator that is not an AWS API (moto's /moto-api/)
_ABOUT_THE_BODY = (BAD_PAYLOAD_HASH, PAYLOAD_MISMATCH, BAD_CHUNKS, BAD_DIGEST, INVALID_DIGEST, CLOSED)

HINT = "(the emulator takes requests signed with its stack's credentials: see `flightlake env`)"
_SIGNATURE_TEXT = "The request signature we calculated does not match the signature you provided."
_SECRET_TEXT = "Check your AWS Secret Access Key and signing method."
_NOT_SIGV4 = "The authorization mechanism is not supported: use AWS4-HMAC-SHA256"
_NO_DATE = "Authorization header requires existence of a 'X-Amz-Date' header"
_INVALID_TOKEN = "The security token included in the request is invalid."

# kind -> (S3 code, status, message)
_S3: dict[str, tuple[str, int, str]] = {
    ANONYMOUS: ("AccessDenied", 403, "Access Denied"),
    UNSUPPORTED: (
        "InvalidRequest",
        400,
        "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
    ),
    MALFORMED: ("AuthorizationHeaderMalformed", 400, "The authorization header is malformed"),
    MALFORMED_QUERY: (
        "AuthorizationQueryParametersError",
        400,
        "Query-string authentication version 4 requires the X-Amz-Algorithm, "
        "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    ),
    MISSING_HEADER: ("MissingSecurityHeader", 400, "Your request was missing a required header"),
    UNSIGNED_HEADERS: ("AccessDenied", 403, "There were headers present in the request which were not signed"),
    UNKNOWN_KEY: ("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."),
    TOKEN: ("InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
    SIGNATURE: ("SignatureDoesNotMatch", 403, f"{_SIGNATURE_TEXT} Check your key and signing method."),
    SKEWED: ("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large."),
    EXPIRED: ("AccessDenied", 403, "Request has expired"),
    BAD_PAYLOAD_HASH: (
        "InvalidArgument",
        400,
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
    ),
    PAYLOAD_MISMATCH: (
        "XAmzContentSHA256Mismatch",
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    ),
    BAD_CHUNKS: ("IncompleteBody", 400, "The request body is not a complete aws-chunked stream"),
    BAD_DIGEST: ("BadDigest", 400, "The Content-MD5 you specified did not match what we received."),
    INVALID_DIGEST: ("InvalidDigest", 400, "The Content-MD5 you specified was invalid."),
    CLOSED: ("AccessDenied", 403, "Access Denied"),
}
# kind -> (JSON-protocol __type, query-protocol code, status, message); kinds only S3 has are
# answered as SIGNATURE
_OTHER_APIS: dict[str, tuple[str, str, int, str]] = {
    ANONYMOUS: (
        "MissingAuthenticationTokenException",
        "MissingAuthenticationToken",
        403,
        "Missing Authentication Token",
    ),
    UNSUPPORTED: ("IncompleteSignatureException", "IncompleteSignature", 400, _NOT_SIGV4),
    MALFORMED: ("IncompleteSignatureException", "IncompleteSignature", 400, "The authorization header is malformed"),
    MALFORMED_QUERY: ("IncompleteSignatureException", "IncompleteSignature", 400, "The query-string auth is malformed"),
    MISSING_HEADER: ("IncompleteSignatureException", "IncompleteSignature", 400, _NO_DATE),
    UNKNOWN_KEY: ("UnrecognizedClientException", "InvalidClientTokenId", 403, _INVALID_TOKEN),
    TOKEN: ("UnrecognizedClientException", "InvalidClientTokenId", 403, _INVALID_TOKEN),
    SIGNATURE: ("InvalidSignatureException", "SignatureDoesNotMatch", 403, f"{_SIGNATURE_TEXT} {_SECRET_TEXT}"),
    SKEWED: ("InvalidSignatureException", "SignatureDoesNotMatch", 403, "Signature expired"),
    EXPIRED: ("InvalidSignatureException", "SignatureDoesNotMatch", 403, "Signature expired"),
    CLOSED: ("AccessDeniedException", "AccessDenied", 403, "Access Denied"),
}
_EC2_CODES = {ANONYMOUS: "MissingParameter", UNKNOWN_KEY: "AuthFailure", TOKEN: "AuthFailure"}
_STATUS_TEXT = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}


@dataclass
class Refused(Exception):
    """A request the authentication layer refuses: the reason, what it adds to AWS's message,
    and the extra elements S3 puts in its error (the access key, the string to sign, ...)."""

    kind: str
    detail: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.kind}: {self.detail}")


def answer(environ: Environ, start_response: StartResponse, refused: Refused, service: str | None) -> list[bytes]:
    """The refusal in the protocol of the API the request was for: `service` is the signing
    name of the request's credential scope, None when it carried none (an unsigned request)."""
    protocol = _protocol(environ, service)
    request_id = uuid.uuid4().hex.upper()[:16]
    if protocol == "s3":
        code, status, message = _S3[refused.kind]
        return _s3(start_response, code, status, _message(message, refused), refused.fields, request_id)
    json_code, code, status, message = _OTHER_APIS.get(refused.kind, _OTHER_APIS[SIGNATURE])
    if protocol == "json":
        payload = {"__type": json_code, "message": _message(message, refused)}
        return _send(start_response, status, json.dumps(payload).encode(), "application/x-amz-json-1.1", json_code)
    if protocol == "ec2":
        code, status = _EC2_CODES.get(refused.kind, code), 401 if refused.kind in (UNKNOWN_KEY, TOKEN) else status
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code><Message>'
            f"{escape(_message(message, refused))}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
        return _send(start_response, status, body.encode(), "text/xml", code)
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{escape(_message(message, refused))}</Message></Error><RequestId>{request_id}</RequestId>"
        "</ErrorResponse>"
    )
    return _send(start_response, status, body.encode(), "text/xml", code)


def _protocol(environ: Environ, service: str | None) -> str:
    """s3, json, ec2 or query: from the signing name when there is one, else from the request."""
    if service == "s3" or (service is None and not aws_target(environ) and not _is_form(environ)):
        return "s3"
    if aws_target(environ):
        return "json"
    if service == "ec2":
        return "ec2"
    if _is_form(environ) or service in ("sts", "iam", "sns", "sqs", "cloudformation", "monitoring", "rds", "redshift"):
        return "query"
    return "json"  # the REST-JSON APIs (MWAA, Lambda, ...) read __type the same way


def _is_form(environ: Environ) -> bool:
    """A query-protocol call: a form POSTed to the root (an S3 upload may say it is a form too)."""
    form = str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded")
    return form and environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "/") in ("", "/")


def _message(message: str, refused: Refused) -> str:
    hint = "" if refused.kind in _ABOUT_THE_BODY else HINT
    return " ".join(part for part in (message, refused.detail, hint) if part)


def _s3(
    start_response: StartResponse, code: str, status: int, message: str, fields: dict[str, str], request_id: str
) -> list[bytes]:
    extra = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
        f"{extra}<RequestId>{request_id}</RequestId></Error>"
    )
    return _send(start_response, status, body.encode(), "application/xml", code)


def _send(start_response: StartResponse, status: int, body: bytes, content_type: str, code: str) -> list[bytes]:
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("x-amzn-ErrorType", code),
    ]
    start_response(f"{status} {_STATUS_TEXT[status]}", headers)
    return [body]
