"""Getting a Glue job run ready to start, as AWS Glue 5.0 does: its script, its Python modules,
its arguments, its command and its environment.

- Every run runs under Glue 5.0's runtime (`glue_runtime`): Python 3.11, PySpark 3.5.4 and only
  the modules Glue provides, never the project's virtualenv. A job of another GlueVersion fails
  its run, by name.
- The script is the job's `Command.ScriptLocation`, fetched from the emulator's S3.
- `--additional-python-modules` is honoured the way the deploy uses it: wheels in S3, installed
  by the runtime's pip (Glue's own version) with the job's `--python-modules-installer-option`
  (the deploy gives `--no-deps`) into a directory of their own (cached by content), which goes
  on the driver's PYTHONPATH. So the job imports flightlake from the wheel the deploy uploaded,
  not from the checkout, and a dependency the wheel does not bring and Glue does not provide is
  a `ModuleNotFoundError`, as on Glue.
- The script's arguments follow Glue's convention: `--JOB_ID`, `--JOB_RUN_ID` and `--JOB_NAME`,
  then the job's DefaultArguments overridden by the run's Arguments, overridden by the job's
  NonOverridableArguments; Glue's own defaults (`--job-bookmark-option`) are added when absent.
- The command is the runtime's spark-submit on `local[*]` with Spark's S3 filesystem wired to the
  emulator: on AWS that wiring is Glue's own (EMRFS), not something the job sets.
- The environment is that of a Glue worker: no FLIGHTLAKE_* variable (a Glue job gets its
  configuration from its arguments only), and AWS clients pointed at the emulator.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from flightlake.local.emulator.glue_runtime import GLUE_VERSION, GlueRuntime
from flightlake.local.emulator.own_clients import split_s3_uri
from flightlake.settings import load_settings
from flightlake.spark.session import s3a_conf, s3a_jars

GLUE_MASTER = "local[*]"  # the Glue cluster of a run: this machine's cores
MODULES_ARGUMENT = "--additional-python-modules"
INSTALLER_OPTIONS_ARGUMENT = "--python-modules-installer-option"
GLUE_DEFAULT_ARGUMENTS = {"--job-bookmark-option": "job-bookmark-disable"}
# What a Glue worker does not inherit from the machine the emulator runs on.
_NOT_INHERITED = ("FLIGHTLAKE_", "AWS_", "SPARK_", "PYSPARK_", "PYTHON", "AIRFLOW", "VIRTUAL_ENV")
_INSTALL_LOCKS: dict[Path, threading.Lock] = {}
_INSTALL_LOCKS_GUARD = threading.Lock()


class LaunchError(Exception):
    """The run cannot start; the message becomes the run's ErrorMessage."""


def job_id(job_name: str) -> str:
    return "j_" + hashlib.sha256(job_name.encode()).hexdigest()


def glue_arguments(job: dict[str, Any], run_arguments: dict[str, str], job_run_id: str) -> list[str]:
    """The script's command-line arguments, in Glue's convention."""
    merged = {**GLUE_DEFAULT_ARGUMENTS, **job.get("DefaultArguments", {}), **run_arguments}
    merged.update(job.get("NonOverridableArguments", {}))
    argv = ["--JOB_ID", job_id(job["Name"]), "--JOB_RUN_ID", job_run_id, "--JOB_NAME", job["Name"]]
    for name, value in merged.items():
        argv += [name, str(value)]
    return argv


def check_glue_version(job: dict[str, Any]) -> None:
    """The emulator has Glue 5.0's runtime only: a job of another version is refused by name."""
    version = job.get("GlueVersion") or "0.9"  # what Glue assumes when a job names none
    if version != GLUE_VERSION:
        raise LaunchError(
            f"GlueVersion {version}: the emulator runs AWS Glue {GLUE_VERSION} jobs only (Python 3.11, Spark 3.5.4)"
        )


def effective_arguments(job: dict[str, Any], run_arguments: dict[str, str]) -> dict[str, str]:
    return {**job.get("DefaultArguments", {}), **run_arguments, **job.get("NonOverridableArguments", {})}


def fetch_script(s3: Any, location: str | None, target_dir: Path) -> Path:
    """The job's script, downloaded from S3 into the run's directory."""
    from botocore.exceptions import ClientError

    if not location or not location.startswith("s3://"):
        raise LaunchError(f"Command.ScriptLocation {location!r} is not an s3:// location")
    bucket, key = split_s3_uri(location)
    target_dir.mkdir(parents=True, exist_ok=True)
    script = target_dir / (Path(key).name or "script.py")
    try:
        script.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except ClientError as error:
        raise LaunchError(f"Failed to download the script {location}: {error.response['Error']['Code']}") from error
    return script


def install_modules(s3: Any, arguments: dict[str, str], cache_dir: Path, runtime: GlueRuntime) -> Path | None:
    """Install the wheels of `--additional-python-modules` into a directory of their own; None
    when the job names none. Installed once per content, installer options and runtime."""
    from botocore.exceptions import ClientError

    spec = arguments.get(MODULES_ARGUMENT, "").strip()
    if not spec:
        return None
    options = shlex.split(arguments.get(INSTALLER_OPTIONS_ARGUMENT, ""))
    wheels: list[Path] = []
    digest = hashlib.sha256(f"{runtime.root} {' '.join(options)}".encode())
    for item in (part.strip() for part in spec.split(",") if part.strip()):
        if not (item.startswith("s3://") and item.endswith(".whl")):
            raise LaunchError(
                f"{MODULES_ARGUMENT} {item!r}: the emulator installs wheels from s3:// only (it has no package index)"
            )
        bucket, key = split_s3_uri(item)
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as error:
            raise LaunchError(f"Failed to download {item}: {error.response['Error']['Code']}") from error
        wheel_sha = hashlib.sha256(body).hexdigest()
        digest.update(wheel_sha.encode())
        wheel = cache_dir / "wheels" / wheel_sha / Path(key).name  # pip needs the wheel's own file name
        if not wheel.exists():
            wheel.parent.mkdir(parents=True, exist_ok=True)
            wheel.write_bytes(body)
        wheels.append(wheel)
    target = cache_dir / "python-modules" / digest.hexdigest()[:20]
    with _install_lock(target):
        if not target.is_dir():
            _pip_install(runtime, wheels, options, target)
    return target


def _install_lock(target: Path) -> threading.Lock:
    with _INSTALL_LOCKS_GUARD:
        return _INSTALL_LOCKS.setdefault(target, threading.Lock())


def _pip_install(runtime: GlueRuntime, wheels: list[Path], options: list[str], target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    argv = [str(runtime.python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet",
            "--target", str(partial), *options, *map(str, wheels)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        raise LaunchError(f"Installation of Python modules failed: {lines[-1]}")
    os.replace(partial, target)


def spark_submit_command(
    runtime: GlueRuntime, script: Path, job_name: str, job_run_id: str, arguments: list[str], endpoint: str
) -> list[str]:
    """The runtime's spark-submit of the script (whatever script and arguments the job has), with
    Spark's S3 filesystem reaching the emulator."""
    settings = replace(load_settings(), s3_endpoint=endpoint)
    conf = {"spark.ui.showConsoleProgress": "false", **s3a_conf(settings)}
    argv = [
        str(runtime.spark_home / "bin" / "spark-submit"),
        "--master", GLUE_MASTER,
        "--name", f"{job_name} {job_run_id}",
        "--driver-memory", settings.spark_driver_memory,
        "--jars", ",".join(str(path) for path in s3a_jars(settings)),
    ]  # fmt: skip
    for key, value in conf.items():
        argv += ["--conf", f"{key}={value}"]
    return [*argv, str(script), *arguments]


def job_environment(endpoint: str, modules: Path | None, runtime: GlueRuntime) -> dict[str, str]:
    """What the driver sees: a Glue worker's environment, its AWS being the emulator."""
    region = load_settings().region
    env = {name: value for name, value in os.environ.items() if not name.startswith(_NOT_INHERITED)}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", ""),
            "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ENDPOINT_URL": endpoint,
            "SPARK_HOME": str(runtime.spark_home),
            "PYSPARK_PYTHON": str(runtime.python),
            "PYSPARK_DRIVER_PYTHON": str(runtime.python),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if modules is not None:
        env["PYTHONPATH"] = str(modules)
    return env
