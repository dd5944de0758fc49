"""AWS Glue's jobs API on the emulator (a layer): job definitions, and job runs that really run.

moto implements Glue jobs as a state machine that runs nothing. This layer takes the job actions
instead: CreateJob, UpdateJob, GetJob, GetJobs, ListJobs, BatchGetJobs, DeleteJob, StartJobRun,
GetJobRun, GetJobRuns and BatchStopJobRun, with the fields GlueJobOperator and its hook read.
A Glue client sends the Data Catalog's actions to the same endpoint, so every other `AWSGlue.*`
request (databases, tables, partitions) goes on to moto unchanged. Job bookmarks and source
control, the rest of the jobs API, are refused by name.

StartJobRun runs the job's script (`glue_job_runs`); job definitions live in memory, like the
runs: the rehearsal (`flightlake run --rehearse-aws`) defines them from
deploy/cloudformation/glue.yaml each time, as a deploy does.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import TYPE_CHECKING, Any

from flightlake.local.emulator.glue_job_runs import JobRunner
from flightlake.local.emulator.json_service import ServiceError, handlers, json_api_layer, required

if TYPE_CHECKING:
    from flightlake.local.emulator.context import EmulatorContext
    from flightlake.local.emulator.wsgi import WSGIApp

ACTIONS = (
    "CreateJob", "UpdateJob", "GetJob", "GetJobs", "ListJobs", "BatchGetJobs", "DeleteJob",
    "StartJobRun", "GetJobRun", "GetJobRuns", "BatchStopJobRun",
)  # fmt: skip
INVALID = "InvalidInputException"  # Glue's error for a malformed request
REFUSED_ACTIONS = ("GetJobBookmark", "ResetJobBookmark", "UpdateJobFromSourceControl", "UpdateSourceControlFromJob")
REFUSAL = "job bookmarks and source control are not part of the emulator's Glue jobs (flightlake's jobs use neither)"
JOB_DEFAULTS: dict[str, Any] = {
    "MaxRetries": 0,
    "Timeout": 2880,
    "ExecutionProperty": {"MaxConcurrentRuns": 1},
    "ExecutionClass": "STANDARD",
    "JobMode": "SCRIPT",
    "DefaultArguments": {},
}
SPARK_COMMAND = "glueetl"  # the only kind of job the emulator runs: Spark
MAX_RUNS_PAGE = 200


class GlueJobs:
    """The job definitions and the API actions over them."""

    def __init__(self, context: EmulatorContext) -> None:
        self._jobs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.runner = JobRunner(context.endpoint, context.state_dir)

    # --- definitions ---------------------------------------------------------------------------
    def create_job(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("Name", "Role", "Command"), INVALID)
        name = request["Name"]
        with self._lock:
            if name in self._jobs:
                raise ServiceError("AlreadyExistsException", f"Job with name {name} already exists")
            self._jobs[name] = _definition(name, request, created_on=time.time())
        return {"Name": name}

    def update_job(self, request: dict[str, Any]) -> dict[str, Any]:
        """As on AWS, the update replaces the whole definition (fields left out go back to defaults)."""
        required(request, ("JobName", "JobUpdate"), INVALID)
        name = request["JobName"]
        required(request["JobUpdate"], ("Role", "Command"), INVALID)
        with self._lock:
            created_on = self._job(name)["CreatedOn"]
            self._jobs[name] = _definition(name, request["JobUpdate"], created_on=created_on)
        return {"JobName": name}

    def get_job(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("JobName",), INVALID)
        with self._lock:
            return {"Job": copy.deepcopy(self._job(request["JobName"]))}

    def get_jobs(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return {"Jobs": [copy.deepcopy(job) for _, job in sorted(self._jobs.items())]}

    def list_jobs(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return {"JobNames": sorted(self._jobs)}

    def batch_get_jobs(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("JobNames",), INVALID)
        with self._lock:
            names = request["JobNames"]
            found = [copy.deepcopy(self._jobs[name]) for name in names if name in self._jobs]
            return {"Jobs": found, "JobsNotFound": [name for name in names if name not in self._jobs]}

    def delete_job(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("JobName",), INVALID)
        with self._lock:
            self._jobs.pop(request["JobName"], None)  # AWS answers the same for a job that never was
        return {"JobName": request["JobName"]}

    # --- runs ----------------------------------------------------------------------------------
    def start_job_run(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("JobName",), INVALID)
        with self._lock:
            job = copy.deepcopy(self._job(request["JobName"]))
        kind = job["Command"].get("Name")
        if kind != SPARK_COMMAND:
            message = f"job {job['Name']} is a {kind} job: the emulator runs Spark (glueetl) jobs only"
            raise ServiceError(INVALID, message)
        return {"JobRunId": self.runner.start(job, request).id}

    def get_job_run(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("JobName", "RunId"), INVALID)
        self._exists(request["JobName"])
        return {"JobRun": self.runner.get(request["JobName"], request["RunId"]).describe()}

    def get_job_runs(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("JobName",), INVALID)
        self._exists(request["JobName"])
        size = min(int(request.get("MaxResults") or MAX_RUNS_PAGE), MAX_RUNS_PAGE)
        start = int(request.get("NextToken") or 0)
        runs = self.runner.runs(request["JobName"])
        answer: dict[str, Any] = {"JobRuns": [run.describe() for run in runs[start : start + size]]}
        if start + size < len(runs):
            answer["NextToken"] = str(start + size)
        return answer

    def batch_stop_job_run(self, request: dict[str, Any]) -> dict[str, Any]:
        required(request, ("JobName", "JobRunIds"), INVALID)
        name = request["JobName"]
        done, errors = [], []
        for run_id in request["JobRunIds"]:
            try:
                problem = self.runner.stop(name, run_id)
            except ServiceError as error:
                problem = error.message
            if problem is None:
                done.append({"JobName": name, "JobRunId": run_id})
            else:
                detail = {"ErrorCode": INVALID, "ErrorMessage": problem}
                errors.append({"JobName": name, "JobRunId": run_id, "ErrorDetail": detail})
        return {"SuccessfulSubmissions": done, "Errors": errors}

    def _job(self, name: str) -> dict[str, Any]:
        """The definition (call with the lock held), or Glue's EntityNotFoundException."""
        if name not in self._jobs:
            raise ServiceError("EntityNotFoundException", f"Job {name} not found")
        return self._jobs[name]

    def _exists(self, name: str) -> None:
        with self._lock:
            self._job(name)


def _definition(name: str, fields: dict[str, Any], created_on: float) -> dict[str, Any]:
    """A job as GetJob returns it: what was given, Glue's defaults for the rest."""
    job = {**copy.deepcopy(JOB_DEFAULTS), **copy.deepcopy({k: v for k, v in fields.items() if k != "Tags"})}
    job.update(Name=name, CreatedOn=created_on, LastModifiedOn=time.time())
    job["Command"].setdefault("Name", SPARK_COMMAND)
    return job


def glue_jobs_layer(inner: WSGIApp, context: EmulatorContext) -> WSGIApp:
    """The layer: Glue's job actions here, everything else (the Data Catalog) to `inner`."""
    return json_api_layer(inner, "AWSGlue", handlers(GlueJobs(context), ACTIONS), REFUSED_ACTIONS, REFUSAL)
