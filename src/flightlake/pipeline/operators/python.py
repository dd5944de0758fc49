"""The `python` operator: a step that runs in the Airflow worker, on every execution mode."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperator

from flightlake.pipeline.registry import step
from flightlake.pipeline.retry_rules import fail_fast
from flightlake.settings import check_years, load_settings


def year_of(value: int | str) -> int:
    """The task's `year` as rendered: an int under native rendering, digits otherwise; checked
    against the years the data covers."""
    (year,) = check_years((int(value),), "year")
    return year


class PythonStepOperator(BaseOperator):
    """Runs `step.run(settings, year, run_id)` in the task's process and returns its result (the
    task's XCom). Settings are read when the task runs, so a retry sees the current endpoints."""

    template_fields = ("year",)

    def __init__(self, *, step_name: str, year: int | str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step_name = step_name
        self.year = year

    def execute(self, context: Any) -> dict[str, Any]:
        year, run_id = year_of(self.year), context["run_id"]
        try:
            return fail_fast(lambda: step(self.step_name).run(load_settings(), year, run_id))
        finally:
            hand_back_memory()


def hand_back_memory() -> None:
    """Return what a finished step freed to the system.

    A worker process (and `flightlake run`, which runs every task of every year in one process)
    goes on to the next task; Arrow's allocator and glibc's malloc keep freed memory for reuse,
    so without this the process stays at the size of its largest step while the next one's
    chart workers or JVM add to it. (No `gc.collect()`: a step's frames go by reference counting,
    and a full collection in a process that has Airflow loaded costs 0.1 s per task.)"""
    import ctypes

    try:
        import pyarrow
    except ImportError:  # the step never loaded Arrow
        pass
    else:
        pyarrow.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass
