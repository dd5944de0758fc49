"""The AWS clients a deploy uses, made on first use through `flightlake.lake.aws.client`.

Endpoints, credentials and the account all come from the environment (AWS_ENDPOINT_URL points
them at the emulator). Tests replace the clients of services the emulator does not implement
(MWAA, Redshift Serverless, the Redshift Data API) with ones wrapped in botocore's Stubber.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from flightlake.errors import FlightlakeError
from flightlake.lake.aws import client
from flightlake.settings import Settings

T = TypeVar("T")


class ServiceUnavailable(FlightlakeError):
    """An AWS API did not answer like AWS (typically: the emulator does not implement it)."""


@contextmanager
def answering(service: str) -> Iterator[None]:
    """Turn a transport or parse failure into a message that says which API and why it may be."""
    try:
        yield
    except ClientError as error:
        if not str(error.response.get("Error", {}).get("Code", "")).isdigit():
            raise  # a real service error (AccessDenied, ResourceNotFound, ...): the caller's to handle
        _unavailable(service, error)
    except (BotoCoreError, ResponseParserError) as error:
        _unavailable(service, error)


def _unavailable(service: str, error: Exception) -> None:
    """Raise ServiceUnavailable for an answer no AWS service gives (HTML, a bare HTTP status)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    hint = (
        f" The endpoint is {endpoint}: moto implements no MWAA, no Redshift Serverless and only canned "
        "Redshift Data API answers, so a deploy against it stops at the first call to those."
        if endpoint
        else ""
    )
    first_line = str(error).splitlines()[0]
    raise ServiceUnavailable(f"the {service} API did not answer like AWS: {first_line}.{hint}") from error


def or_none(call: Callable[[], T], *missing: str) -> T | None:
    """call(), or None when AWS answers that the thing does not exist (one of the `missing` codes)."""
    try:
        return call()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in missing:
            return None
        raise


class Clients:
    def __init__(self, settings: Settings, overrides: Mapping[str, Any] | None = None) -> None:
        self._settings = settings
        self._clients: dict[str, Any] = dict(overrides or {})

    def get(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = client(service, self._settings)
        return self._clients[service]

    @property
    def cloudformation(self) -> Any:
        return self.get("cloudformation")

    @property
    def s3(self) -> Any:
        return self.get("s3")

    @property
    def mwaa(self) -> Any:
        return self.get("mwaa")

    @property
    def redshift_data(self) -> Any:
        return self.get("redshift-data")

    @property
    def redshift_serverless(self) -> Any:
        return self.get("redshift-serverless")
