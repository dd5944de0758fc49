"""Putting one release on one environment, in an order that never mixes releases: plan and apply.

    1-5  stacks artifacts, storage, network, warehouse, glue  (deploy and promote; a rollback skips them)
    6    the release's objects under releases/<version>/     (uploaded, copied, or already there)
    7    the release's Glue job definitions                  (named after it; nothing running uses them yet)
    8    the warehouse DDL of the release                    (idempotent; before the DAG that needs it)
    9    stack airflow: MWAA switched to the release         (UpdateEnvironment, through CloudFormation)
    10   alert subscriptions of the environment file
    11   the deployment history: release, when, by whom
    12   Glue jobs of releases older than the kept ones deleted

MWAA and Glue never run different releases: until step 9 the DAG runs the old release's
startup.sh, which names the old release's jobs (left in place); after it, DAG runs start the new
ones. `plan()` reads only (a change set made to describe an update is deleted again); `apply()`
prints that plan, then runs the steps, each recomputed with what the steps before it produced.
"""

from __future__ import annotations

from typing import Any

from flightlake.deploy import alert_subscriptions, cloudformation, glue_jobs, history, preflight, redshift_ddl
from flightlake.deploy.clients import answering
from flightlake.deploy.names import DATABASE, PLUGINS, RELEASES_PREFIX, REQUIREMENTS, STARTUP, release_key
from flightlake.deploy.plan import (
    ALERT,
    DDL,
    GLUE,
    NONE,
    RELEASE,
    SWITCH,
    Executed,
    Pending,
    Plan,
    PlannedAction,
    Summary,
)  # fmt: skip
from flightlake.deploy.release_store import object_versions
from flightlake.deploy.sources import Source
from flightlake.deploy.stacks import ReleasePointer
from flightlake.deploy.status import status_lines
from flightlake.deploy.target import Target
from flightlake.errors import FlightlakeError
from flightlake.lake.aws import object_exists

INFRA: tuple[str, ...] = ("artifacts", "storage", "network", "warehouse", "glue")


class ReleaseLacksEnvironment(FlightlakeError):
    """The release's startup.sh has no block for the target environment."""


class Rollout:
    """One release onto one environment: `action` is deploy, promote or rollback."""

    def __init__(self, target: Target, source: Source, action: str, infra: bool = True, status: bool = True) -> None:
        self.target, self.source, self.action = target, source, action
        self.infra, self.with_status = infra, status
        self._by: str | None = None

    # --- plan -------------------------------------------------------------------------------------
    def plan(self) -> Plan:
        target, source, names = self.target, self.source, self.target.names
        self._by = target.check_account()
        if target.env.name not in source.environments:
            raise ReleaseLacksEnvironment(
                f"release {source.version} was built before environment {target.env.name!r} existed: its "
                f"startup.sh knows {', '.join(source.environments)}. Deploy a newer release to dev first."
            )
        s3, bucket = target.s3, target.bucket
        if self.infra and target.stack("storage") is None:
            preflight.check_new_buckets(s3, names.zone_buckets, str(target.env.source))
        actions = [self._plan_stack(key) for key in INFRA] if self.infra else []
        actions += source.plan_objects(s3, bucket)
        actions += glue_jobs.plan_jobs(target.clients.get("glue"), self._job_definitions(), names, source.release_id)
        actions.append(self._plan_ddl())
        actions.append(self._plan_stack("airflow"))
        topic = target.output("airflow", "AlertTopicArn")
        actions += alert_subscriptions.plan(target.clients.get("sns"), topic, target.env.alert_emails)
        actions.append(self._plan_switch())
        actions += self._plan_prune()
        lines = status_lines(target) if self.with_status else ()
        return Plan(names.deployment, target.env.region, tuple(actions), tuple(lines))

    def _pointer(self) -> ReleasePointer:
        bucket, version = self.target.bucket, self.source.version
        pinned = [PLUGINS, REQUIREMENTS, STARTUP]
        if isinstance(bucket, Pending):
            return ReleasePointer(version, Pending("the release's objects in the artifacts bucket"))
        if any(object_exists(self.target.s3, bucket, release_key(version, path)) is None for path in pinned):
            return ReleasePointer(version, Pending("the versions of the release's objects once stored"))
        return ReleasePointer(version, object_versions(self.target.s3, bucket, version, pinned))

    def _plan_stack(self, key: str) -> PlannedAction:
        request = self.target.request(key, self._pointer(), keep_deployed_template=key == "airflow" and not self.infra)
        return cloudformation.plan_stack(self.target.clients.cloudformation, request, self.target.stack(key))

    def _job_definitions(self) -> list[dict[str, Any]] | Pending:
        target, source = self.target, self.source
        return glue_jobs.definitions(
            target.names, source.version, source.release_id, source.wheel_path,
            target.output("glue", "JobRoleArn"), target.names.glue_security_configuration,
        )  # fmt: skip

    def _sqls(self) -> list[str]:
        return redshift_ddl.ddl_statements(self.source.ddl_texts(self.target.s3))

    def _plan_ddl(self) -> PlannedAction:
        target = self.target
        return redshift_ddl.plan_ddl(target.s3, target.bucket, target.facts(), target.names.workgroup, DATABASE,
                                     self._sqls())  # fmt: skip

    def _current(self) -> history.Deployed | None:
        bucket = self.target.bucket
        return history.current(history.read(self.target.s3, bucket)) if isinstance(bucket, str) else None

    def _plan_switch(self) -> PlannedAction:
        current, version = self._current(), self.source.version
        if current is not None and current.version == version:
            return PlannedAction(RELEASE, version, NONE, f"runs already ({current.action} at {current.at})")
        was = current.version if current else "none"
        origin = f" (from {self.source.origin})" if self.source.origin else ""
        return PlannedAction(RELEASE, version, SWITCH, f"{self.action}: {was} -> {version}{origin}")

    def _plan_prune(self) -> list[PlannedAction]:
        bucket = self.target.bucket
        if isinstance(bucket, Pending):
            return []
        entries = history.read(self.target.s3, bucket)
        keep = history.kept_release_ids(entries, self.target.env.keep_releases, self.source.release_id)
        return glue_jobs.plan_prune(self.target.clients.get("glue"), self.target.names, keep)

    # --- apply ------------------------------------------------------------------------------------
    def apply(self) -> Summary:
        plan = self.plan()
        for line in plan.render(show_unchanged=False):
            self.target.echo(line)
        summary = Summary(plan)
        if not plan.changes:
            return summary
        for key in INFRA if self.infra else ():
            self._apply_stack(key, summary)
        bucket = self.target.bucket
        if not isinstance(bucket, str):
            raise cloudformation.StackError(f"the artifacts bucket is still unknown: {bucket}")
        self.source.put_objects(self.target.s3, bucket, self.target.echo)
        self._apply_jobs(summary)
        self._apply_ddl(summary)
        self._apply_stack("airflow", summary)
        self._apply_alerts(summary)
        self._record(summary, plan)
        self._prune(summary)
        return summary

    def _apply_stack(self, key: str, summary: Summary) -> None:
        target = self.target
        request = target.request(key, self._pointer(), keep_deployed_template=key == "airflow" and not self.infra)
        deployed = target.stack(key)
        target.echo(f"stack  {request.name}: {'creating' if deployed is None else 'checking'} ...")
        outcome = cloudformation.apply_stack(target.clients.cloudformation, request, deployed, target.timing)
        if outcome.startswith("unchanged"):
            return
        target.forget(key)
        summary.executed.append(Executed("stack", request.name, "create" if deployed is None else "update", outcome))
        target.echo(f"stack  {request.name}: {outcome}")

    def _apply_jobs(self, summary: Summary) -> None:
        wanted = self._job_definitions()
        if isinstance(wanted, Pending):
            raise cloudformation.StackError(f"the Glue jobs need {wanted.source}")
        for name, change in glue_jobs.apply_jobs(self.target.clients.get("glue"), wanted):
            summary.executed.append(Executed(GLUE, name, change, f"release {self.source.version}"))
            self.target.echo(f"glue   {name}: {change}")

    def _apply_ddl(self, summary: Summary) -> None:
        target, action = self.target, self._plan_ddl()
        if action.change == NONE:
            return
        facts = target.facts()
        if facts is None:
            raise redshift_ddl.DdlError(f"no Redshift workgroup {target.names.workgroup} to apply the DDL to")
        sqls = self._sqls()
        target.echo(f"ddl    {action.target}: applying {len(sqls)} statements ...")
        with answering("redshift-data"):
            statement_id = redshift_ddl.apply_ddl(target.clients.redshift_data, target.s3, str(target.bucket), facts,
                                                  DATABASE, sqls, target.timing, target.sleep)  # fmt: skip
        summary.executed.append(Executed(DDL, action.target, action.change, f"statement {statement_id}"))

    def _apply_alerts(self, summary: Summary) -> None:
        topic = self.target.output("airflow", "AlertTopicArn")
        if isinstance(topic, Pending):
            return
        for email, change in alert_subscriptions.apply(
            self.target.clients.get("sns"), topic, self.target.env.alert_emails
        ):
            summary.executed.append(Executed(ALERT, email, change, topic))

    def _record(self, summary: Summary, plan: Plan) -> None:
        if not any(a.kind == RELEASE and a.is_change for a in plan.actions):
            return
        source = self.source
        entry = history.Deployed(source.version, source.release_id, self.action, history.now(), self._by or "unknown",
                                 source.origin)  # fmt: skip
        history.record(self.target.s3, str(self.target.bucket), self.target.env.name, entry)
        summary.executed.append(
            Executed(RELEASE, source.version, SWITCH, f"MWAA runs {RELEASES_PREFIX}{source.version}")
        )

    def _prune(self, summary: Summary) -> None:
        for action in self._plan_prune():
            glue_jobs.delete_jobs(self.target.clients.get("glue"), [action.target])
            summary.executed.append(Executed(GLUE, action.target, action.change, action.reason))
