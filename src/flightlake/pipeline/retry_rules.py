"""The retry rules every task of the DAG follows, on every runtime.

A task gets `FLIGHTLAKE_TASK_RETRIES` retries with exponential backoff (`default_args`). Those are
for faults that go away: a service restarting, a lost connection, a crashed executor. A
`PermanentError` (a file that breaks the contract, a missing input, a Spark job that refused its
input) would fail the same way every time, so it fails the task at once, with its message. The
Python tasks and the local Spark runtime go through `run_task`; the Glue runtime applies the same
rule to the job run's error message (`flightlake.pipeline.runtimes.glue`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from flightlake.errors import PermanentError
from flightlake.settings import Settings, load_settings

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


def data_year(context: Mapping[str, Any]) -> int:
    """The data year of a run: the yearly trigger puts the logical date on 1 January."""
    return context["logical_date"].year


def run_task(step: Callable[..., dict[str, Any]], context: Mapping[str, Any], **arguments: Any) -> dict[str, Any]:
    """Run `step(settings, year, **arguments)` with settings read now (a retry sees the current
    endpoints), failing the task at once on a PermanentError."""
    from airflow.sdk.exceptions import AirflowFailException

    try:
        return step(load_settings(), data_year(context), **arguments)
    except PermanentError as error:
        raise AirflowFailException(str(error)) from error
