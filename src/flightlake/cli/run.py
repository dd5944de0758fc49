"""`flightlake run` (the main job) and `flightlake backfill` (re-run years already in the lake)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from flightlake.cli import arguments
from flightlake.cli.registry import command, console
from flightlake.pipeline.registry import DAG_ID
from flightlake.settings import Settings
from flightlake.warehouse.columns import RUNS_TABLE, TABLE


def _years_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--years", type=arguments.years, help="years to run, e.g. 2009-2018 or 2013,2015 (default: FLIGHTLAKE_YEARS)"
    )
    parser.add_argument("--keep-going", action="store_true", help="run the next years after a failed one")
    parser.add_argument(
        "--no-wait", action="store_true", help="if another run is using the stack, refuse instead of waiting for it"
    )
    parser.set_defaults(parser=parser)  # for errors the handler finds against the settings (exit 2, like argparse's)


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    from flightlake.local.harness.run_data import DEFAULT_ROWS_PER_YEAR, DEFAULT_SEED

    _years_argument(parser)
    parser.description = (
        f"{parser.description}. Without --data or --generate, a year whose raw file is already in the lake runs "
        f"on it, and the others on generated data ({DEFAULT_ROWS_PER_YEAR:,} rows, seed {DEFAULT_SEED})."
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--data",
        type=Path,
        help="folder, zip or year file to ingest (2013.csv, flights_2013.csv, 2013.csv.gz); a year it holds no "
        "accepted file for is refused, not run",
    )
    source.add_argument(
        "--generate", type=arguments.row_count, metavar="ROWS_PER_YEAR",
        help="generate data of this size per year, e.g. 200k or 7.2M, replacing the lake's raw files "
        f"(default size {DEFAULT_ROWS_PER_YEAR:,})",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=arguments.whole(0),
        help=f"seed of the generated data; like --generate, replaces the lake's raw files (default {DEFAULT_SEED})",
    )  # fmt: skip
    parser.add_argument(
        "--rehearse-aws", action="store_true",
        help="deploy to the emulator and run the DAG as on MWAA: Glue job runs and the Redshift Data API",
    )  # fmt: skip


def _plain() -> Callable[[str], None]:
    """Prints progress lines as they are: they quote refusals, which quote the user's files, and
    a '[/x]' in a file must not be read as rich markup."""
    out = console()
    return lambda line: out.print(line, markup=False)


def _summary(summary) -> int:  # noqa: ANN001
    from rich.markup import escape
    from rich.table import Table

    out = console()
    table = Table(title=f"{DAG_ID}, {summary.path}", title_justify="left")
    for column in (
        "year",
        "state",
        "rows in",
        "rejects",
        "airports",
        "anomalies",
        "warehouse rows",
        "charts",
        "duration",
    ):
        table.add_column(column, justify="left" if column in ("year", "state") else "right")
    for outcome in summary.outcomes:
        f = outcome.figures
        colour = "green" if outcome.state == "success" else "red"

        def number(key: str, figures: dict = f) -> str:
            return f"{figures[key]:,}" if key in figures else "-"

        table.add_row(
            str(outcome.year), f"[{colour}]{outcome.state}[/]",
            number("raw_rows"), number("rejects"), number("airports"),
            number("anomalies"), number("warehouse_rows"), number("charts"), f"{outcome.seconds:.0f} s",
        )  # fmt: skip
    out.print(table)
    for outcome in summary.outcomes:
        if outcome.source:
            out.print(f"{outcome.year} data: {escape(outcome.source)}")
    for outcome in summary.outcomes:
        if outcome.error:
            out.print(f"[red]{outcome.year} {outcome.state}[/]: {escape(outcome.error)}")
    log = f"; Airflow log: {summary.log_path}" if summary.log_path else " (no year ran through Airflow)"
    out.print(f"total {summary.seconds:.0f} s{log}")
    if summary.dashboard:
        out.print(f"dashboard: file://{summary.dashboard}")
    out.print(f"reports:   {summary.reports_uri}  (charts under charts/year=YYYY/airport=XXX/daily.png)")
    out.print(f"warehouse: {summary.warehouse}  (tables {TABLE}, {RUNS_TABLE})")
    for note in summary.notes:
        out.print(note)
    return 0 if summary.ok else 1


@command("run", "the main job: stack up, data in, the DAG through Airflow for each year, a summary", _run_arguments)
def _run(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.local.harness.dag_path import local_path
    from flightlake.local.harness.main_job import run
    from flightlake.local.harness.rehearsal import aws_path

    years = arguments.dag_years(args.parser, args.years, settings)
    if args.data is not None and args.seed is not None:
        args.parser.error("--seed is for generated data; --data runs on your files")
    echo = _plain()
    summary = run(
        settings, years, data_dir=args.data, rows_per_year=args.generate, seed=args.seed, keep_going=args.keep_going,
        echo=echo, path=aws_path(echo) if args.rehearse_aws else local_path, wait=not args.no_wait,
    )  # fmt: skip
    return _summary(summary)


@command("backfill", "run the DAG again for years whose raw files are already in the lake", _years_argument)
def _backfill(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.local.harness.main_job import backfill

    years = arguments.dag_years(args.parser, args.years, settings)
    return _summary(backfill(settings, years, keep_going=args.keep_going, echo=_plain(), wait=not args.no_wait))
