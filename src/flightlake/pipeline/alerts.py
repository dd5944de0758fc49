"""What a failed task reports, wherever the DAG runs.

The DAG's `on_failure_callback`: one line in the task log naming the DAG run's year, the task and
the error, so the cause is the first thing a person reading the log sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def failure_line(context: Mapping[str, Any]) -> str:
    error = context.get("exception")
    year = context["logical_date"].year
    return f"flights_etl {year}: task {context['ti'].task_id} failed: {error or 'no error given'}"


def on_task_failure(context: Mapping[str, Any]) -> None:
    """Airflow calls this once a task has failed for good (after its retries)."""
    print(failure_line(context), flush=True)
