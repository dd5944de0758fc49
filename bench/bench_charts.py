"""Charts for every airport of a full-scale year (~360 PNGs), rendered in parallel.

    .venv/bin/python -m bench.bench_charts [--rows 7200000] [--workers N] [--upload]

The daily figures come from the generated year (pandas), the anomalies from the default
detector; then the charts are rendered across the cores, and with --upload also put in the
reports zone with their index.
"""

from __future__ import annotations

import os

from bench.full_scale import BENCH_YEAR, bench_arguments, full_scale_file
from bench.measure import measured


def main() -> int:
    parser = bench_arguments(__doc__)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--upload", action="store_true", help="also upload to the reports zone (starts the stack)")
    args = parser.parse_args()
    from flightlake.anomalies import detect
    from flightlake.anomalies.daily_reference import daily_from_csv
    from flightlake.reporting import charts
    from flightlake.settings import load_settings

    settings = load_settings()
    result = detect(daily_from_csv(full_scale_file(settings, args.rows)), BENCH_YEAR)
    airports = result["origin_airport"].nunique()
    with measured() as render:
        rendered = charts.render_all(result, BENCH_YEAR, args.workers)
    line = (
        f"bench_charts: {len(rendered)} charts ({airports} airports, {int(result['is_anomaly'].sum())} anomalous days) "
        f"in {render.wall_s:.1f} s with {args.workers} workers = {len(rendered) / render.wall_s:.1f} charts/s, "
        f"peak {render.peak_mb:,.0f} MB, {sum(len(c.png) for c in rendered) / 1e6:.1f} MB of PNG"
    )
    if args.upload:
        from bench.full_scale import running_stack
        from flightlake.reporting.chart_uploads import upload as upload_charts

        settings = running_stack()
        with measured() as upload:
            upload_charts(settings, rendered, BENCH_YEAR)
        line += f"; upload {upload.wall_s:.1f} s"
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
