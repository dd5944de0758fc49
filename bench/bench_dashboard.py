"""How long the interactive dashboard takes to open in Chromium: ten years at the default size.

    .venv/bin/python -m bench.bench_dashboard [--rows 200000] [--years 2009-2018] [--loads 5]

Each year is generated at `flightlake run`'s default size, its daily figures computed and scored
with pandas (what the Spark steps and the detector write), and the page built from them exactly
as the report task builds it from the warehouse and the lake. Then headless Chromium opens it
`--loads` times at an airport's view (`#airport=...&year=...`); the page itself records when it
was ready (`data-ready-ms`, from navigation start). No stack is needed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from bench.full_scale import BENCH_SEED, bench_arguments

DEFAULT_ROWS = 200_000  # flightlake run's default size per year
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync")  # fmt: skip


def year_frames(rows: int, years: list[int], out: Path) -> dict[int, pd.DataFrame]:
    from flightlake.anomalies import detect
    from flightlake.anomalies.daily_reference import daily_from_csv
    from flightlake.datagen import generate

    missing = [y for y in years if not (out / f"{y}.csv").exists()]
    if missing:
        print(f"generating {rows:,} rows for {len(missing)} years into {out} (once) ...", flush=True)
        generate(missing, rows_per_year=rows, seed=BENCH_SEED, out_dir=out, workers=2)
    return {year: detect(daily_from_csv(out / f"{year}.csv"), year) for year in years}


def views(frames: dict[int, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What dw.airport_year_summary and dw.anomalous_days would hold for these rows."""
    rows = pd.concat([frame.assign(year=year) for year, frame in frames.items()])
    rows["gap"] = rows["status"] == "gap"
    rows["anomaly"] = rows["is_anomaly"].fillna(False).astype(bool)
    airports = (
        rows.groupby(["year", "origin_airport"])
        .agg(anomaly_days=("anomaly", "sum"), days_reported=("gap", "size"), gap_days=("gap", "sum"),
             scheduled_flights=("scheduled_flights", "sum"), cancelled_flights=("cancelled_flights", "sum"))
        .reset_index()
        .sort_values(["year", "anomaly_days", "origin_airport"], ascending=[True, False, True])
    )  # fmt: skip
    airports["days"] = airports["days_reported"] - airports["gap_days"]
    anomalies = rows[rows["anomaly"]]
    return airports, anomalies.sort_values(["year", "flight_date", "origin_airport"])


def main() -> int:
    parser = bench_arguments(__doc__)
    parser.set_defaults(rows=DEFAULT_ROWS)
    parser.add_argument("--years", default="2009-2018")
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    from flightlake.reporting.dashboard import page_data, render_html, series_piece
    from flightlake.settings import load_settings, parse_years

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print("bench_dashboard: Chromium is not installed (apt-get install chromium)")
        return 1
    settings = load_settings()
    years = list(parse_years(args.years))
    frames = year_frames(args.rows, years, settings.state_dir / "data" / f"bench-{args.rows}-seed{BENCH_SEED}")
    airports, anomalies = views(frames)
    data = page_data(airports, anomalies, "bench")
    page = render_html(data, {year: series_piece(frame, year) for year, frame in frames.items()})
    busiest = str(data["years"][-1]["airport_rows"][0]["airport"])
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "index.html"
        path.write_text(page)
        url = f"{path.as_uri()}#airport={busiest}&year={years[-1]}"
        loads = []
        for _ in range(args.loads):
            dom = subprocess.run(
                [browser, *FLAGS, f"--user-data-dir={work}/profile", "--dump-dom", url],
                capture_output=True, text=True, timeout=120, check=True,
            ).stdout  # fmt: skip
            loads.append(int(re.search(r'data-ready-ms="(\d+)"', dom).group(1)))
    loads.sort()
    day_rows = sum(len(f) for f in frames.values())
    print(
        f"bench_dashboard: {len(years)} years x {args.rows:,} rows ({day_rows:,} airport-days), page "
        f"{len(page) / 1e6:.1f} MB; ready in {loads[len(loads) // 2]} ms median "
        f"(min {loads[0]}, max {loads[-1]}, {len(loads)} loads, #airport={busiest}&year={years[-1]})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
