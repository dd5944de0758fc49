"""One full-scale year (7.2M rows) through the DAG, through Airflow, on the embedded stack.

    .venv/bin/python -m bench.bench_dag [--rows 7200000]

Prints each task's wall time (Airflow's own task durations), the run's total, and the peak RSS
of the whole process tree (CLI, Airflow runner, Spark's JVM, chart workers). The last line keeps
one form across versions, so results can be compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.full_scale import BENCH_YEAR, bench_arguments, full_scale_file, running_stack
from bench.measure import Measurement, measured


def dag_year(settings: Any, path: Path) -> tuple[Any, Measurement]:
    """The year through `flightlake run` (ingest included, unchanged bytes are not sent again)."""
    from flightlake.local.harness.main_job import run

    with measured() as measurement:
        summary = run(settings, (BENCH_YEAR,), data_dir=path.parent, echo=print)
    return summary, measurement


def task_seconds(summary: Any) -> dict[str, float]:
    outcome = summary.outcomes[0]
    return {task: (outcome.tasks.get(task) or {}).get("seconds") or 0.0 for task in summary.task_order}


def main() -> int:
    parser = bench_arguments(__doc__)
    args = parser.parse_args()
    settings = running_stack()
    path = full_scale_file(settings, args.rows)
    summary, m = dag_year(settings, path)
    outcome = summary.outcomes[0]
    print(f"\n{args.rows:,} rows, year {BENCH_YEAR}: run {outcome.state}")
    seconds = task_seconds(summary)
    for task, value in seconds.items():
        print(f"  {task:<20} {value:>7.1f} s")
    total = sum(seconds.values())
    print(
        f"bench_dag: {outcome.state}, tasks {total:.0f} s, DagRun {outcome.seconds:.0f} s, whole command "
        f"(ingest included) {m.wall_s:.0f} s, peak RSS {m.peak_mb:,.0f} MB; "
        f"{outcome.figures.get('anomalies', '-')} anomalies, {outcome.figures.get('charts', '-')} charts"
    )
    return 0 if outcome.state == "success" else 1


if __name__ == "__main__":
    raise SystemExit(main())
