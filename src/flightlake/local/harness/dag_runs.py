"""Run `flights_etl` through Airflow for a list of years: `python -m flightlake.local.harness.dag_runs`.

Each year is a real DagRun created and executed by `DAG.test()` (what `airflow dags test` does:
no scheduler needed, task states recorded in the metadata database). Airflow is imported once
for all years, and every task runs in this process. Started by `flightlake run` with the
embedded Airflow environment; it learns what happens from Airflow itself (the listener in
`task_events`, the metadata database once a run is over) and reports on the channel of `events`.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from flightlake.local.harness.child import take_group_down_on_stop_signal
from flightlake.local.harness.events import emit, open_channel
from flightlake.pipeline.registry import DAG_ID


def _state(record: Any) -> str:
    """A task instance's or run's state as text (Airflow gives an enum, or a plain string)."""
    return str(getattr(record.state, "value", record.state))


def _final_states(run_id: str) -> dict[str, Any]:
    """Every task's final state and duration, and the tasks' return values, from the database."""
    from airflow import settings
    from airflow.models import TaskInstance
    from airflow.models.xcom import XComModel
    from sqlalchemy import select

    session = settings.Session()
    try:
        states = {}
        for ti in session.scalars(select(TaskInstance).where(TaskInstance.run_id == run_id)).all():
            states[ti.task_id] = {"state": _state(ti), "seconds": ti.duration}
        values = {}
        for xcom in session.scalars(
            select(XComModel).where(XComModel.run_id == run_id, XComModel.key == "return_value")
        ).all():
            values[xcom.task_id] = xcom.value
        return {"tasks": states, "returns": values}
    finally:
        session.close()


def _register_listener() -> None:
    from airflow.sdk.listener import get_listener_manager

    from flightlake.local.harness import task_events

    get_listener_manager().add_listener(task_events)


def run_years(years: list[int], keep_going: bool) -> int:
    import pendulum
    from airflow.utils.cli import get_bagged_dag

    _register_listener()
    dag = get_bagged_dag(bundle_names=None, dag_id=DAG_ID)
    emit(event="dag", tasks=[task.task_id for task in dag.topological_sort()])
    failures = 0
    for year in years:
        started = time.monotonic()
        try:
            run = dag.test(logical_date=pendulum.datetime(year, 1, 1, tz="UTC"))
            state, run_id = _state(run), run.run_id
            result = _final_states(run_id)
        except Exception as error:
            state, result, run_id = "failed", {"error": f"{type(error).__name__}: {error}"}, None
        seconds = round(time.monotonic() - started, 1)
        emit(event="year", year=year, state=state, run_id=run_id, seconds=seconds, result=result)
        if state != "success":
            failures += 1
            if not keep_going:
                break
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", required=True, help="comma-separated years, in order")
    parser.add_argument("--keep-going", action="store_true", help="run later years after a failed one")
    parser.add_argument("--events-fd", type=int, help="file descriptor to write events to")
    args = parser.parse_args(argv)
    take_group_down_on_stop_signal()
    if args.events_fd is not None:
        open_channel(args.events_fd)
    years = [int(y) for y in args.years.split(",") if y]
    return run_years(years, args.keep_going)


if __name__ == "__main__":
    sys.exit(main())
