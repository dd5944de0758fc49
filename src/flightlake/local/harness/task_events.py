"""An Airflow listener that reports task state changes to `flightlake run`.

Registered only by the harness's child process (`dag_runs`), never by the DAG, so the DAG file and
the task code know nothing of it; on MWAA or in compose nothing registers it. `DAG.test()` runs
every task in that process, where the Task SDK calls these hooks.
"""

from __future__ import annotations

import time
from typing import Any

from airflow.listeners import hookimpl

from flightlake.local.harness.events import emit

_STARTED: dict[str, float] = {}


def _year(task_instance: Any) -> int:
    return task_instance.get_template_context()["logical_date"].year


def _finished(task_instance: Any, state: str) -> None:
    started = _STARTED.pop(task_instance.task_id, None)
    seconds = round(time.monotonic() - started, 1) if started is not None else None
    emit(event="task", year=_year(task_instance), task=task_instance.task_id, state=state, seconds=seconds)


@hookimpl
def on_task_instance_running(previous_state: Any, task_instance: Any) -> None:
    if task_instance.task_id in _STARTED:  # resumed after deferral (a Glue job run): still the same run
        return
    _STARTED[task_instance.task_id] = time.monotonic()
    emit(event="task", year=_year(task_instance), task=task_instance.task_id, state="running", seconds=None)


@hookimpl
def on_task_instance_success(previous_state: Any, task_instance: Any) -> None:
    _finished(task_instance, "success")


@hookimpl
def on_task_instance_failed(previous_state: Any, task_instance: Any, error: Any) -> None:
    state = str(getattr(task_instance.state, "value", task_instance.state) or "failed")
    emit(event="failure", year=_year(task_instance), task=task_instance.task_id, error=str(error or "failed"))
    _finished(task_instance, state)
