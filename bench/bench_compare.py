"""flightlake's year next to the single pandas script and to DuckDB, on the same file, in one run.

    .venv/bin/python -m bench.bench_compare [--rows 7200000]     (make bench BENCH=compare)

1. flightlake: the year through the DAG, as `bench_dag` runs it (and prints it: its line too);
2. pandas, the way the original solution works (`bench.pandas_pipeline`): read_csv, groupby,
   IsolationForest per airport, COPY into PostgreSQL, one matplotlib chart per airport;
3. DuckDB, the single-machine limit (`bench.duckdb_pipeline`): CSV to typed Parquet, then the daily
   figures, the same two stages as the Spark steps.

Each runs alone, one after the other; time is wall time, memory the peak RSS of its process tree.
Targets: flightlake at least 2x faster than the pandas script, its two Spark steps within 4x of
DuckDB's same stages.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

from bench.bench_dag import dag_year, report, task_seconds
from bench.full_scale import BENCH_YEAR, bench_arguments, full_scale_file, running_stack
from bench.measure import Measurement, measured
from flightlake.pipeline.registry import spark_steps


def alone(module: str, *arguments: str) -> tuple[dict[str, float], Measurement]:
    """Run a bench script in its own process; its steps' seconds and its measurement."""
    with measured() as measurement:
        done = subprocess.run([sys.executable, "-m", module, *arguments], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), measurement


def _steps(seconds: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.1f}" for name, value in seconds.items())


def main() -> int:
    args = bench_arguments(__doc__).parse_args()
    settings = running_stack()
    path = full_scale_file(settings, args.rows)
    summary, lake = dag_year(settings, path)
    report(summary, lake, args.rows)
    outcome = summary.outcomes[0]
    tasks = task_seconds(summary)
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        pandas_steps, pandas = alone("bench.pandas_pipeline", str(path), settings.require_warehouse_dsn(), tmp)
        duck_steps, duck = alone("bench.duckdb_pipeline", str(path), tmp)
    spark = sum(tasks.get(step.name, 0.0) for step in spark_steps())
    rows = [
        ("flightlake DagRun", outcome.seconds, lake.peak_mb, _steps(tasks)),
        ("pandas single script", pandas.wall_s, pandas.peak_mb, _steps(pandas_steps)),
        ("DuckDB two stages", duck.wall_s, duck.peak_mb, _steps(duck_steps)),
    ]
    print(
        f"\n{args.rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB), year {BENCH_YEAR}: flightlake run {outcome.state}"
    )
    print(f"{'':<22} {'time':>8} {'peak RSS':>10}  steps (s)")
    for name, seconds, peak, steps in rows:
        print(f"{name:<22} {seconds:>6.1f} s {peak:>7,.0f} MB  {steps}")
    faster = pandas.wall_s / outcome.seconds if outcome.seconds else 0.0
    duck_stages = sum(duck_steps.values())
    spark_ratio = spark / duck_stages if duck_stages else 0.0
    print(
        f"bench_compare: flightlake DagRun {outcome.seconds:.0f} s / {lake.peak_mb:,.0f} MB; pandas "
        f"{pandas.wall_s:.0f} s / {pandas.peak_mb:,.0f} MB; DuckDB {duck.wall_s:.1f} s / {duck.peak_mb:,.0f} MB; "
        f"flightlake {faster:.1f}x faster than pandas (target >= 2x); Spark steps {spark:.1f} s = "
        f"{spark_ratio:.1f}x DuckDB's {duck_stages:.1f} s (target <= 4x)"
    )
    return 0 if outcome.state == "success" else 1


if __name__ == "__main__":
    raise SystemExit(main())
