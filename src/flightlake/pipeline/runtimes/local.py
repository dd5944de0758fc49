"""The `local` runtime of the DAG's Spark steps (`FLIGHTLAKE_RUNTIME=local`, the default).

The same script runs as a Glue job on MWAA; here it runs on `FLIGHTLAKE_SPARK_MASTER` (embedded
`local[*]`, or the compose stack's standalone master), in one of two ways
(`FLIGHTLAKE_SPARK_SUBMIT`):
- `process`: a `spark-submit` application per job, as a scheduler's task would launch it. It
  comes from the pyspark package in this virtualenv, so SPARK_HOME and PYSPARK_PYTHON must point
  into it, not at whatever else is on the machine.
- `inline`: the script's `main()` runs in the calling process, whose Spark session (a JVM that
  PySpark itself launches through spark-submit) then serves every later job. `flightlake run`
  executes all tasks of all years in one process, so the JVM starts once instead of twice a
  year: at the default size that is 35 of the ~45 seconds the two jobs take.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from flightlake.errors import FlightlakeError, PermanentError
from flightlake.settings import Settings
from flightlake.settings.checkout import spark_jobs_dir
from flightlake.spark.job import INPUT_ERROR_EXIT, INPUT_ERROR_MARK
from flightlake.spark.session import s3a_jars

TAIL_LINES = 40


class SparkJobFailed(FlightlakeError):
    """The job failed in a way a retry may fix (a crash, a lost executor, a service away)."""


class SparkInputError(PermanentError):
    """The job refused its input (exit code 3, `INPUT ERROR`): retrying cannot help."""


def _failure(message: str, permanent: bool) -> FlightlakeError:
    return SparkInputError(message) if permanent else SparkJobFailed(message)


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
    script = spark_jobs_dir(settings) / f"{job}.py"
    if not script.exists():
        raise FlightlakeError(f"no Spark job script {script}")
    jars = ",".join(str(p) for p in s3a_jars(settings))
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
    if settings.spark_submit == "inline":
        return run_inline(settings, job, year)
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
        useful = [line for line in tail if INPUT_ERROR_MARK in line or "Error" in line or "Exception" in line]
        message = useful[-1] if useful else (tail[-1] if tail else "no output")
        raise _failure(f"{job} for {year} failed (exit {code}): {message}", permanent=code == INPUT_ERROR_EXIT)
    return SparkRun(job, year, round(time.monotonic() - started, 1), summary)


_SCRIPTS: dict[str, ModuleType] = {}


def _script(settings: Settings, job: str) -> ModuleType:
    """The job script as a module, loaded once per process (it is a file, not a package module)."""
    if job not in _SCRIPTS:
        path = spark_jobs_dir(settings) / f"{job}.py"
        spec = importlib.util.spec_from_file_location(f"flightlake_spark_job_{job}", path)
        if spec is None or spec.loader is None:
            raise FlightlakeError(f"no Spark job script {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _SCRIPTS[job] = module
    return _SCRIPTS[job]


class _Tee(io.TextIOBase):
    """Passes the job's output on to `target` and keeps its summary line (the last `[job] ...`)."""

    def __init__(self, job: str, target: TextIO) -> None:
        self.job, self.target, self.summary, self._pending = job, target, "", ""

    def write(self, text: str) -> int:
        self.target.write(text)
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if line.startswith(f"[{self.job}]"):
                self.summary = line
        return len(text)

    def flush(self) -> None:
        self.target.flush()


def run_inline(settings: Settings, job: str, year: int) -> SparkRun:
    started = time.monotonic()
    tee = _Tee(job, sys.stdout)
    try:
        with contextlib.redirect_stdout(tee):
            code = _script(settings, job).main(["--year", str(year)])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
        if code != 0:
            message = f"{job} for {year} failed (exit {code}): {tee.summary}"
            raise _failure(message, permanent=code == INPUT_ERROR_EXIT) from exit_
    except Exception as error:
        raise SparkJobFailed(f"{job} for {year} failed: {type(error).__name__}: {error}") from error
    if code:
        raise SparkJobFailed(f"{job} for {year} failed (exit {code})")
    return SparkRun(job, year, round(time.monotonic() - started, 1), tee.summary)


def spark_step(job: str, settings: Settings, **task_arguments: Any) -> Any:
    """The DAG's task for a Spark step: a TaskFlow task that submits the job script here."""
    from airflow.sdk import task

    from flightlake.pipeline.retry_rules import run_task

    @task(task_id=job, **task_arguments)
    def run_spark(**context: Any) -> dict[str, Any]:
        return run_task(lambda current, year: asdict(submit(current, job, year)), context)

    return run_spark()
