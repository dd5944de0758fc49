"""The Glue jobs of a release: one per Spark step of `pipeline.registry`, made through the Glue API.

A job is named after its release and step (`flightlake-dev-<release id>-raw-to-stage`) and points
at that release's `spark_jobs/run_step.py` and wheel, with its step as a default argument. So a
new release never changes a job a running DAG version uses: the release's startup.sh names its
own jobs, and only DAG runs the new MWAA version starts use them.
Old definitions stay for runs in flight and for rollback; those of releases beyond
`keep_releases` are deleted. The glue stack holds what they share: the role, the security
configuration (SSE-KMS for S3, CloudWatch and bookmarks), the logs key.

Settings reach the job as `--FLIGHTLAKE_<SETTING>` arguments, the region among them.
"""

from __future__ import annotations

from typing import Any

from flightlake.deploy.clients import or_none
from flightlake.deploy.names import GLUE_DIR, SPARK_APPLICATION, Names, release_key
from flightlake.deploy.plan import CREATE, DELETE, NONE, UPDATE, Pending, PlannedAction
from flightlake.deploy.runtime_env import glue_job_environment
from flightlake.pipeline.registry import spark_steps

GLUE = "glue"
GLUE_VERSION = "5.0"
RELEASE_TAG = "flightlake:release"
_COMPARED = ("Role", "Command", "DefaultArguments", "WorkerType", "NumberOfWorkers", "ExecutionClass", "Timeout",
             "MaxRetries", "ExecutionProperty", "SecurityConfiguration", "GlueVersion")  # fmt: skip


def definition(
    names: Names, version: str, release_id: str, wheel_path: str, step: str, role_arn: str, security_configuration: str
) -> dict[str, Any]:
    """The create_job request of one Spark step's job of one release."""
    env, bucket = names.env, names.artifacts_bucket
    arguments = {
        "--job-language": "python",
        "--enable-glue-datacatalog": "true",
        "--enable-continuous-cloudwatch-log": "true",
        "--enable-auto-scaling": "true",
        "--job-bookmark-option": "job-bookmark-disable",
        "--TempDir": f"s3://{bucket}/{GLUE_DIR}/tmp/",
        "--additional-python-modules": f"s3://{bucket}/{release_key(version, wheel_path)}",
        "--python-modules-installer-option": "--no-deps",
        "--step": step,
        **{f"--{name}": value for name, value in glue_job_environment(names).items()},
    }
    return {
        "Name": names.glue_job(release_id, step),
        "Description": f"step {step} of flightlake release {version} ({env.name})",
        "Role": role_arn,
        "GlueVersion": GLUE_VERSION,
        "Command": {
            "Name": "glueetl",
            "PythonVersion": "3",
            "ScriptLocation": f"s3://{bucket}/{release_key(version, SPARK_APPLICATION)}",
        },
        "WorkerType": env.glue_worker_type,
        "NumberOfWorkers": env.glue_workers,
        "ExecutionClass": env.glue_execution_class,
        "Timeout": env.glue_timeout_minutes,
        "MaxRetries": 0,  # Airflow retries, by the project's retry rules
        # One run per job at a time: a retry must not write the partition a stuck run still writes.
        "ExecutionProperty": {"MaxConcurrentRuns": 1},
        "SecurityConfiguration": security_configuration,
        "DefaultArguments": arguments,
        "Tags": {"flightlake:environment": env.name, RELEASE_TAG: version},
    }


def definitions(
    names: Names, version: str, release_id: str, wheel_path: str, role_arn: str | Pending, security: str
) -> list[dict[str, Any]] | Pending:
    if isinstance(role_arn, Pending):
        return role_arn
    return [definition(names, version, release_id, wheel_path, s.name, role_arn, security) for s in spark_steps()]


def get_job(glue: Any, name: str) -> dict[str, Any] | None:
    return or_none(lambda: glue.get_job(JobName=name)["Job"], "EntityNotFoundException")


def plan_jobs(glue: Any, wanted: list[dict[str, Any]] | Pending, names: Names, release_id: str) -> list[PlannedAction]:
    if isinstance(wanted, Pending):
        return [PlannedAction(GLUE, names.glue_job(release_id, s.name), CREATE, f"once {wanted.source} exists")
                for s in spark_steps()]  # fmt: skip
    actions = []
    for request in wanted:
        existing = get_job(glue, request["Name"])
        if existing is None:
            workers = f"{request['NumberOfWorkers']} {request['WorkerType']} workers"
            details = (f"script {request['Command']['ScriptLocation']}", f"max concurrent runs 1, {workers}")
            actions.append(PlannedAction(GLUE, request["Name"], CREATE, "job of this release", details))
            continue
        changed = [field for field in _COMPARED if existing.get(field) != request.get(field)]
        if changed:
            actions.append(PlannedAction(GLUE, request["Name"], UPDATE, "environment file changed", tuple(changed)))
        else:
            actions.append(PlannedAction(GLUE, request["Name"], NONE, "defined"))
    return actions


def apply_jobs(glue: Any, wanted: list[dict[str, Any]]) -> list[tuple[str, str]]:
    done = []
    for request in wanted:
        existing = get_job(glue, request["Name"])
        if existing is None:
            glue.create_job(**request)
            done.append((request["Name"], CREATE))
        elif any(existing.get(field) != request.get(field) for field in _COMPARED):
            update = {k: v for k, v in request.items() if k not in ("Name", "Tags")}
            glue.update_job(JobName=request["Name"], JobUpdate=update)
            done.append((request["Name"], UPDATE))
    return done


def release_jobs(glue: Any, names: Names) -> dict[str, list[str]]:
    """release id -> names of the environment's Glue jobs of that release."""
    found: dict[str, list[str]] = {}
    prefix = f"{names.deployment}-"
    kwargs: dict[str, Any] = {}
    while True:
        page = glue.list_jobs(**kwargs)
        for name in page.get("JobNames", []):
            rest = name[len(prefix) :] if name.startswith(prefix) else ""
            release_id = rest.split("-", 1)[0]
            if len(release_id) == 12 and any(name == names.glue_job(release_id, s.name) for s in spark_steps()):
                found.setdefault(release_id, []).append(name)
        if not page.get("NextToken"):
            return found
        kwargs["NextToken"] = page["NextToken"]


def plan_prune(glue: Any, names: Names, keep: set[str]) -> list[PlannedAction]:
    """Jobs of releases outside `keep` (the latest releases the history names) are deleted."""
    return [
        PlannedAction(GLUE, job, DELETE, f"release {release_id} is older than the {names.env.keep_releases} kept")
        for release_id, jobs in sorted(release_jobs(glue, names).items())
        if release_id not in keep
        for job in sorted(jobs)
    ]


def delete_jobs(glue: Any, jobs: list[str]) -> None:
    for job in jobs:
        glue.delete_job(JobName=job)
