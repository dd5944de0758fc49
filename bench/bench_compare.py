"""flightlake's year next to its peers on the same file, in one run, each ratio against its target.

    .venv/bin/python -m bench.bench_compare [--rows 7200000]     (make bench BENCH=compare)

1. flightlake: the year through the DAG, as `bench_dag` runs it (and prints it: its line too);
2. pandas, the way the original solution works (`bench.pandas_pipeline`): read_csv, groupby,
   IsolationForest per airport, COPY into PostgreSQL, one matplotlib chart per airport;
3. bare Spark (`bench.spark_floor`): `spark.read.csv` with the 28-column schema -> Parquet, then
   the daily figures with the exact median and p90, in the pipeline's session settings, reading
   and writing the lake as the Spark steps do;
4. DuckDB, the single-machine limit (`bench.duckdb_pipeline`): CSV to typed Parquet, then the
   daily figures, the same two stages as the Spark steps.

Each runs alone, one after the other; time is wall time, memory the peak RSS of its whole process
tree (Spark's JVM, Airflow's runner, chart workers included). Speed targets are ratios on this
one file in this one run (the machine's speed moves from day to day); memory is absolute:

    flightlake DagRun >= 2x faster than the pandas script
    raw_to_stage       <= 1.5x bare Spark's CSV -> Parquet
    stage_to_analytics <= 1.2x bare Spark's daily figures
    peak RSS of the DagRun's process tree <= 2 GB
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from bench.bench_dag import dag_year, report, task_seconds
from bench.full_scale import BENCH_YEAR, bench_arguments, full_scale_file, running_stack
from bench.measure import Measurement, measured
from flightlake.settings import Settings

SCRATCH = "bench-spark-floor"  # the bare Spark peer's output, in the stage bucket, removed after


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    limit: float
    at_least: bool  # the value must be >= limit (else <=)

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def line(self) -> str:
        sign = ">=" if self.at_least else "<="
        return f"{self.name} {self.value:.2f} (target {sign} {self.limit:g}) {'met' if self.met else 'NOT MET'}"


def alone(module: str, *arguments: str) -> tuple[dict[str, float], Measurement]:
    """Run a bench script in its own process; its steps' seconds and its measurement."""
    with measured() as measurement:
        done = subprocess.run([sys.executable, "-m", module, *arguments], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{module} failed (exit {done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), measurement


def _steps(seconds: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.1f}" for name, value in seconds.items())


def bare_spark(settings: Settings) -> tuple[dict[str, float], Measurement]:
    """The bare Spark peer on the raw file the DagRun read, writing to a scratch prefix."""
    from flightlake.lake.aws import client, delete_prefix
    from flightlake.lake.tables import RAW_FLIGHTS

    raw = RAW_FLIGHTS.partition_uri(settings, BENCH_YEAR, scheme="s3a")
    scratch = settings.zone("stage")
    bucket = scratch.bucket
    try:
        return alone("bench.spark_floor", raw, scratch.uri(SCRATCH, scheme="s3a"))
    finally:
        delete_prefix(client("s3", settings), bucket, scratch.key(SCRATCH) + "/")


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
        spark_steps, spark = bare_spark(settings)
        duck_steps, duck = alone("bench.duckdb_pipeline", str(path), tmp)
    rows = [
        ("flightlake DagRun", outcome.seconds, lake.peak_mb, _steps(tasks)),
        ("pandas single script", pandas.wall_s, pandas.peak_mb, _steps(pandas_steps)),
        ("bare Spark", spark.wall_s, spark.peak_mb, _steps(spark_steps)),
        ("DuckDB two stages", duck.wall_s, duck.peak_mb, _steps(duck_steps)),
    ]
    print(
        f"\n{args.rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB), year {BENCH_YEAR}: flightlake run {outcome.state}"
    )
    print(f"{'':<22} {'time':>8} {'peak RSS':>10}  steps (s)")
    for name, seconds, peak, steps in rows:
        print(f"{name:<22} {seconds:>6.1f} s {peak:>7,.0f} MB  {steps}")
    raw, daily = tasks.get("raw_to_stage", 0.0), tasks.get("stage_to_analytics", 0.0)
    targets = [
        Target("DagRun speed-up over pandas", pandas.wall_s / outcome.seconds if outcome.seconds else 0.0, 2.0, True),
        Target("raw_to_stage / bare CSV->Parquet", raw / spark_steps["csv_to_parquet"], 1.5, False),
        Target("stage_to_analytics / bare daily", daily / spark_steps["daily"], 1.2, False),
        Target("DagRun peak RSS (GB)", lake.peak_mb / 1000, 2.0, False),
    ]
    for target in targets:
        print(f"  {target.line()}")
    print(
        f"bench_compare: flightlake DagRun {outcome.seconds:.0f} s / {lake.peak_mb:,.0f} MB; pandas "
        f"{pandas.wall_s:.0f} s / {pandas.peak_mb:,.0f} MB; bare Spark {spark.wall_s:.1f} s / {spark.peak_mb:,.0f} MB; "
        f"DuckDB {duck.wall_s:.1f} s / {duck.peak_mb:,.0f} MB; " + "; ".join(t.line() for t in targets)
    )
    return 0 if outcome.state == "success" else 1


if __name__ == "__main__":
    raise SystemExit(main())
