"""`flightlake run` and `flightlake backfill`: the main job, end to end, offline.

Brings the embedded stack up if needed, gets data into the raw zone (the user's files, or
generated ones), then runs the `flights_etl` DAG through Airflow once per year in order (real
DagRuns with their task states in Airflow's metadata database) and ends with a summary per
year and where to look. The Airflow work happens in a child process (`dag_runs`) that gets the
embedded Airflow environment and reports what Airflow tells it (`events`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flightlake.errors import FlightlakeError
from flightlake.local.harness.airflow_env import airflow_environment, ensure_migrated
from flightlake.settings import Settings

DEFAULT_ROWS_PER_YEAR = 200_000
DEFAULT_SEED = 2009
Echo = Callable[[str], None]
_SHOWN_STATES = ("running", "success", "failed", "up_for_retry", "upstream_failed")


@dataclass
class YearOutcome:
    year: int
    state: str = "not run"
    seconds: float = 0.0
    run_id: str | None = None
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RunSummary:
    outcomes: list[YearOutcome]
    seconds: float
    log_path: Path
    task_order: list[str] = field(default_factory=list)  # as the DAG defines it
    dashboard: Path | None = None
    reports_uri: str = ""
    warehouse: str = ""
    path: str = ""  # which way the DAG's tasks went (DagPath.description)
    notes: list[str] = field(default_factory=list)  # where else to look (e.g. Glue driver logs)

    @property
    def ok(self) -> bool:
        return all(o.state == "success" for o in self.outcomes)


@dataclass(frozen=True)
class DagPath:
    """Which way the DAG's tasks go, and the environment of the process that runs them."""

    description: str
    environment: dict[str, str]
    warehouse: str  # where the summary says the rows went
    notes: tuple[str, ...] = ()


def local_path(settings: Settings) -> DagPath:
    """The embedded stack's own way: Spark steps in the task's process, PostgreSQL."""
    from flightlake.local.stack.manager import redact

    # All tasks of all years run in the child's one process: unless told otherwise, the Spark
    # steps share one warm Spark session there (see flightlake.pipeline.runtimes.local).
    mode = settings.spark_submit or "inline"
    env = airflow_environment(settings, {"FLIGHTLAKE_SPARK_SUBMIT": mode})
    spark = "Spark steps in-process" if mode == "inline" else "Spark steps by spark-submit"
    return DagPath(f"local path: {spark}, PostgreSQL", env, redact(settings.warehouse_dsn or ""))


def generated_data_dir(settings: Settings, rows_per_year: int, seed: int) -> Path:
    return settings.state_dir / "data" / f"generated-{rows_per_year}-seed{seed}"


def prepare_data(
    settings: Settings, years: tuple[int, ...], data_dir: Path | None, rows_per_year: int, seed: int, echo: Echo
) -> None:
    """Ingest the user's files, or generate (once per size and seed) and ingest ours."""
    from flightlake.lake.ingest import ingest, raw_status
    from flightlake.local.harness.progress import byte_progress

    if data_dir is None:
        from flightlake.datagen import ensure_generated

        data_dir = generated_data_dir(settings, rows_per_year, seed)
        paths = ensure_generated(data_dir, years, rows_per_year, seed, lambda line: echo(f"data       {line}"))
    else:
        paths = [data_dir]
    with byte_progress() as progress:
        results = ingest(settings, paths, progress)
    for result in results:
        note = f" ({'; '.join(result.notes)})" if result.notes else ""
        echo(f"ingest     {result.name}: {result.status}{note}")
    for result in results:
        if result.status == "refused":
            echo(f"ingest     refused: {result.error}")
    present = {r.year for r in results if r.status in ("uploaded", "unchanged")}
    absent = [y for y in years if y not in present and raw_status(settings, y) is None]
    if absent:
        raise FlightlakeError(
            f"no raw file for {', '.join(map(str, absent))}: pass --data DIR holding YYYY.csv files (or the Kaggle zip)"
        )


def _event_line(event: dict[str, Any]) -> str | None:
    """How an event from the Airflow child shows on the console (None: not shown)."""
    if event["event"] == "task" and event["state"] in _SHOWN_STATES:
        seconds = f" {event['seconds']:.1f} s" if event.get("seconds") and event["state"] != "running" else ""
        return f"{event['year']}  {event['task']:<20} {event['state']}{seconds}"
    if event["event"] == "failure":
        return f"{event['year']}  {event['task']:<20} FAILED: {event['error']}"
    if event["event"] == "year":
        return f"{event['year']}  run {event['state']} in {event['seconds']:.0f} s"
    return None


class _Relay:
    """Applies the child's events to the outcomes and shows them."""

    def __init__(self, years: tuple[int, ...], echo: Echo) -> None:
        self.outcomes = {year: YearOutcome(year) for year in years}
        self.task_order: list[str] = []
        self.echo = echo

    def apply(self, event: dict[str, Any]) -> None:
        if event["event"] == "dag":
            self.task_order = list(event["tasks"])
            return
        outcome = self.outcomes.get(int(event["year"]))
        if outcome is None:
            return
        if event["event"] == "failure" and outcome.error is None:
            outcome.error = f"{event['task']}: {event['error']}"
        if event["event"] == "year":
            self._finish(outcome, event)
        text = _event_line(event)
        if text:
            self.echo(text)

    def _finish(self, outcome: YearOutcome, event: dict[str, Any]) -> None:
        outcome.state, outcome.seconds, outcome.run_id = event["state"], event["seconds"], event.get("run_id")
        result = event.get("result") or {}
        outcome.tasks = result.get("tasks", {})
        outcome.figures = (result.get("returns") or {}).get("report") or {}
        if result.get("error") and outcome.error is None:
            outcome.error = result["error"]
        for task in self.task_order:  # tasks that never ran (upstream failed) say so too
            state = outcome.tasks.get(task, {}).get("state")
            if state == "upstream_failed":
                self.echo(f"{outcome.year}  {task:<20} {state}")


def run_dag(
    years: tuple[int, ...], keep_going: bool, log_path: Path, echo: Echo, env: dict[str, str]
) -> tuple[list[YearOutcome], list[str]]:
    """Run the DAG for each year in a child process with `env`; relay its events; keep its full log."""
    relay = _Relay(years, echo)
    read_fd, write_fd = os.pipe()
    argv = [sys.executable, "-m", "flightlake.local.harness.dag_runs", "--years", ",".join(map(str, years))]
    argv += ["--events-fd", str(write_fd)] + (["--keep-going"] if keep_going else [])
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            argv, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, pass_fds=(write_fd,)
        )
        os.close(write_fd)  # the child holds the only writer: EOF when it exits
        with os.fdopen(read_fd) as events:
            for line in events:
                relay.apply(json.loads(line))
        process.wait()
    return [relay.outcomes[y] for y in years], relay.task_order


def execute(
    settings: Settings,
    years: tuple[int, ...],
    keep_going: bool,
    echo: Echo,
    data: Callable[[Settings], None],
    path: Callable[[Settings], DagPath] = local_path,
) -> RunSummary:
    """Stack up, data in, the DAG's way chosen (`path`, once the data is there), then the DAG
    for each year and the summary."""
    from flightlake.local.harness.reports_mirror import mirror_reports
    from flightlake.local.stack.manager import Stack, activate

    started = time.monotonic()
    stack = Stack(settings)
    if not stack.is_up():
        stack.up(echo=echo)
    settings = activate(settings)
    data(settings)
    dag_path = path(settings)
    ensure_migrated(settings, echo)
    log_path = settings.state_dir / "logs" / f"run-{datetime.now().strftime('%Y%m%d-%H%M%S')}.log"
    echo(f"airflow    running flights_etl for {', '.join(map(str, years))}, {dag_path.description} (log: {log_path})")
    outcomes, task_order = run_dag(years, keep_going, log_path, echo, dag_path.environment)
    dashboard = None
    if any(o.state == "success" for o in outcomes):
        dashboard = mirror_reports(settings, settings.state_dir / "reports")
    return RunSummary(
        outcomes,
        round(time.monotonic() - started, 1),
        log_path,
        task_order,
        dashboard,
        reports_uri=f"s3://{settings.zone('reports').bucket}/",
        warehouse=dag_path.warehouse,
        path=dag_path.description,
        notes=list(dag_path.notes),
    )


def run(
    settings: Settings,
    years: tuple[int, ...],
    data_dir: Path | None = None,
    rows_per_year: int = DEFAULT_ROWS_PER_YEAR,
    seed: int = DEFAULT_SEED,
    keep_going: bool = False,
    echo: Echo = print,
    path: Callable[[Settings], DagPath] = local_path,
) -> RunSummary:
    """The main job: data in (the user's files or generated), then the DAG for each year, the
    way `path` says (the local one, or the AWS rehearsal's: `rehearsal.aws_path`)."""

    def data(current: Settings) -> None:
        prepare_data(current, years, data_dir, rows_per_year, seed, echo)

    return execute(settings, years, keep_going, echo, data, path)


def backfill(settings: Settings, years: tuple[int, ...], keep_going: bool = False, echo: Echo = print) -> RunSummary:
    """Run years again from what the raw zone already holds (the DAG's check_raw says if not)."""
    return execute(settings, years, keep_going, echo, lambda s: None)
