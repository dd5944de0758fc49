"""The Airflow UI of the embedded stack (filled in with the DAG work)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flightlake.stack.manager import Echo, ServiceStatus, Stack


def up(stack: Stack, echo: Echo) -> dict[str, Any]:
    raise NotImplementedError("the Airflow UI is not wired into the embedded stack yet")


def down(stack: Stack) -> list[str]:
    return []


def status(stack: Stack) -> list[ServiceStatus]:
    return []
