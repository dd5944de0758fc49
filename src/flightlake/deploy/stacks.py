"""The five CloudFormation stacks of a deployment, in the order they are applied, and what each
is given as parameters.

Parameters come from two places only: the deployer's flightlake settings (bucket names, Glue
databases, job prefix, Redshift workgroup and database: the same values MWAA and Glue will be
configured with) and the outputs of the stacks applied before (the artifacts bucket, subnets,
security groups, the COPY role). Outputs of a stack that does not exist yet are `Pending`.
Stacks get their inputs as parameters rather than through exports, so each can be updated or
replaced without CloudFormation's cross-stack locks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flightlake.deploy.names import environment_name, stack_name, workgroup_name
from flightlake.deploy.plan import Pending
from flightlake.errors import FlightlakeError
from flightlake.settings import Settings

Value = str | Pending


class MissingOutput(FlightlakeError):
    """An existing stack lacks an output a later stack needs."""


@dataclass(frozen=True)
class StackInputs:
    settings: Settings
    deployment: str
    outputs: Mapping[str, Mapping[str, str]]  # stack key -> outputs, for stacks that exist
    wheel_key: str
    workgroup_arn: Value

    def output(self, stack: str, name: str) -> Value:
        if stack not in self.outputs:
            return Pending(f"{stack} stack output {name}")
        if name not in self.outputs[stack]:
            raise MissingOutput(
                f"the {stack_name(self.deployment, stack)} stack has no output {name}; its template may be older than "
                "this checkout, or the CloudFormation it runs on did not create the resource behind it."
            )
        return self.outputs[stack][name]


def _lake(settings: Settings) -> dict[str, Value]:
    return {
        "RawBucketName": settings.zone("raw").bucket,
        "StageBucketName": settings.zone("stage").bucket,
        "AnalyticsBucketName": settings.zone("analytics").bucket,
        "ReportsBucketName": settings.zone("reports").bucket,
    }


def _catalog(settings: Settings) -> dict[str, Value]:
    return {
        "GlueDatabaseRaw": settings.glue_databases["raw"],
        "GlueDatabaseStage": settings.glue_databases["stage"],
        "GlueDatabaseAnalytics": settings.glue_databases["analytics"],
    }


def storage_parameters(i: StackInputs) -> dict[str, Value]:
    return {"DeploymentName": i.deployment, **_lake(i.settings), **_catalog(i.settings)}


def network_parameters(i: StackInputs) -> dict[str, Value]:
    return {"DeploymentName": i.deployment, "AccessLogsBucketName": i.output("storage", "AccessLogsBucketName")}


def warehouse_parameters(i: StackInputs) -> dict[str, Value]:
    return {
        "WorkgroupName": workgroup_name(i.settings, i.deployment),
        "DatabaseName": i.settings.redshift_database,
        "AnalyticsBucketName": i.settings.zone("analytics").bucket,
        "SubnetIds": i.output("network", "PrivateSubnetIds"),
        "SecurityGroupId": i.output("network", "RedshiftSecurityGroupId"),
    }


def glue_parameters(i: StackInputs) -> dict[str, Value]:
    settings = i.settings
    return {
        "DeploymentName": i.deployment,
        "GlueJobPrefix": settings.glue_job_prefix,
        "ArtifactsBucketName": i.output("storage", "ArtifactsBucketName"),
        "WheelKey": i.wheel_key,
        **_lake(settings),
        "RawPrefix": settings.zone("raw").prefix,
        "StagePrefix": settings.zone("stage").prefix,
        "AnalyticsPrefix": settings.zone("analytics").prefix,
        "ReportsPrefix": settings.zone("reports").prefix,
        **_catalog(settings),
    }


def airflow_parameters(i: StackInputs) -> dict[str, Value]:
    return {
        "EnvironmentName": environment_name(i.deployment),
        "ArtifactsBucketName": i.output("storage", "ArtifactsBucketName"),
        **_lake(i.settings),
        **_catalog(i.settings),
        "GlueJobPrefix": i.settings.glue_job_prefix,
        "WorkgroupArn": i.workgroup_arn,
        "SubnetIds": i.output("network", "MwaaSubnetIds"),
        "SecurityGroupId": i.output("network", "MwaaSecurityGroupId"),
    }


@dataclass(frozen=True)
class StackSpec:
    key: str
    parameters: Callable[[StackInputs], dict[str, Value]]

    def template(self, project_root: Path) -> Path:
        return project_root / "deploy" / "cloudformation" / f"{self.key}.yaml"


STACKS: dict[str, StackSpec] = {
    spec.key: spec
    for spec in (
        StackSpec("storage", storage_parameters),
        StackSpec("network", network_parameters),
        StackSpec("warehouse", warehouse_parameters),
        StackSpec("glue", glue_parameters),
        StackSpec("airflow", airflow_parameters),
    )
}
