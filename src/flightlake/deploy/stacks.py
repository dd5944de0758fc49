"""The stacks of an environment, in the order they are applied, and what each is given as parameters.

Parameters come from three places only: the environment's file and the names derived from it
(`names.Names`), the outputs of the stacks applied before (buckets, the lake key, subnets,
security groups), and the release MWAA is to run. A value known only once an earlier step has run
is a `Pending`. Stacks get their inputs as parameters rather than through exports, so each can be
updated or replaced without CloudFormation's cross-stack locks.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flightlake.deploy.names import DATABASE, PLUGINS, RELEASES_PREFIX, REQUIREMENTS, STARTUP, Names
from flightlake.deploy.plan import Pending
from flightlake.errors import FlightlakeError

Value = str | Pending
# the release files MWAA pins by object version -> the airflow stack's parameter
PINNED_FILES: tuple[tuple[str, str], ...] = (
    (PLUGINS, "PluginsVersion"),
    (REQUIREMENTS, "RequirementsVersion"),
    (STARTUP, "StartupScriptVersion"),
)


class MissingOutput(FlightlakeError):
    """An existing stack lacks an output a later stack needs."""


@dataclass(frozen=True)
class ReleasePointer:
    """The release MWAA runs: its version and the S3 versions of the files MWAA pins."""

    version: str
    object_versions: Mapping[str, str | None] | Pending


@dataclass(frozen=True)
class StackInputs:
    names: Names
    outputs: Mapping[str, Mapping[str, str]]  # stack key -> outputs, for stacks that exist
    release: ReleasePointer
    workgroup_arn: Value
    zone_names: tuple[str, ...] | Pending  # the environment's AZ IDs as this account names them

    def output(self, stack: str, name: str) -> Value:
        if stack not in self.outputs:
            return Pending(f"{stack} stack output {name}")
        if name not in self.outputs[stack]:
            raise MissingOutput(
                f"the {self.names.stack(stack)} stack has no output {name}; its template may be older than this "
                "checkout, or the CloudFormation it runs on did not create the resource behind it."
            )
        return self.outputs[stack][name]


def subnet_cidrs(vpc_cidr: str) -> dict[str, str]:
    """The /24s of the VPC: public .0, private .10, .11, .12 (as the template's defaults were)."""
    subnets = list(ipaddress.ip_network(vpc_cidr).subnets(new_prefix=24))
    return {
        "PublicSubnetCidr": str(subnets[0]),
        "PrivateSubnet1Cidr": str(subnets[10]),
        "PrivateSubnet2Cidr": str(subnets[11]),
        "PrivateSubnet3Cidr": str(subnets[12]),
    }


def _lake(i: StackInputs) -> dict[str, Value]:
    return {"LakeBucketPrefix": i.names.lake_prefix, "CatalogPrefix": i.names.catalog_prefix}


def artifacts_parameters(i: StackInputs) -> dict[str, Value]:
    return {"DeploymentName": i.names.deployment}


def storage_parameters(i: StackInputs) -> dict[str, Value]:
    return {
        "DeploymentName": i.names.deployment,
        **_lake(i),
        "AccessLogsBucketName": i.output("artifacts", "AccessLogsBucketName"),
    }


def network_parameters(i: StackInputs) -> dict[str, Value]:
    zones = i.zone_names
    return {
        "DeploymentName": i.names.deployment,
        "AccessLogsBucketName": i.output("artifacts", "AccessLogsBucketName"),
        "AvailabilityZones": zones if isinstance(zones, Pending) else ",".join(zones),
        "VpcCidr": i.names.env.vpc_cidr,
        **subnet_cidrs(i.names.env.vpc_cidr),
    }


def warehouse_parameters(i: StackInputs) -> dict[str, Value]:
    env = i.names.env
    return {
        "WorkgroupName": i.names.workgroup,
        "CopyRoleName": i.names.copy_role_name,
        "DatabaseName": DATABASE,
        "AnalyticsBucketName": i.names.zone_bucket("analytics"),
        "LakeKeyArn": i.output("storage", "LakeKeyArn"),
        "BaseCapacity": str(env.base_rpu),
        "MaxCapacity": str(env.max_rpu),
        "SubnetIds": i.output("network", "PrivateSubnetIds"),
        "SecurityGroupId": i.output("network", "RedshiftSecurityGroupId"),
    }


def glue_parameters(i: StackInputs) -> dict[str, Value]:
    return {
        "DeploymentName": i.names.deployment,
        "ArtifactsBucketName": i.output("artifacts", "ArtifactsBucketName"),
        **_lake(i),
        "LakeKeyArn": i.output("storage", "LakeKeyArn"),
    }


def airflow_parameters(i: StackInputs) -> dict[str, Value]:
    env, versions = i.names.env, i.release.object_versions
    pinned: dict[str, Value] = {
        parameter: versions if isinstance(versions, Pending) else (versions.get(path) or "")
        for path, parameter in PINNED_FILES
    }
    return {
        "EnvironmentName": i.names.mwaa_environment,
        "EnvironmentClass": env.environment_class,
        "WebserverAccessMode": env.webserver_access,
        "ArtifactsBucketName": i.output("artifacts", "ArtifactsBucketName"),
        "ReleasePrefix": f"{RELEASES_PREFIX}{i.release.version}",
        **pinned,
        **_lake(i),
        "LakeKeyArn": i.output("storage", "LakeKeyArn"),
        "WorkgroupArn": i.workgroup_arn,
        "AlertTopicName": i.names.alert_topic_name,
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
        StackSpec("artifacts", artifacts_parameters),
        StackSpec("storage", storage_parameters),
        StackSpec("network", network_parameters),
        StackSpec("warehouse", warehouse_parameters),
        StackSpec("glue", glue_parameters),
        StackSpec("airflow", airflow_parameters),
    )
}
