"""Glue job runs that really run: each StartJobRun becomes a spark-submit of the job's script.

A run goes through Glue's states on a thread of its own:
    STARTING   the script is fetched and the job's Python modules installed into Glue 5.0's
               runtime (`glue_job_launch`, `glue_runtime`; built here at its first use)
    RUNNING    the script runs under spark-submit, in a process group of its own
    SUCCEEDED  it exited 0
    FAILED     it exited otherwise, or could not start; ErrorMessage says why (`glue_job_logs`)
    STOPPING, STOPPED   after BatchStopJobRun
    TIMEOUT    it ran longer than the run's (or job's) Timeout, in minutes
`MaxConcurrentRuns` is checked when a run starts: more active runs of a job than that is a
`ConcurrentRunsExceededException`, as on AWS.

Runs are kept in memory for the life of the emulator (AWS keeps them 90 days): enough for a DAG
run and its tests, and the rehearsal defines its jobs again each time. No run outlives the
emulator: whatever still runs when it exits is stopped.
"""

from __future__ import annotations

import atexit
import os
import secrets
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flightlake.local.emulator import glue_job_launch as launch
from flightlake.local.emulator import glue_job_logs
from flightlake.local.emulator.glue_runtime import GlueRuntimeError, ensure_runtime
from flightlake.local.emulator.json_service import ServiceError
from flightlake.local.emulator.own_clients import own_client
from flightlake.settings import load_settings

ACTIVE_STATES = ("STARTING", "RUNNING", "STOPPING")
DEFAULT_TIMEOUT_MINUTES = 2880  # Glue's default for a Spark job
STOP_GRACE_SECONDS = 10
LOG_COPY_SECONDS = 2  # how often a running driver's new log lines go to CloudWatch Logs


@dataclass
class JobRun:
    """One run of a job, as GetJobRun describes it."""

    id: str
    job_name: str
    arguments: dict[str, str]
    timeout_minutes: int
    capacity: dict[str, Any]  # WorkerType, NumberOfWorkers, GlueVersion, ExecutionClass as the run got them
    log_dir: Path
    started_on: float = field(default_factory=time.time)
    state: str = "STARTING"
    error_message: str | None = None
    last_modified_on: float = field(default_factory=time.time)
    completed_on: float | None = None
    running_since: float | None = None
    execution_seconds: float = 0.0
    process: subprocess.Popen[bytes] | None = None
    stop_requested: bool = False

    def describe(self) -> dict[str, Any]:
        running = self.execution_seconds or (time.time() - self.running_since if self.running_since else 0.0)
        described = {
            "Id": self.id,
            "Attempt": 0,
            "JobName": self.job_name,
            "JobMode": "SCRIPT",
            "StartedOn": self.started_on,
            "LastModifiedOn": self.last_modified_on,
            "JobRunState": self.state,
            "Arguments": self.arguments,
            "PredecessorRuns": [],
            "ExecutionTime": round(running),
            "Timeout": self.timeout_minutes,
            "LogGroupName": glue_job_logs.LOG_GROUP,
            **self.capacity,
        }
        if self.completed_on is not None:
            described["CompletedOn"] = self.completed_on
        if self.error_message:
            described["ErrorMessage"] = self.error_message
        return described


class JobRunner:
    """Every run of every job: starts them, watches them, stops them."""

    def __init__(self, endpoint: str, state_dir: Path) -> None:
        self.endpoint, self.state_dir = endpoint, state_dir
        self._lock = threading.Lock()
        self._runs: dict[str, list[JobRun]] = {}  # job name -> runs, newest first
        atexit.register(self.stop_all)

    def start(self, job: dict[str, Any], request: dict[str, Any]) -> JobRun:
        name = job["Name"]
        run_id = "jr_" + secrets.token_hex(32)
        capacity = {  # what the run gets: its own settings, else the job's
            key: request[key] if key in request else job[key]
            for key in ("WorkerType", "NumberOfWorkers", "GlueVersion", "ExecutionClass", "MaxCapacity")
            if key in job or key in request
        }
        run = JobRun(
            id=run_id,
            job_name=name,
            arguments=dict(request.get("Arguments") or {}),
            timeout_minutes=int(request.get("Timeout") or job.get("Timeout") or DEFAULT_TIMEOUT_MINUTES),
            capacity=capacity,
            log_dir=glue_job_logs.run_log_dir(self.state_dir, name, run_id),
        )
        limit = int(job.get("ExecutionProperty", {}).get("MaxConcurrentRuns", 1))
        with self._lock:
            active = [other for other in self._runs.get(name, []) if other.state in ACTIVE_STATES]
            if len(active) >= limit:
                raise ServiceError("ConcurrentRunsExceededException", f"Concurrent runs exceeded for {name}")
            self._runs.setdefault(name, []).insert(0, run)
        threading.Thread(target=self._execute, args=(run, dict(job)), name=f"glue-{run_id[:12]}", daemon=True).start()
        return run

    def get(self, job_name: str, run_id: str) -> JobRun:
        with self._lock:
            for run in self._runs.get(job_name, []):
                if run.id == run_id:
                    return run
        raise ServiceError("EntityNotFoundException", f"Job run {run_id} of job {job_name} not found")

    def runs(self, job_name: str) -> list[JobRun]:
        with self._lock:
            return list(self._runs.get(job_name, []))

    def stop(self, job_name: str, run_id: str) -> str | None:
        """Ask a run to stop; returns why it cannot, or None."""
        run = self.get(job_name, run_id)
        with self._lock:
            if run.state not in ACTIVE_STATES:
                return f"Job run {run_id} is {run.state} and cannot be stopped"
            run.stop_requested, run.state, run.last_modified_on = True, "STOPPING", time.time()
            process = run.process
        if process is not None:
            _signal_group(process, signal.SIGTERM)
            threading.Timer(STOP_GRACE_SECONDS, _kill_if_running, args=(process,)).start()
        return None

    def stop_all(self) -> None:
        """At the emulator's exit: no job run outlives it."""
        with self._lock:
            processes = [run.process for runs in self._runs.values() for run in runs if run.process is not None]
        for process in processes:
            _kill_if_running(process)

    def _execute(self, run: JobRun, job: dict[str, Any]) -> None:
        state, message = "FAILED", None
        copier = self._log_copier(run)
        try:
            command, env = self._prepare(run, job)
            code, timed_out = self._run_process(run, command, env, copier)
            if run.stop_requested:
                state = "STOPPED"
            elif timed_out:
                state, message = "TIMEOUT", f"Job run timed out after {run.timeout_minutes} minutes"
            elif code == 0:
                state = "SUCCEEDED"
            else:
                message = glue_job_logs.error_message(run.log_dir, code)
        except (launch.LaunchError, GlueRuntimeError) as error:
            state, message = ("STOPPED", None) if run.stop_requested else ("FAILED", str(error))
        except Exception as error:  # the emulator's own fault: still end the run, and say so
            message = f"the emulator could not run the job: {type(error).__name__}: {error}"
        _copy_logs(copier)  # the whole log is in CloudWatch before the run says it is over
        with self._lock:
            run.state, run.error_message = state, message
            run.completed_on = run.last_modified_on = time.time()
            if run.running_since is not None:
                run.execution_seconds = run.completed_on - run.running_since

    def _prepare(self, run: JobRun, job: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
        launch.check_glue_version({**job, **run.capacity})
        runtime = ensure_runtime(load_settings(), echo=lambda line: print(line, flush=True))
        s3 = own_client("s3", self.endpoint)
        arguments = launch.effective_arguments(job, run.arguments)
        script = launch.fetch_script(s3, job.get("Command", {}).get("ScriptLocation"), run.log_dir / "script")
        modules = launch.install_modules(s3, arguments, self.state_dir / glue_job_logs.JOBS_FOLDER, runtime)
        argv = launch.glue_arguments(job, run.arguments, run.id)
        command = launch.spark_submit_command(runtime, script, run.job_name, run.id, argv, self.endpoint)
        return command, launch.job_environment(self.endpoint, modules, runtime)

    def _run_process(
        self, run: JobRun, command: list[str], env: dict[str, str], copier: glue_job_logs.LogCopier | None
    ) -> tuple[int, bool]:
        """Start the driver and wait for it (up to the timeout), copying its log as it grows;
        returns (exit code, timed out)."""
        run.log_dir.mkdir(parents=True, exist_ok=True)
        with open(run.log_dir / "stdout.log", "wb") as out, open(run.log_dir / "stderr.log", "wb") as err:
            with self._lock:
                if run.stop_requested:
                    raise launch.LaunchError("stopped before it started")
                run.process = subprocess.Popen(
                    command, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                    cwd=run.log_dir, start_new_session=True,
                )  # fmt: skip
                run.state, run.running_since, run.last_modified_on = "RUNNING", time.time(), time.time()
            deadline = time.monotonic() + run.timeout_minutes * 60
            while True:
                try:
                    return run.process.wait(timeout=LOG_COPY_SECONDS), False
                except subprocess.TimeoutExpired:
                    _copy_logs(copier)
                if time.monotonic() > deadline:
                    _signal_group(run.process, signal.SIGTERM)
                    return _wait_or_kill(run.process), True

    def _log_copier(self, run: JobRun) -> glue_job_logs.LogCopier | None:
        try:
            return glue_job_logs.LogCopier(own_client("logs", self.endpoint), run.log_dir, run.id)
        except Exception as error:  # the run goes on; its log stays in its files
            print(f"glue jobs: no CloudWatch Logs for {run.id}: {error}", flush=True)
            return None


def _copy_logs(copier: glue_job_logs.LogCopier | None) -> None:
    if copier is None:
        return
    try:
        copier.copy_new()
    except Exception as error:
        print(f"glue jobs: driver log of {copier.run_id} not copied to CloudWatch Logs: {error}", flush=True)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def _kill_if_running(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        _signal_group(process, signal.SIGKILL)


def _wait_or_kill(process: subprocess.Popen[bytes]) -> int:
    try:
        return process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        return process.wait()
