"""Run a Spark job script with `spark-submit`: the local runtime of the DAG's Spark steps.

The same script runs as a Glue job on MWAA; here it runs on `FLIGHTLAKE_SPARK_MASTER` (embedded
`local[*]`, or the compose stack's standalone master). spark-submit comes from the pyspark
package in this virtualenv, so SPARK_HOME and PYSPARK_PYTHON must point into it, not at
whatever else is on the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flightlake.errors import FlightlakeError
from flightlake.jobs import INPUT_ERROR_EXIT
from flightlake.paths import spark_jobs_dir
from flightlake.settings import Settings
from flightlake.stack.jars import ensure_jars

TAIL_LINES = 40


class SparkJobFailed(FlightlakeError):
    """spark-submit exited non-zero; `retryable` is False when the input itself is unusable."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class SparkRun:
    job: str
    year: int
    seconds: float
    summary: str


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def command(settings: Settings, job: str, year: int) -> list[str]:
    script = spark_jobs_dir() / f"{job}.py"
    if not script.exists():
        raise FlightlakeError(f"no Spark job script {script}")
    jars = ",".join(str(p) for p in ensure_jars(settings.s3a_jars_dir, verbose=False))
    return [
        str(spark_home() / "bin" / "spark-submit"),
        "--master", settings.spark_master,
        "--name", f"flightlake-{job}-{year}",
        "--driver-memory", settings.spark_driver_memory,
        "--jars", jars,
        "--conf", "spark.ui.showConsoleProgress=false",
        str(script),
        "--year", str(year),
    ]  # fmt: skip


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["SPARK_HOME"] = str(spark_home())
    env["PYSPARK_PYTHON"] = sys.executable
    env["PYSPARK_DRIVER_PYTHON"] = sys.executable
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return env


def submit(settings: Settings, job: str, year: int, echo: Callable[[str], None] = print) -> SparkRun:
    """Run the job, relaying its output; raise SparkJobFailed with the useful tail on failure."""
    started = time.monotonic()
    argv = command(settings, job, year)
    echo("$ " + " ".join(argv))
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    summary = ""
    with subprocess.Popen(
        argv, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip()
            tail.append(line)
            if line.startswith(f"[{job}]"):
                summary = line
            echo(line)
        code = process.wait()
    if code != 0:
        useful = [line for line in tail if "INPUT ERROR" in line or "Error" in line or "Exception" in line]
        message = useful[-1] if useful else (tail[-1] if tail else "no output")
        raise SparkJobFailed(f"{job} for {year} failed (exit {code}): {message}", retryable=code != INPUT_ERROR_EXIT)
    return SparkRun(job, year, round(time.monotonic() - started, 1), summary)
