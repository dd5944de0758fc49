"""The `local` execution mode of the Spark steps (`FLIGHTLAKE_RUNTIME=local`, the default).

The step runs on `FLIGHTLAKE_SPARK_MASTER` (embedded `local[*]`, or the compose stack's standalone
master), in one of two ways (`FLIGHTLAKE_SPARK_SUBMIT`):
- `inline`: the step runs in the task's own process, whose Spark session (a JVM that PySpark
  launches through spark-submit) then serves every later step. `flightlake run` executes all tasks
  of all years in one process, so the JVM starts once instead of twice a year.
- `process`: a spark-submit application per step (`spark_jobs/run_step.py`), as a scheduler's
  worker would launch it; the step's result comes back through the lake (`pipeline.outcomes`).
  It comes from the pyspark package of this virtualenv, so SPARK_HOME and PYSPARK_PYTHON point
  into it, not at whatever else is on the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from flightlake.errors import FlightlakeError
from flightlake.pipeline.operators.python import PythonStepOperator, year_of
from flightlake.pipeline.outcomes import take_outcome
from flightlake.pipeline.registry import Step, step
from flightlake.pipeline.retry_rules import fail_fast
from flightlake.pipeline.spark_application import StepArguments
from flightlake.settings import Settings, SparkLaunch, load_settings
from flightlake.settings.checkout import spark_jobs_dir
from flightlake.spark.session import release_free_heap, s3a_jars, spark_home

APPLICATION = "run_step.py"  # in spark_jobs/
TAIL_LINES = 20  # of a failed application's output, in the task's error


def command(settings: Settings, arguments: StepArguments) -> list[str]:
    script = spark_jobs_dir(settings) / APPLICATION
    if not script.exists():
        raise FlightlakeError(f"no Spark application {script}")
    jars = ",".join(str(p) for p in s3a_jars(settings))
    return [
        str(spark_home() / "bin" / "spark-submit"),
        "--master", settings.spark_master,
        "--name", f"flightlake-{arguments.step}-{arguments.year}",
        "--driver-memory", settings.spark_driver_memory,
        "--jars", jars,
        "--conf", "spark.ui.showConsoleProgress=false",
        str(script),
        *arguments.argv(),
    ]  # fmt: skip


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["SPARK_HOME"] = str(spark_home())
    env["PYSPARK_PYTHON"] = sys.executable
    env["PYSPARK_DRIVER_PYTHON"] = sys.executable
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return env


def submit(
    settings: Settings, step_: Step, year: int, run_id: str | None = None, echo: Callable[[str], None] = print
) -> dict[str, Any]:
    """Run the step as a spark-submit application, relaying its output; returns the step's result,
    or raises the failure it recorded (`take_outcome`)."""
    arguments = StepArguments(step_.name, year, run_id, job_run_id=f"local-{uuid.uuid4().hex}")
    argv = command(settings, arguments)
    echo("$ " + " ".join(argv))
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    with subprocess.Popen(
        argv, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            tail.append(line.rstrip())
            echo(tail[-1])
        code = process.wait()
    ended = f"spark-submit exited {code}" + (f"; its output ended: {tail[-1]}" if code and tail else "")
    assert arguments.job_run_id is not None
    return take_outcome(settings, step_, year, arguments.job_run_id, ended)


class LocalSparkStepOperator(PythonStepOperator):
    """A Spark step in the task's process (`inline`), or as a spark-submit application (`process`)."""

    def execute(self, context: Any) -> dict[str, Any]:
        settings = load_settings()
        if settings.spark_submit is SparkLaunch.INLINE:
            try:
                return super().execute(context)
            finally:
                release_free_heap()
        year, run_id = year_of(self.year), context["run_id"]
        return fail_fast(lambda: submit(settings, step(self.step_name), year, run_id))
