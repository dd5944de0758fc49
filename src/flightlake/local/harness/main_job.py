"""`flightlake run` and `flightlake backfill`: the main job, end to end, offline.

Brings the embedded stack up if needed, gets data into the raw zone (the user's files, or
generated ones), then runs the `flights_etl` DAG through Airflow once per year in order (real
DagRuns with their task states in Airflow's metadata database) and ends with a summary per
year and where to look. The Airflow work happens in a child process (`dag_runs`) that gets the
embedded Airflow environment and reports what Airflow tells it (`events`).

A year whose input was refused (or is missing from `--data`) is not run at all: it is `refused`
in the summary, with the refusal, rather than run on whatever older file the lake holds and
reported as a success of data it was not given.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flightlake.local.harness import child
from flightlake.local.harness.dag_path import DagPath, local_path
from flightlake.local.stack.airflow_env import ensure_migrated
from flightlake.settings import Settings
from flightlake.settings.values import within_dag

if TYPE_CHECKING:
    from flightlake.lake.ingest_sources import IngestResult

DEFAULT_ROWS_PER_YEAR = 200_000
DEFAULT_SEED = 2009
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


def generated_data_dir(settings: Settings, rows_per_year: int, seed: int) -> Path:
    return settings.state_dir / "data" / f"generated-{rows_per_year}-seed{seed}"


def prepare_data(
    settings: Settings, years: tuple[int, ...], data_dir: Path | None, rows_per_year: int, seed: int, echo: Echo
) -> dict[int, str]:
    """Ingest the user's files, or generate (once per size and seed) and ingest ours. Returns the
    years whose input was refused or is missing, each with why: those must not run at all."""
    from flightlake.lake.ingest import ingest
    from flightlake.local.harness.progress import byte_progress

    if data_dir is None:
        from flightlake.datagen import ensure_generated

        source = generated_data_dir(settings, rows_per_year, seed)
        paths = ensure_generated(source, years, rows_per_year, seed, lambda line: echo(f"data       {line}"))
    else:
        source, paths = data_dir, [data_dir]
    with byte_progress() as progress:
        results = ingest(settings, paths, progress, years=years)
    for result in results:
        note = f" ({'; '.join(result.notes)})" if result.notes else ""
        echo(f"ingest     {result.name}: {result.status}{note}")
    for result in results:
        if result.status == "refused":
            echo(f"ingest     refused: {result.error}")
    return refused_years(results, years, source)


def refused_years(results: list[IngestResult], years: tuple[int, ...], source: Path) -> dict[int, str]:
    """For each year without an accepted file among the ingest `results`, why: its own file's
    refusal, a refusal that concerns the whole input (no such folder, a zip that is not one),
    or that the input holds no file for it."""
    accepted = {r.year for r in results if r.status in ("uploaded", "unchanged")}
    general = [r.error for r in results if r.status == "refused" and r.year is None]
    refused: dict[int, str] = {}
    for year in (y for y in years if y not in accepted):
        own = [r.error for r in results if r.status == "refused" and r.year == year]
        if own or general:
            refused[year] = " ".join(own or general)
            continue
        skipped = [r.name for r in results if r.status == "skipped" and str(year) in Path(r.name).name]
        seen = f" (skipped there: {', '.join(skipped)})" if skipped else ""
        refused[year] = (
            f"{source} holds no {year} file{seen}. Fix: add {year}.csv to it, or run the file already in the "
            f"lake again: flightlake backfill --years {year}"
        )
    return refused


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
) -> tuple[list[YearOutcome], list[str]]:
    """Run the DAG for each year in a child process with `env`; relay its events; keep its full log."""
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
    return [relay.outcomes[y] for y in years], relay.task_order


def _execute(
    settings: Settings,
    years: tuple[int, ...],
    keep_going: bool,
    echo: Echo,
    data: Callable[[Settings], dict[int, str]],
    path: Callable[[Settings], DagPath] = local_path,
) -> RunSummary:
    """Stack up, the DAG's way chosen (`path`: the rehearsal deploys here), data into the lake that
    way reads, then the DAG for each year and the summary."""
    from flightlake.local.harness.reports_mirror import mirror_reports
    from flightlake.local.stack.manager import Stack, activate

    started = time.monotonic()
    within_dag(years, settings.years, "years")  # before anything starts; the CLI has said so already
    stack = Stack(settings)
    if not stack.is_up():
        stack.up(echo=echo)
    settings = activate(settings)
    dag_path = path(settings)
    lake = dag_path.lake or settings
    refused = data(lake)
    outcomes = {year: YearOutcome(year, "refused", error=why) for year, why in refused.items()}
    for year, why in refused.items():
        echo(f"{year}  refused before any task ran: {why}")
    runnable = runnable_years(years, refused, keep_going)
    log_path, task_order = None, []
    if runnable:
        ensure_migrated(settings, echo, dag_path.environment)
        log_path = settings.state_dir / "logs" / f"run-{datetime.now().strftime('%Y%m%d-%H%M%S')}.log"
        ran_for = ", ".join(map(str, runnable))
        echo(f"airflow    running flights_etl for {ran_for}, {dag_path.description} (full log: {log_path})")
        ran, task_order = run_dag(runnable, keep_going, log_path, echo, dag_path.environment)
        _hint_restart(stack, ran)
        _name_stale(lake, ran)
        outcomes.update((o.year, o) for o in ran)
    dashboard = None
    if any(o.state == "success" for o in outcomes.values()):
        dashboard = mirror_reports(lake, dag_path.reports_dir or settings.state_dir / "reports")
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
        stale = stale_tables(settings, outcome.year)
        if stale:
            note = f" [{', '.join(stale)} for {outcome.year} still hold data of an earlier raw file]"
            outcome.error = (outcome.error or "failed") + note


def _hint_restart(stack: Any, outcomes: list[YearOutcome]) -> None:
    """A year that failed while a service of the stack was down says how to get it back: the
    pipeline cannot know it ran on the embedded stack, the harness can."""
    failed = [o for o in outcomes if o.state not in ("success", "not run")]
    down = stack.down_services() if failed else []
    if not down:
        return
    years = ",".join(str(o.year) for o in failed)
    hint = (
        f" [{' and '.join(down)} of the embedded stack stopped: run `flightlake up` (it comes back on the same "
        f"ports), then `flightlake backfill --years {years}`]"
    )
    for outcome in failed:
        outcome.error = (outcome.error or "failed") + hint


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

    def data(current: Settings) -> dict[int, str]:
        return prepare_data(current, years, data_dir, rows_per_year, seed, echo)

    return _execute(settings, years, keep_going, echo, data, path)


def backfill(
    settings: Settings,
    years: tuple[int, ...],
    keep_going: bool = False,
    echo: Echo = print,
    path: Callable[[Settings], DagPath] = local_path,
) -> RunSummary:
    """Run years again from what the raw zone already holds (the DAG's check_raw says if not)."""
    return _execute(settings, years, keep_going, echo, lambda s: {}, path)
