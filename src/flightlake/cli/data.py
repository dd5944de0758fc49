"""`flightlake ingest`: year files into the raw zone, of the embedded stack or of a deployed environment.

`--env NAME` ingests into that environment's lake (its raw bucket and Glue database, in its
region), where the DAG on that environment reads; like `flightlake deploy` it then goes where
AWS_ENDPOINT_URL and the credentials say, never to the embedded stack on its own. Without it,
the embedded stack must be running: never real AWS by way of stray credentials.
"""

from __future__ import annotations

import argparse
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from flightlake.cli.registry import command, console
from flightlake.settings import Settings

if TYPE_CHECKING:
    from flightlake.deploy.target import Target


def _ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        help="year files (YYYY.csv, flights_2013.csv, .csv.gz, .csv.bz2), the Kaggle zip, or folders of them",
    )
    parser.add_argument("--env", metavar="NAME", help="a deployed environment (deploy/environments/NAME.toml)")


@command("ingest", "check year files against the raw contract and upload them to the raw zone", _ingest_arguments)
def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from rich.markup import escape
    from rich.table import Table

    from flightlake.lake.ingest import ingest
    from flightlake.local.harness.progress import byte_progress
    from flightlake.local.stack.connection_lost import stack_lost
    from flightlake.local.stack.manager import activate

    settings = deployed_target(args.env, settings).settings if args.env else activate(settings)
    again = "`flightlake ingest` again (a file cut off mid-upload left the lake's earlier one as it was)"
    with nullcontext() if args.env else stack_lost(settings, again), byte_progress() as progress:
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


def deployed_target(name: str, settings: Settings) -> Target:
    """A deployed environment (its lake's settings, names and clients), after checking the
    credentials' account; `flightlake sql --env` uses it too."""
    import os

    from flightlake.deploy.environments import load_environment
    from flightlake.deploy.target import Target
    from flightlake.settings.checkout import project_root

    target = Target(load_environment(project_root(settings), name), project_root(settings))
    target.check_account()
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    where = f"emulator at {endpoint}" if endpoint else f"AWS account {target.env.account}"
    raw = target.settings.zone("raw").bucket
    console().print(f"target: {target.names.deployment} ({where}, region {target.env.region}), raw zone s3://{raw}")
    return target
