"""The order of a deployment, and `plan` / `apply` over it.

    1-4  stacks storage, network, warehouse, glue   (the artifacts bucket exists after storage)
    5    objects: DAGs, Spark scripts, wheel, plugins.zip, requirements.txt, startup.sh
    6    stack airflow                                (MWAA needs its objects in place to start)
    7    the warehouse DDL through the Redshift Data API
    8    MWAA UpdateEnvironment, when plugins/requirements/startup got new versions

`plan()` reads only (a change set it creates to describe an update is deleted again). `apply()`
prints that plan, then runs the steps in the same order, each recomputed with what the steps
before it produced: outputs of stacks created a moment ago, versions of objects just uploaded.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flightlake.deploy import cloudformation, mwaa, preflight, redshift_ddl, uploads
from flightlake.deploy.artifacts import Artifact, build_artifacts
from flightlake.deploy.clients import Clients, answering
from flightlake.deploy.cloudformation import DeployedStack, StackRequest, Timing
from flightlake.deploy.names import SYNCED_PREFIXES, check_deployment_name, environment_name, glue_wheel_key, stack_name
from flightlake.deploy.names import workgroup_name as default_workgroup
from flightlake.deploy.plan import DELETE, NONE, OBJECT, UPLOAD, Executed, Pending, Plan, PlannedAction, Summary
from flightlake.deploy.stacks import STACKS, StackInputs
from flightlake.deploy.warehouse import WarehouseFacts, lookup
from flightlake.deploy.wheel import build_wheel
from flightlake.settings import Settings

WheelBuilder = Callable[[Path], Path]  # out_dir -> wheel
Echo = Callable[[str], None]
BEFORE_OBJECTS = ("storage", "network", "warehouse", "glue")


class Deployment:
    """One named deployment (`--stack NAME`) of this checkout into one account and region."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        project_root: Path,
        clients: Clients,
        wheel_builder: WheelBuilder | None = None,
        timing: Timing = Timing(),
        echo: Echo = lambda line: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = check_deployment_name(name)
        self.settings = settings
        self.root = project_root
        self.clients = clients
        self.timing = timing
        self.echo = echo
        self.sleep = sleep
        self._build = wheel_builder or (lambda out_dir: build_wheel(project_root, out_dir))
        self._workdir = tempfile.TemporaryDirectory(prefix="flightlake-deploy-")
        self._wheel: Path | None = None
        self._stacks: dict[str, DeployedStack | None] = {}
        self._facts: WarehouseFacts | None = None
        self._facts_known = False
        self._created: set[str] = set()
        self._versions: dict[str, str | None] = {}

    # --- what is known -------------------------------------------------------------------------
    def stack(self, key: str) -> DeployedStack | None:
        if key not in self._stacks:
            self._stacks[key] = cloudformation.read_stack(self.clients.cloudformation, stack_name(self.name, key))
        return self._stacks[key]

    def facts(self) -> WarehouseFacts | None:
        """The Redshift workgroup and namespace, once the warehouse stack exists."""
        if not self._facts_known:
            if self.stack("warehouse") is None:
                return None
            with answering("redshift-serverless"):
                self._facts = lookup(self.clients.redshift_serverless, self.workgroup)
            self._facts_known = True
        return self._facts

    @property
    def workgroup(self) -> str:
        return default_workgroup(self.settings, self.name)

    def wheel(self) -> Path:
        if self._wheel is None:
            self._wheel = self._build(Path(self._workdir.name))
        return self._wheel

    def inputs(self) -> StackInputs:
        facts = self.facts()
        return StackInputs(
            settings=self.settings,
            deployment=self.name,
            outputs={key: stack.outputs for key in STACKS if (stack := self.stack(key)) is not None},
            wheel_key=glue_wheel_key(self.wheel().name),
            workgroup_arn=facts.workgroup_arn if facts else Pending("warehouse workgroup ARN"),
        )

    def request(self, key: str) -> StackRequest:
        spec = STACKS[key]
        return StackRequest(
            name=stack_name(self.name, key),
            body=spec.template(self.root).read_text(),
            parameters=spec.parameters(self.inputs()),
            deployment=self.name,
        )

    def bucket(self) -> str | Pending:
        return self.inputs().output("storage", "ArtifactsBucketName")

    def artifacts(self) -> list[Artifact]:
        copy_role = self.inputs().output("warehouse", "CopyRoleArn")
        return build_artifacts(self.root, self.wheel(), self.settings, self.workgroup, copy_role)

    # --- plan ----------------------------------------------------------------------------------
    def plan(self) -> Plan:
        cfn, s3 = self.clients.cloudformation, self.clients.s3
        if self.stack("storage") is None:
            preflight.check_new_buckets(s3, self.settings)
        actions = [cloudformation.plan_stack(cfn, self.request(key), self.stack(key)) for key in BEFORE_OBJECTS]
        object_actions = uploads.plan_objects(s3, self.bucket(), self.artifacts(), SYNCED_PREFIXES)
        actions.extend(object_actions)
        actions.append(cloudformation.plan_stack(cfn, self.request("airflow"), self.stack("airflow")))
        actions.append(self._plan_ddl(redshift_ddl.ddl_statements(self.root)))
        uploading = {uploads.key_of(action.target) for action in object_actions if action.change == UPLOAD}
        actions.append(self._plan_mwaa(uploading))
        return Plan(self.name, self.settings.region, tuple(actions))

    def _plan_ddl(self, sqls: list[str]) -> PlannedAction:
        facts = self.facts()
        return redshift_ddl.plan_ddl(
            self.clients.s3, self.bucket(), facts, self.workgroup, self.settings.redshift_database, sqls
        )

    def _plan_mwaa(self, uploading: set[str]) -> PlannedAction:
        bucket = self.bucket()
        exists = self.stack("airflow") is not None and isinstance(bucket, str)
        with answering("mwaa"):
            return mwaa.plan_environment(
                self.clients.mwaa, self.clients.s3, environment_name(self.name), str(bucket), exists, uploading
            )

    # --- apply ---------------------------------------------------------------------------------
    def apply(self) -> Summary:
        plan = self.plan()
        for line in plan.render(show_unchanged=False):
            self.echo(line)
        summary = Summary(plan)
        if not plan.changes:
            return summary
        for key in BEFORE_OBJECTS:
            self._apply_stack(key, summary)
        self._apply_objects(summary)
        self._apply_stack("airflow", summary)
        self._apply_ddl(summary)
        self._apply_mwaa(summary)
        return summary

    def _apply_stack(self, key: str, summary: Summary) -> None:
        request = self.request(key)
        deployed = self.stack(key)
        self.echo(f"stack  {request.name}: {'creating' if deployed is None else 'checking'} ...")
        outcome = cloudformation.apply_stack(self.clients.cloudformation, request, deployed, self.timing)
        if outcome.startswith("unchanged"):
            return
        self._stacks.pop(key, None)
        if deployed is None:
            self._created.add(key)
        if key == "warehouse":
            self._facts_known = False
        summary.executed.append(Executed("stack", request.name, "create" if deployed is None else "update", outcome))
        self.echo(f"stack  {request.name}: {outcome}")

    def _apply_objects(self, summary: Summary) -> None:
        s3, bucket = self.clients.s3, self.bucket()
        if not isinstance(bucket, str):
            raise cloudformation.StackError(f"the artifacts bucket is still unknown: {bucket}")
        artifacts = {artifact.key: artifact for artifact in self.artifacts()}
        for action in uploads.plan_objects(s3, bucket, list(artifacts.values()), SYNCED_PREFIXES):
            if action.change == NONE:
                continue
            key = uploads.key_of(action.target)
            if action.change == DELETE:
                uploads.delete(s3, bucket, key)
                outcome = "deleted"
            else:
                version = uploads.upload(s3, bucket, artifacts[key])
                self._versions[key] = version
                outcome = f"sha256 {artifacts[key].sha256[:12]}" + (f", version {version}" if version else "")
            summary.executed.append(Executed(OBJECT, action.target, action.change, outcome))
            self.echo(f"object {action.target}: {outcome}")

    def _apply_ddl(self, summary: Summary) -> None:
        sqls = redshift_ddl.ddl_statements(self.root)
        action = self._plan_ddl(sqls)
        facts = self.facts()
        if action.change == NONE:
            return
        if facts is None:
            raise redshift_ddl.DdlError(f"no Redshift workgroup {self.workgroup} to apply the DDL to")
        bucket = str(self.bucket())
        self.echo(f"ddl    {action.target}: applying {len(sqls)} statements ...")
        with answering("redshift-data"):
            statement_id = redshift_ddl.apply_ddl(
                self.clients.redshift_data, self.clients.s3, bucket, facts, self.settings.redshift_database, sqls,
                self.timing, self.sleep,
            )  # fmt: skip
        summary.executed.append(Executed("ddl", action.target, action.change, f"statement {statement_id}"))

    def _apply_mwaa(self, summary: Summary) -> None:
        if "airflow" in self._created:
            return  # the environment was just created from the objects in place
        name = environment_name(self.name)
        self.echo(f"mwaa   {name}: checking object versions ...")
        with answering("mwaa"):
            request = mwaa.apply_environment(
                self.clients.mwaa, self.clients.s3, name, str(self.bucket()), self._versions, self.timing, self.sleep
            )
        if request:
            versions = ", ".join(f"{k}={v}" for k, v in request.items() if k.endswith("ObjectVersion"))
            summary.executed.append(Executed("mwaa", name, "update", versions))
            self.echo(f"mwaa   {name}: updated ({versions})")

    def close(self) -> None:
        self._workdir.cleanup()

    def __enter__(self) -> Deployment:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
