"""`flightlake run` (the main job) and `flightlake backfill` (re-run years already in the lake)."""

from __future__ import annotations

import argparse
from pathlib import Path

from flightlake.cli.registry import command, console
from flightlake.settings import Settings, parse_years


def _years_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--years", help="years to run, e.g. 2009-2018 or 2013,2015 (default: FLIGHTLAKE_YEARS)")
    parser.add_argument("--keep-going", action="store_true", help="run the next years after a failed one")


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    from flightlake.local.harness.main_job import DEFAULT_ROWS_PER_YEAR, DEFAULT_SEED

    _years_argument(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, help="directory (or zip) with the Kaggle YYYY.csv files to ingest")
    source.add_argument(
        "--generate", type=int, metavar="ROWS_PER_YEAR", default=DEFAULT_ROWS_PER_YEAR,
        help=f"generate data of this size per year (default {DEFAULT_ROWS_PER_YEAR:,})",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated data")
    parser.add_argument(
        "--rehearse-aws", action="store_true",
        help="deploy to the emulator and run the DAG as on MWAA: Glue job runs and the Redshift Data API",
    )  # fmt: skip


def _summary(summary) -> int:  # noqa: ANN001
    from rich.table import Table

    out = console()
    table = Table(title=f"flights_etl, {summary.path}", title_justify="left")
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
        if outcome.error:
            out.print(f"[red]{outcome.year} failed[/]: {outcome.error}")
    out.print(f"total {summary.seconds:.0f} s; Airflow log: {summary.log_path}")
    if summary.dashboard:
        out.print(f"dashboard: file://{summary.dashboard}")
    out.print(f"reports:   {summary.reports_uri}  (charts under charts/year=YYYY/airport=XXX/daily.png)")
    out.print(f"warehouse: {summary.warehouse}  (tables dw.airport_daily_delays, dw.pipeline_runs)")
    for note in summary.notes:
        out.print(note)
    return 0 if summary.ok else 1


@command("run", "the main job: stack up, data in, the DAG through Airflow for each year, a summary", _run_arguments)
def _run(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.local.harness.main_job import local_path, run
    from flightlake.local.harness.rehearsal import aws_path

    years = parse_years(args.years) if args.years else settings.years
    echo = console().print
    summary = run(
        settings, years, data_dir=args.data, rows_per_year=args.generate, seed=args.seed, keep_going=args.keep_going,
        echo=echo, path=aws_path(echo) if args.rehearse_aws else local_path,
    )  # fmt: skip
    return _summary(summary)


@command("backfill", "run the DAG again for years whose raw files are already in the lake", _years_argument)
def _backfill(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.local.harness.main_job import backfill

    years = parse_years(args.years) if args.years else settings.years
    return _summary(backfill(settings, years, keep_going=args.keep_going, echo=console().print))
