"""Both Spark jobs on one full-scale year (7.2M rows), next to the same work done with pandas.

    .venv/bin/python -m bench.bench_spark [--rows 7200000]

Each step runs as the DAG's `process` mode runs it (`spark-submit` of `spark_jobs/run_step.py`, `local[*]`, reading
and writing s3a:// on the embedded emulator). Peak memory is the sampled RSS of the whole process
tree, JVM included. The pandas line is `read_csv` + `groupby` in one process, the way a single
script would compute the same daily figures (without typing, rejects or a lake).
"""

from __future__ import annotations

import subprocess
import sys

from bench.full_scale import BENCH_YEAR, bench_arguments, full_scale_file, running_stack
from bench.measure import measured


def main() -> int:
    parser = bench_arguments(__doc__)
    args = parser.parse_args()
    from flightlake.lake.ingest import ingest
    from flightlake.pipeline.operators.local import submit
    from flightlake.pipeline.registry import spark_steps

    settings = running_stack()
    path = full_scale_file(settings, args.rows)
    size_mb = path.stat().st_size / 1e6
    with measured() as upload:
        ingest(settings, [path])
    rows = []
    for step in spark_steps():
        job = step.name
        with measured() as m:
            result = submit(settings, step, BENCH_YEAR, echo=lambda line: print(line) if line.startswith("[") else None)
        rows.append((f"spark {job}", m, f"{result.get('rows_in')} rows in, {result.get('rows_out')} out"))
    with measured() as pandas_m:
        out = subprocess.run(
            [sys.executable, "-m", "bench.pandas_daily", str(path)], capture_output=True, text=True, check=True
        )
    rows.append(("pandas read_csv + groupby", pandas_m, out.stdout.strip()))
    print(f"\n{args.rows:,} rows ({size_mb:,.0f} MB CSV); ingest (check + upload) {upload.wall_s:.1f} s")
    print(f"{'step':<28} {'wall':>8} {'peak RSS':>10}")
    for name, m, _ in rows:
        print(f"{name:<28} {m.wall_s:>6.1f} s {m.peak_mb:>7,.0f} MB")
    spark_total = sum(m.wall_s for name, m, _ in rows if name.startswith("spark"))
    print(
        f"bench_spark: raw_to_stage {rows[0][1].wall_s:.1f} s / {rows[0][1].peak_mb:,.0f} MB, "
        f"stage_to_analytics {rows[1][1].wall_s:.1f} s / {rows[1][1].peak_mb:,.0f} MB "
        f"(Spark total {spark_total:.1f} s); "
        f"pandas {pandas_m.wall_s:.1f} s / {pandas_m.peak_mb:,.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
