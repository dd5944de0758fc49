"""Run `flights_etl` through Airflow for a list of years: `python -m flightlake.airflow_runner`.

Each year is a real DagRun created and executed by `DAG.test()` (what `airflow dags test` does:
no scheduler needed, task states recorded in the metadata database). Airflow is imported once
for all years. Started by `flightlake run` with the embedded Airflow environment; it reports to
its parent through single-line JSON events on a pipe of their own (file descriptor
`FLIGHTLAKE_EVENTS_FD`; stdout, prefixed `FLIGHTLAKE-EVENT `, when run by hand), so Airflow's log
lines, written from several threads, can never break them:
    {"event": "task", "year", "task", "state", "seconds"}   a task instance changed state
    {"event": "year", "year", "state", "seconds", "result"}  a DagRun finished
Task failures are reported by the DAG's failure callback (`FLIGHTLAKE-EVENT` with "failure").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from typing import Any

EVENT_PREFIX = "FLIGHTLAKE-EVENT "
EVENTS_FD = "FLIGHTLAKE_EVENTS_FD"
DAG_ID = "flights_etl"
POLL_SECONDS = 0.5


_EMIT_LOCK = threading.Lock()


def _state(record: Any) -> str:
    """A task instance's or run's state as text (Airflow gives an enum, or a plain string)."""
    return str(getattr(record.state, "value", record.state))


def emit(**event: Any) -> None:
    """One event, as one line, in one write."""
    line = (json.dumps(event, default=str) + "\n").encode()
    fd = os.environ.get(EVENTS_FD)
    with _EMIT_LOCK:
        if fd:
            os.write(int(fd), line)
        else:
            sys.stdout.write(EVENT_PREFIX + line.decode())
            sys.stdout.flush()


def _watch(dag_id: str, year: int, stop: threading.Event) -> None:
    """Poll the metadata DB and emit task state changes of the year's run."""
    from airflow import settings
    from airflow.models import DagRun, TaskInstance
    from sqlalchemy import select

    seen: dict[str, str] = {}
    while True:
        finished = stop.is_set()  # read before polling: one last poll after the run ends
        session = settings.Session()
        try:
            run = session.scalars(
                select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).limit(1)
            ).first()
            if run is not None and run.logical_date is not None and run.logical_date.year == year:
                tis = session.scalars(select(TaskInstance).where(TaskInstance.run_id == run.run_id)).all()
                for ti in tis:
                    state = _state(ti)
                    if seen.get(ti.task_id) != state:
                        seen[ti.task_id] = state
                        emit(event="task", year=year, task=ti.task_id, state=state, seconds=ti.duration)
        except Exception:
            session.rollback()
        finally:
            session.close()
        if finished:
            return
        stop.wait(POLL_SECONDS)


def _final_states(run_id: str) -> dict[str, dict[str, Any]]:
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


def run_years(years: list[int], keep_going: bool) -> int:
    import pendulum
    from airflow.utils.cli import get_bagged_dag

    dag = get_bagged_dag(bundle_names=None, dag_id=DAG_ID)
    failures = 0
    for year in years:
        started = time.monotonic()
        stop = threading.Event()
        watcher = threading.Thread(target=_watch, args=(DAG_ID, year, stop), daemon=True)
        watcher.start()
        try:
            run = dag.test(logical_date=pendulum.datetime(year, 1, 1, tz="UTC"))
            state = _state(run)
            result = _final_states(run.run_id)
            run_id = run.run_id
        except Exception as error:
            state, result, run_id = "failed", {"error": f"{type(error).__name__}: {error}"}, None
        finally:
            stop.set()
            watcher.join(timeout=5)
        emit(
            event="year",
            year=year,
            state=state,
            run_id=run_id,
            seconds=round(time.monotonic() - started, 1),
            result=result,
        )
        if state != "success":
            failures += 1
            if not keep_going:
                break
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", required=True, help="comma-separated years, in order")
    parser.add_argument("--keep-going", action="store_true", help="run later years after a failed one")
    args = parser.parse_args(argv)
    years = [int(y) for y in args.years.split(",") if y]
    return run_years(years, args.keep_going)


if __name__ == "__main__":
    sys.exit(main())
