"""`flightlake ingest`: year files into the raw zone."""

from __future__ import annotations

import argparse
from pathlib import Path

from flightlake.cli.registry import command, console
from flightlake.settings import Settings


def _ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        help="year files (YYYY.csv, flights_2013.csv, .csv.gz, .csv.bz2), the Kaggle zip, or folders of them",
    )


@command("ingest", "check year files against the raw contract and upload them to the raw zone", _ingest_arguments)
def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from rich.markup import escape
    from rich.table import Table

    from flightlake.lake.ingest import ingest
    from flightlake.local.harness.progress import byte_progress
    from flightlake.local.stack.manager import activate

    settings = activate(settings)
    with byte_progress() as progress:
        results = ingest(settings, args.paths, progress)
    out = console()
    table = Table("file", "year", "rows", "result", "notes")
    for result in results:
        colour = {"uploaded": "green", "unchanged": "cyan", "refused": "red", "skipped": "yellow"}[result.status]
        table.add_row(
            escape(result.name),  # names and messages quote the user's files: never read as markup
            str(result.year or "-"),
            f"{result.rows:,}" if result.rows else "-",
            f"[{colour}]{result.status}[/]",
            escape("; ".join(result.notes)),
        )
    out.print(table)
    for result in results:
        if result.error:
            out.print(f"[red]refused[/] {escape(result.error)}")
    counts = {s: sum(r.status == s for r in results) for s in ("uploaded", "unchanged", "refused", "skipped")}
    out.print(", ".join(f"{n} {s}" for s, n in counts.items()))
    return 1 if counts["refused"] else 0  # a skipped folder entry is reported, not an error
