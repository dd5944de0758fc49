"""The retry rules every task of the DAG follows, on every execution mode.

A task gets `FLIGHTLAKE_TASK_RETRIES` retries with exponential backoff (`default_args`). Those are
for faults that go away: a service restarting, a lost connection, a crashed executor. A
`PermanentError` (a file that breaks the contract, a missing input, a Spark step that refused its
input) would fail the same way every time, so it fails the task at once, with its message. The
operators in the worker go through `fail_fast`; the Glue operator applies the same rule to the
outcome its job run recorded (`pipeline.operators.glue`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flightlake.errors import PermanentError
from flightlake.settings import Settings

RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(minutes=15)


def retry_arguments(settings: Settings) -> dict[str, Any]:
    """The retry part of the DAG's `default_args`."""
    return {
        "retries": settings.task_retries,
        "retry_delay": RETRY_DELAY,
        "retry_exponential_backoff": True,
        "max_retry_delay": MAX_RETRY_DELAY,
    }


def fail_fast(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`work()`, with a PermanentError failing the task at once instead of being retried."""
    from airflow.sdk.exceptions import AirflowFailException

    try:
        return work()
    except PermanentError as error:
        raise AirflowFailException(str(error)) from error
