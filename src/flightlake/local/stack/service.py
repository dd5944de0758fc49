"""What every service of the embedded stack shares: how it reports itself, and how it fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flightlake.errors import FlightlakeError

Echo = Callable[[str], None]


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    running: bool
    healthy: bool
    endpoint: str
    detail: str = ""


class StackError(FlightlakeError):
    """A service of the embedded stack could not be started or stopped; the message says why."""


def redact(dsn: str) -> str:
    """A DSN fit for printing: the password replaced by ***."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    if not parts.password:
        return dsn
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
