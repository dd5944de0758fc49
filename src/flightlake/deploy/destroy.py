"""`flightlake deploy destroy --env NAME`: remove an environment, in the reverse order of a deploy.

    airflow stack (MWAA), every release's Glue jobs, glue, warehouse, network stacks,
    [--delete-data: the zone buckets emptied of every version, the storage stack, the buckets,
     the catalog, the lake key scheduled for deletion],
    the artifacts and log buckets emptied of every version, the artifacts stack, MWAA's log groups.

Without --delete-data the storage stack stays whole (the lake, its catalog and its key), so the
data outlives the environment and a later deploy of it picks the lake up as it was. Termination
protection of the storage and warehouse stacks is lifted right before each is deleted.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from flightlake.deploy import cloudformation, glue_jobs
from flightlake.deploy.names import DATA_STACKS, PROTECTED_STACKS, STACK_KEYS
from flightlake.deploy.plan import DELETE, EMPTY, GLUE, KEEP, OBJECT, STACK, Executed, Plan, PlannedAction, Summary
from flightlake.deploy.target import Target


class Destroy:
    def __init__(self, target: Target, delete_data: bool) -> None:
        self.target, self.delete_data = target, delete_data

    def plan(self) -> Plan:
        target, names = self.target, self.target.names
        target.check_account()
        actions: list[PlannedAction] = []
        for key in reversed(STACK_KEYS):
            deployed = target.stack(key)
            if key == "glue":
                jobs = sorted(
                    j for group in glue_jobs.release_jobs(target.clients.get("glue"), names).values() for j in group
                )
                actions += [PlannedAction(GLUE, job, DELETE, "a release's Glue job") for job in jobs]
            if deployed is None:
                continue
            if key in DATA_STACKS and not self.delete_data:
                actions.append(PlannedAction(STACK, deployed.name, KEEP, "holds the data (--delete-data deletes it)"))
                continue
            if key in DATA_STACKS:
                actions += [PlannedAction(OBJECT, f"s3://{b}", EMPTY, "every object version, then the bucket")
                            for b in names.zone_buckets.values()]  # fmt: skip
            if key == "artifacts":
                actions += [PlannedAction(OBJECT, f"s3://{b}", EMPTY, "every object version (releases, logs)")
                            for b in (names.artifacts_bucket, names.logs_bucket)]  # fmt: skip
            reason = "termination protection lifted first" if key in PROTECTED_STACKS else "deleted"
            actions.append(PlannedAction(STACK, deployed.name, DELETE, reason))
        for group in self._log_groups():
            actions.append(PlannedAction("logs", group, DELETE, "created by MWAA, in no stack"))
        return Plan(names.deployment, target.env.region, tuple(actions))

    def apply(self) -> Summary:
        plan = self.plan()
        summary = Summary(plan)
        target, names, glue = self.target, self.target.names, self.target.clients.get("glue")
        for action in plan.actions:
            if action.change == KEEP:
                continue
            if action.kind == GLUE:
                glue_jobs.delete_jobs(glue, [action.target])
            elif action.kind == OBJECT:
                empty_bucket(target.s3, action.target.removeprefix("s3://"))
            elif action.kind == STACK:
                key = next(k for k in STACK_KEYS if names.stack(k) == action.target)
                deployed = target.stack(key)
                target.echo(f"stack  {action.target}: deleting ...")
                if deployed is not None:
                    cloudformation.delete_stack(target.clients.cloudformation, deployed, target.timing)
                target.forget(key)
                if key in DATA_STACKS:
                    self._delete_data()
            elif action.kind == "logs":
                target.clients.get("logs").delete_log_group(logGroupName=action.target)
            summary.executed.append(Executed(action.kind, action.target, action.change, action.reason))
            target.echo(f"{action.kind:<6} {action.target}: {action.change}")
        return summary

    def _delete_data(self) -> None:
        """What a Retain policy left behind the storage stack: the buckets, the catalog, the key."""
        target, names = self.target, self.target.names
        for bucket in names.zone_buckets.values():
            empty_bucket(target.s3, bucket)
            _ignore_missing(lambda b=bucket: target.s3.delete_bucket(Bucket=b))
        for database in names.glue_databases.values():
            _ignore_missing(lambda d=database: target.clients.get("glue").delete_database(Name=d))
        kms = target.clients.get("kms")
        alias = f"alias/{names.deployment}-lake"
        aliases = [a for a in kms.list_aliases().get("Aliases", []) if a.get("AliasName") == alias]
        for entry in aliases:
            kms.delete_alias(AliasName=alias)
            kms.schedule_key_deletion(KeyId=entry["TargetKeyId"], PendingWindowInDays=30)

    def _log_groups(self) -> list[str]:
        logs = self.target.clients.get("logs")
        prefix = f"airflow-{self.target.names.mwaa_environment}-"
        groups: list[str] = []
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
            groups += [g["logGroupName"] for g in page.get("logGroups", [])]
        return groups


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object version and delete marker (CloudFormation cannot delete a non-empty bucket)."""
    deleted = 0
    try:
        pages = list(s3.get_paginator("list_object_versions").paginate(Bucket=bucket))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchBucket":
            return 0
        raise
    for page in pages:
        items = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(items), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": items[start : start + 1000], "Quiet": True})
        deleted += len(items)
    return deleted


def _ignore_missing(call: Any) -> None:
    try:
        call()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("NoSuchBucket", "EntityNotFoundException"):
            raise
