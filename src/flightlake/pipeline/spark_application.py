"""The Spark application of every Spark step: what `spark_jobs/run_step.py` runs under
spark-submit, and what every AWS Glue job of a release runs.

    run_step.py --step raw_to_stage --year 2013 [--run-id ID] [--JOB_RUN_ID ID] [--FLIGHTLAKE_<SETTING> value ...]

`--step` names a Spark step of `pipeline.registry`. Glue passes arguments of its own (`--JOB_NAME`,
`--JOB_RUN_ID`, `--TempDir`, ...); `--JOB_RUN_ID` names the outcome record the task that started
the application takes back (`pipeline.outcomes`), the others are ignored. Configuration arrives
as `--FLIGHTLAKE_<SETTING> value` arguments (how a Glue job gets what is an environment variable
elsewhere); they are read as settings over the environment, which is left as it is.

Runs on AWS Glue 5.0: standard library, boto3 and pyspark only.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from flightlake.pipeline import registry
from flightlake.pipeline.outcomes import write_outcome
from flightlake.settings import check_years, load_settings

SETTING_PREFIX = "--FLIGHTLAKE_"


@dataclass(frozen=True)
class StepArguments:
    """What one start of the application is asked to do."""

    step: str
    year: int
    run_id: str | None = None
    job_run_id: str | None = None
    settings: dict[str, str] = field(default_factory=dict)  # FLIGHTLAKE_* values given as arguments

    def argv(self) -> list[str]:
        """The command-line form, for whoever starts the application (the local operator)."""
        args = ["--step", self.step, "--year", str(self.year)]
        if self.run_id:
            args += ["--run-id", self.run_id]
        if self.job_run_id:
            args += ["--JOB_RUN_ID", self.job_run_id]
        for name, value in self.settings.items():
            args += [f"--{name}", value]
        return args


def setting_arguments(extra: Sequence[str]) -> dict[str, str]:
    """`--FLIGHTLAKE_X value` / `--FLIGHTLAKE_X=value` pairs among Glue's arguments."""
    found: dict[str, str] = {}
    items = list(extra)
    index = 0
    while index < len(items):
        item = items[index]
        if item.startswith(SETTING_PREFIX):
            name, has_value, value = item[2:].partition("=")
            if not has_value:
                if index + 1 >= len(items):
                    raise SystemExit(f"{item} needs a value")
                value = items[index + 1]
                index += 1
            found[name] = value
        index += 1
    return found


def parse_arguments(argv: Sequence[str]) -> StepArguments:
    names = [step.name for step in registry.spark_steps()]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", required=True, choices=names, help="the Spark step to run")
    parser.add_argument("--year", type=int, required=True, help="the year to process, e.g. 2013")
    parser.add_argument("--run-id", help="the orchestrator's run that asked (recorded in the manifests)")
    parser.add_argument("--JOB_RUN_ID", dest="job_run_id", help="names the outcome record (Glue passes its run id)")
    args, extra = parser.parse_known_args(list(argv))
    (year,) = check_years((args.year,), "--year")
    return StepArguments(args.step, year, args.run_id, args.job_run_id, setting_arguments(extra))


def main(argv: Sequence[str]) -> int:
    """Run the step; leave its outcome for the task that started the application (when it gave
    a job run id); let an error end the application, so spark-submit and Glue report it."""
    arguments = parse_arguments(argv)
    settings = load_settings({**os.environ, **arguments.settings})
    step = registry.step(arguments.step)
    started = time.monotonic()
    try:
        result = step.run(settings, arguments.year, arguments.run_id)
    except Exception as error:
        if arguments.job_run_id:
            write_outcome(settings, step, arguments.year, arguments.job_run_id, error=error)
        raise
    if arguments.job_run_id:
        write_outcome(settings, step, arguments.year, arguments.job_run_id, result=result)
    print(f"[{step.name}] year {arguments.year}: done in {time.monotonic() - started:.1f} s", flush=True)
    return 0
