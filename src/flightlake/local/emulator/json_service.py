"""What the two stand-in layers (Glue jobs, Redshift Data API) share: one AWS JSON-protocol API,
its actions dispatched by `X-Amz-Target`, its errors in the shape boto3 parses.

A layer built here answers the actions it owns, refuses by name the actions of its API it does
not implement (an AWS client must never get a silent half-answer), and hands every other request,
unchanged, to the application inside it (moto, or the next layer).
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from flightlake.local.emulator.wsgi import (
    Environ,
    StartResponse,
    WSGIApp,
    aws_error,
    aws_target,
    json_answer,
    json_request,
)

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class ServiceError(Exception):
    """An AWS error answer: boto3 raises `ClientError` with `code` and `message`."""

    def __init__(self, code: str, message: str, status: str = "400 Bad Request") -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


def json_api_layer(
    inner: WSGIApp, target_prefix: str, handlers: dict[str, Handler], refused: Iterable[str], refusal: str
) -> WSGIApp:
    """A WSGI layer answering `<target_prefix>.<Action>` for the actions in `handlers`.

    Actions in `refused` are part of the same API but not implemented: they get an
    `UnsupportedOperationException` whose message names the action and says `refusal` (what
    the stand-in does instead). Everything else goes to `inner`.
    """
    refused = frozenset(refused)

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        prefix, _, action = aws_target(environ).partition(".")
        if prefix != target_prefix or (action not in handlers and action not in refused):
            return inner(environ, start_response)
        if action in refused:
            return aws_error(start_response, "UnsupportedOperationException", f"{action}: {refusal}")
        try:
            return json_answer(start_response, handlers[action](json_request(environ)))
        except ServiceError as error:
            return aws_error(start_response, error.code, error.message, error.status)
        except json.JSONDecodeError as error:
            return aws_error(start_response, "SerializationException", f"the request body is not JSON: {error}")
        except Exception as error:  # a bug in the stand-in: say so, as AWS says an internal failure
            traceback.print_exc()
            message = f"{action} failed inside the emulator: {type(error).__name__}: {error}"
            return aws_error(start_response, "InternalServerException", message, "500 Internal Server Error")

    return app


def handlers(service: object, actions: Iterable[str]) -> dict[str, Handler]:
    """Each action answered by the service's method of the same name in snake case
    (`StartJobRun` -> `start_job_run`)."""
    return {action: getattr(service, re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()) for action in actions}


def required(request: dict[str, Any], names: tuple[str, ...], code: str = "ValidationException") -> None:
    """The request has every named field, or the error the service sends (Glue's is
    `InvalidInputException`, the Data API's `ValidationException`)."""
    missing = [name for name in names if request.get(name) in (None, "")]
    if missing:
        raise ServiceError(code, f"{', '.join(missing)} must be specified")
