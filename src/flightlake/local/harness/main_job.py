"""`flightlake run` and `flightlake backfill`: the main job, end to end, offline.

Brings the embedded stack up if needed, gets data into the raw zone (the user's files, or
generated ones), then runs the `flights_etl` DAG through Airflow once per year in order (real
DagRuns with their task states in Airflow's metadata database) and ends with a summary per
year and where to look. The Airflow work happens in a child process (`dag_runs`) that gets the
embedded Airflow environment and reports what Airflow tells it (`events`).

A year whose input was refused (or is missing from `--data`) is not run at all: it is `refused`
in the summary, with the refusal, rather than run on whatever older file the lake holds and
reported as a success of data it was not given. Which data a year runs on, and how the summary
names it, is `run_data`'s business; one run at a time per stack, `run_lock`'s.

A run that loses its stack halfway (`flightlake down`, a killed service) or its disk stops, and
every year it did not finish says so, with the command that gets it back.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flightlake.errors import FlightlakeError
from flightlake.local.harness import child
from flightlake.local.harness.dag_path import DagPath, local_path
from flightlake.local.harness.run_data import DataChoice, PreparedData, lake_sources, prepare_data
from flightlake.local.stack import disk
from flightlake.local.stack.airflow_env import ensure_migrated
from flightlake.settings import Settings
from flightlake.settings.values import within_dag

Echo = Callable[[str], None]
_SHOWN_STATES = ("running", "success", "failed", "up_for_retry", "upstream_failed")


@dataclass
class YearOutcome:
    year: int
    state: str = "not run"  # success | failed | refused (its input, before any task) | not run
    seconds: float = 0.0
    run_id: str | None = None
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    source: str | None = None  # the data it ran on: the raw file's name and sha256, the generator's seed


@dataclass
class RunSummary:
    outcomes: list[YearOutcome]
    seconds: float
    log_path: Path | None  # None when no year got as far as Airflow
    task_order: list[str] = field(default_factory=list)  # as the DAG defines it
    dashboard: Path | None = None
    reports_uri: str = ""
    warehouse: str = ""
    path: str = ""  # which way the DAG's tasks went (DagPath.description)
    notes: list[str] = field(default_factory=list)  # where else to look (e.g. Glue driver logs)

    @property
    def ok(self) -> bool:
        return all(o.state == "success" for o in self.outcomes)


def runnable_years(years: tuple[int, ...], refused: dict[int, str], keep_going: bool) -> tuple[int, ...]:
    """The years to run through the DAG. A refused year counts as a failed one: without
    --keep-going, the years after it are not run, as after a year that fails in a task."""
    if keep_going:
        return tuple(y for y in years if y not in refused)
    first_refused = min(refused, default=None)
    return tuple(y for y in years if first_refused is None or y < first_refused)


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
) -> tuple[list[YearOutcome], list[str], int]:
    """Run the DAG for each year in a child process with `env`; relay its events; keep its full
    log. Returns the outcomes, the DAG's task order and the child's exit code."""
    relay = _Relay(years, echo)
    read_fd, write_fd = os.pipe()
    argv = [sys.executable, "-m", "flightlake.local.harness.dag_runs", "--years", ",".join(map(str, years))]
    argv += ["--events-fd", str(write_fd)] + (["--keep-going"] if keep_going else [])
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        process = child.start(argv, env, log, pass_fds=(write_fd,))
        os.close(write_fd)  # the child holds the only writer: EOF when it exits
        with child.stopped_on_signals(process), os.fdopen(read_fd) as events:
            for line in events:
                relay.apply(json.loads(line))
            process.wait()
    return [relay.outcomes[y] for y in years], relay.task_order, process.returncode


def _execute(
    settings: Settings,
    command: str,
    years: tuple[int, ...],
    keep_going: bool,
    echo: Echo,
    data: Callable[[Settings], PreparedData],
    path: Callable[[Settings], DagPath] = local_path,
    wait: bool = True,
) -> RunSummary:
    """One run at a time: stack up, the DAG's way chosen (`path`: the rehearsal deploys here),
    data into the lake that way reads, then the DAG for each year and the summary."""
    from flightlake.local.harness.run_lock import one_run_at_a_time

    within_dag(years, settings.years, "years")  # before anything starts; the CLI has said so already
    try:
        with one_run_at_a_time(settings, command, years, echo, wait):
            return _locked(settings, years, keep_going, echo, data, path)
    except Exception as error:  # whatever wrote first on a full disk (a secret, a log, a lock file)
        if isinstance(error, FlightlakeError) or not disk.caused_by_full_disk(error, settings.state_dir):
            raise  # a FlightlakeError already says what went wrong
        raise FlightlakeError(
            f"the disk holding {settings.state_dir} is full. Fix: free some space, then run the command again"
        ) from error


def _locked(
    settings: Settings,
    years: tuple[int, ...],
    keep_going: bool,
    echo: Echo,
    data: Callable[[Settings], PreparedData],
    path: Callable[[Settings], DagPath],
) -> RunSummary:
    from flightlake.local.harness.reports_mirror import mirror_reports
    from flightlake.local.stack.connection_lost import stack_lost
    from flightlake.local.stack.manager import Stack, activate

    started = time.monotonic()
    stack = Stack(settings)
    if not stack.is_up():
        stack.up(echo=echo)
    settings = activate(settings)
    dag_path = path(settings)
    lake = dag_path.lake or settings
    with stack_lost(settings, "run the same command again (its data may not all be in the lake yet)"):
        prepared = data(lake)
    outcomes = {year: YearOutcome(year, "refused", error=why) for year, why in prepared.refused.items()}
    for year, why in prepared.refused.items():
        echo(f"{year}  refused before any task ran: {why}")
    runnable = runnable_years(years, prepared.refused, keep_going)
    log_path, task_order = None, []
    if runnable:
        ensure_migrated(settings, echo, dag_path.environment)
        log_path = settings.state_dir / "logs" / f"run-{datetime.now().strftime('%Y%m%d-%H%M%S')}.log"
        ran_for = ", ".join(map(str, runnable))
        echo(f"airflow    running flights_etl for {ran_for}, {dag_path.description} (full log: {log_path})")
        ran, task_order, exit_code = run_dag(runnable, keep_going, log_path, echo, dag_path.environment)
        _name_interruption(settings, stack, ran, keep_going, exit_code, log_path)
        _name_stale(lake, ran)
        outcomes.update((o.year, o) for o in ran)
    for year, source in prepared.sources.items():
        outcomes.setdefault(year, YearOutcome(year)).source = source
    dashboard = None
    if any(o.state == "success" for o in outcomes.values()):
        dashboard = _unless_lost(lambda: mirror_reports(lake, dag_path.reports_dir or settings.state_dir / "reports"))
    return RunSummary(
        [outcomes.get(year) or YearOutcome(year) for year in years],
        round(time.monotonic() - started, 1),
        log_path,
        task_order,
        dashboard,
        reports_uri=f"s3://{lake.zone('reports').bucket}/",
        warehouse=dag_path.warehouse,
        path=dag_path.description,
        notes=list(dag_path.notes),
    )


def _name_stale(settings: Settings, outcomes: list[YearOutcome]) -> None:
    """A failed year says which of its tables still hold data of an earlier raw file."""
    from flightlake.lake.provenance import stale_tables

    for outcome in outcomes:
        if outcome.state in ("success", "not run"):
            continue
        stale = _unless_lost(lambda year=outcome.year: stale_tables(settings, year), [])
        if stale:
            note = f" [{', '.join(stale)} for {outcome.year} still hold data of an earlier raw file]"
            outcome.error = (outcome.error or "failed") + note


def _name_interruption(
    settings: Settings,
    stack: Any,
    outcomes: list[YearOutcome],
    keep_going: bool = False,
    exit_code: int = 0,
    log_path: Path | None = None,
) -> None:
    """Years the Airflow child did not finish because it died (`flightlake down` stops it with
    the stack; a full disk), and years that failed while the stack was down, say why and how to
    get them back. Ordinary failures name their own cause and are left as they are."""
    unfinished = [o for o in outcomes if o.state == "not run"]
    failed = [o for o in outcomes if o.state not in ("success", "not run")]
    # Without --keep-going the child stops after a failed year on purpose; otherwise an unfinished
    # year and a non-zero exit mean it was stopped, or crashed.
    died = bool(unfinished) and exit_code != 0 and (keep_going or not failed)
    if not died and not failed:
        return
    again = ",".join(str(o.year) for o in failed + (unfinished if died else []))
    cause = _stopped_because(settings, stack, log_path, again)
    if cause is None and died:
        ended = f"killed by {signal.Signals(-exit_code).name}" if exit_code < 0 else f"exit code {exit_code}"
        where = f"its log {log_path} says why" if log_path else "see its log"
        cause = (
            f"the Airflow worker ended ({ended}) before finishing: {where}; then `flightlake backfill --years {again}`"
        )
    if cause is None:
        return
    if died:
        unfinished[0].state, unfinished[0].error = "failed", cause
    for outcome in failed:
        outcome.error = f"{outcome.error or 'failed'} [{cause}]"


def _stopped_because(settings: Settings, stack: Any, log_path: Path | None, years: str) -> str | None:
    """Why a run stopped that was not the data's fault: the stack went down, or the disk is full."""
    down = stack.down_services()
    if down:
        return (
            f"the stack was stopped ({' and '.join(down)} not running): run `flightlake up`, "
            f"then `flightlake backfill --years {years}`"
        )
    if disk.is_full(settings.state_dir) or disk.says_full(disk.log_tail(log_path)):
        return (
            f"the disk holding {settings.state_dir} is full: free some space, "
            f"then `flightlake backfill --years {years}`"
        )
    return None


def _unless_lost(work: Callable[[], Any], default: Any = None) -> Any:
    """`work()`, or `default` when the stack is gone by now: the years that ran already say so."""
    from flightlake.local.stack.connection_lost import connection_lost

    try:
        return work()
    except Exception as error:
        if not connection_lost(error):
            raise
        return default


def run(
    settings: Settings,
    years: tuple[int, ...],
    data_dir: Path | None = None,
    rows_per_year: int | None = None,
    seed: int | None = None,
    keep_going: bool = False,
    echo: Echo = print,
    path: Callable[[Settings], DagPath] = local_path,
    wait: bool = True,
) -> RunSummary:
    """The main job: data in (the user's files, the lake's own, or generated: `run_data`), then
    the DAG for each year, the way `path` says (the local one, or the AWS rehearsal's:
    `rehearsal.aws_path`). `rows_per_year` or `seed` generates data for every year."""
    choice = DataChoice(data_dir, rows_per_year, seed)

    def data(current: Settings) -> PreparedData:
        return prepare_data(current, years, choice, echo)

    return _execute(settings, "run", years, keep_going, echo, data, path, wait)


def backfill(
    settings: Settings,
    years: tuple[int, ...],
    keep_going: bool = False,
    echo: Echo = print,
    path: Callable[[Settings], DagPath] = local_path,
    wait: bool = True,
) -> RunSummary:
    """Run years again from what the raw zone already holds (the DAG's check_raw says if not)."""

    def data(current: Settings) -> PreparedData:
        return PreparedData(sources=lake_sources(current, years))

    return _execute(settings, "backfill", years, keep_going, echo, data, path, wait)
