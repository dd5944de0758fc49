"""One full-scale year (7.2M rows) through the DAG, through Airflow, on the embedded stack.

    .venv/bin/python -m bench.bench_dag [--rows 7200000]

Prints each task's wall time (Airflow's own task durations), the run's total, and the peak RSS
of the whole process tree (CLI, Airflow runner, spark-submit JVMs, chart workers).
"""

from __future__ import annotations

from bench.full_scale import BENCH_YEAR, bench_arguments, full_scale_file, running_stack
from bench.measure import measured


def main() -> int:
    parser = bench_arguments(__doc__)
    args = parser.parse_args()
    from flightlake.local.harness.main_job import run

    settings = running_stack()
    path = full_scale_file(settings, args.rows)
    with measured() as m:
        summary = run(settings, (BENCH_YEAR,), data_dir=path.parent, echo=print)
    outcome = summary.outcomes[0]
    print(f"\n{args.rows:,} rows, year {BENCH_YEAR}: run {outcome.state}")
    for task in summary.task_order:
        seconds = (outcome.tasks.get(task) or {}).get("seconds")
        print(f"  {task:<20} {seconds:>7.1f} s" if seconds is not None else f"  {task:<20}       -")
    tasks_total = sum((outcome.tasks.get(t) or {}).get("seconds") or 0 for t in summary.task_order)
    print(
        f"bench_dag: {outcome.state}, tasks {tasks_total:.0f} s, DagRun {outcome.seconds:.0f} s, whole command "
        f"(ingest included) {m.wall_s:.0f} s, peak RSS {m.peak_mb:,.0f} MB; "
        f"{outcome.figures.get('anomalies', '-')} anomalies, {outcome.figures.get('charts', '-')} charts"
    )
    return 0 if outcome.state == "success" else 1


if __name__ == "__main__":
    raise SystemExit(main())
