"""The AWS rehearsal's overhead: one year through the local path, then through the path MWAA takes
(Glue job runs and the Redshift Data API, on the emulator), on the embedded stack.

    .venv/bin/python -m bench.bench_rehearsal [--rows 200000]

Prints each task's wall time on both paths, the DagRun totals, what the rehearsal adds before the
DAG (the deploy to the emulator: the environment's lake, the release, its Glue jobs, the DDL),
and each Glue job run's own ExecutionTime (the rest of a Glue step is start-up, polling and the
task around it). The default size is what `flightlake run` generates per year; --rows 7200000
is a full-scale year.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bench.full_scale import BENCH_YEAR, full_scale_file, running_stack
from bench.measure import measured

if TYPE_CHECKING:
    from flightlake.local.harness.main_job import YearOutcome

DEFAULT_ROWS = 200_000  # flightlake run's default year


def _task_seconds(outcome: YearOutcome, task: str) -> str:
    seconds = (outcome.tasks.get(task) or {}).get("seconds")
    return f"{seconds:>8.1f}" if seconds is not None else "       -"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    args = parser.parse_args()
    from flightlake.lake.aws import client
    from flightlake.local.harness.main_job import run
    from flightlake.local.harness.rehearsal import mwaa_path
    from flightlake.local.harness.rehearsal_deploy import deploy_to_emulator

    settings = running_stack()
    path = full_scale_file(settings, args.rows)
    with measured() as local_m:
        local = run(settings, (BENCH_YEAR,), data_dir=path.parent, echo=print)
    with measured() as deploy_m:
        deployed = deploy_to_emulator(settings, print)
    with measured() as aws_m:
        rehearsal = run(
            settings, (BENCH_YEAR,), data_dir=path.parent, echo=print, path=lambda s: mwaa_path(s, deployed)
        )
    (on_local,), (on_aws,) = local.outcomes, rehearsal.outcomes
    print(f"\n{args.rows:,} rows, year {BENCH_YEAR}: local {on_local.state}, rehearsal {on_aws.state}")
    print(f"  {'task':<20} {'local s':>8} {'AWS path s':>10}")
    for task in rehearsal.task_order:
        print(f"  {task:<20} {_task_seconds(on_local, task)} {_task_seconds(on_aws, task):>10}")
    glue = client("glue", deployed.lake)
    for job in deployed.jobs:
        newest = glue.get_job_runs(JobName=job)["JobRuns"][0]
        wall = (newest["CompletedOn"] - newest["StartedOn"]).total_seconds()
        state, execution = newest["JobRunState"], newest["ExecutionTime"]
        print(f"  Glue {job}: {state}, ExecutionTime {execution} s, {wall:.0f} s from start to end")
    overhead = on_aws.seconds + deploy_m.wall_s - on_local.seconds
    print(
        f"bench_rehearsal: DagRun local {on_local.seconds:.0f} s, AWS path {on_aws.seconds:.0f} s; deploy to the "
        f"emulator {deploy_m.wall_s:.0f} s; rehearsal overhead {overhead:+.0f} s "
        f"({(on_aws.seconds + deploy_m.wall_s) / max(on_local.seconds, 1):.1f}x); peak RSS local "
        f"{local_m.peak_mb:,.0f} MB, AWS path {aws_m.peak_mb:,.0f} MB (the emulator's job runs are not children)"
    )
    return 0 if on_local.state == on_aws.state == "success" else 1


if __name__ == "__main__":
    raise SystemExit(main())
