"""Helpers of the emulator tests: what the stubbed services are expected to be asked, and the
emulator's state in a comparable form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flightlake.deploy.names import DATABASE
from flightlake.deploy.redshift_ddl import ROLES, STATEMENT_NAME
from flightlake.deploy.target import Target
from flightlake.lake.aws import list_keys
from tests.deploy.cfn_render import Renderer
from tests.deploy.conftest import Stubs, cached_client

ACCOUNT = "123456789012"  # moto's, and the committed environment files'


def workgroup_arn(env: str) -> str:
    return f"arn:aws:redshift-serverless:us-east-1:{ACCOUNT}:workgroup/0f1e2d3c-4b5a-4c6d-8e7f-{env:0>12}"


def secret_arn(env: str) -> str:
    return f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:redshift!flightlake-{env}-admin-AbCdEf"


def expect_facts(stubs: Stubs, env: str) -> None:
    """The workgroup and namespace lookup a target makes once its warehouse stack exists."""
    name = f"flightlake-{env}"
    stubs["redshift-serverless"].add_response(
        "get_workgroup",
        {"workgroup": {"workgroupName": name, "workgroupArn": workgroup_arn(env), "namespaceName": name}},
        {"workgroupName": name},
    )
    stubs["redshift-serverless"].add_response(
        "get_namespace",
        {"namespace": {"namespaceName": name, "namespaceId": f"ns-{env}", "adminPasswordSecretArn": secret_arn(env)}},
        {"namespaceName": name},
    )


def expect_ddl(stubs: Stubs, env: str, sqls: list[str], statement_id: str, roles_exist: bool = False) -> None:
    """The roles, one statement each ("already exists" is fine), then the DDL batch, as the admin."""
    data = stubs["redshift-data"]
    common = {"WorkgroupName": f"flightlake-{env}", "Database": DATABASE, "SecretArn": secret_arn(env),
              "StatementName": STATEMENT_NAME}  # fmt: skip
    for role in ROLES:
        data.add_response(
            "execute_statement", {"Id": f"{statement_id}-{role}"}, {**common, "Sql": f"CREATE ROLE {role}"}
        )
        answer = {"Id": f"{statement_id}-{role}", "Status": "FINISHED"}
        if roles_exist:
            answer.update(Status="FAILED", Error=f'role "{role}" already exists')
        data.add_response("describe_statement", answer, {"Id": f"{statement_id}-{role}"})
    data.add_response(
        "batch_execute_statement",
        {"Id": statement_id, "CreatedAt": datetime.now(UTC)},
        {**common, "Sqls": sqls},
    )
    for status in ("STARTED", "FINISHED"):
        data.add_response("describe_statement", {"Id": statement_id, "Status": status}, {"Id": statement_id})


def emulator_state(settings: Any) -> dict[str, Any]:
    """Everything a deploy could have touched."""
    s3, cfn, iam, glue, ec2, sns = (
        cached_client(s, settings) for s in ("s3", "cloudformation", "iam", "glue", "ec2", "sns")
    )
    buckets = sorted(b["Name"] for b in s3.list_buckets().get("Buckets", []))
    stacks = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
    return {
        "objects": {
            b: sorted((o["Key"], o["ETag"], str(o["LastModified"])) for o in list_keys(s3, b, "")) for b in buckets
        },
        "stacks": sorted((s["StackName"], s["StackStatus"], str(s.get("LastUpdatedTime"))) for s in stacks),
        "change_sets": {
            s["StackName"]: sorted(
                c["ChangeSetId"] for c in cfn.list_change_sets(StackName=s["StackName"])["Summaries"]
            )
            for s in stacks
        },
        "parameters": {
            s["StackName"]: cfn.describe_stacks(StackName=s["StackName"])["Stacks"][0].get("Parameters") for s in stacks
        },
        "roles": sorted(r["RoleName"] for r in iam.list_roles()["Roles"]),
        "vpcs": sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]),
        "glue_databases": sorted(d["Name"] for d in glue.get_databases()["DatabaseList"]),
        "glue_jobs": sorted(glue.list_jobs().get("JobNames", [])),
        "topics": sorted(t["TopicArn"] for t in sns.list_topics()["Topics"]),
    }


def create_catalog(target: Target) -> list[str]:
    """The Glue databases of the storage stack, as CloudFormation would make them (moto's skips them)."""
    cfn, glue = target.clients.cloudformation, target.clients.get("glue")
    name = target.names.stack("storage")
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName=name)["StackResources"]
        if "LogicalResourceId" in r
    }
    text = (target.root / "deploy" / "cloudformation" / "storage.yaml").read_text()
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": "us-east-1", "AWS::Partition": "aws"}
    rendered = Renderer(text, parameters, pseudo, lambda logical: physical[logical], lambda logical, attr: "")
    made = []
    for properties in rendered.resources("AWS::Glue::Database").values():
        glue.create_database(CatalogId=properties["CatalogId"], DatabaseInput=properties["DatabaseInput"])
        made.append(properties["DatabaseInput"]["Name"])
    return made


def delete_route_tables(target: Target) -> None:
    """What CloudFormation does and moto's does not: delete the network stack's route tables
    (moto keeps them, and then refuses to delete the VPC)."""
    network = target.stack("network")
    if network is None:
        return
    ec2 = target.clients.get("ec2")
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [network.outputs["VpcId"]]}])
    for table in tables["RouteTables"]:
        associations = table.get("Associations", [])
        if any(a.get("Main") for a in associations):
            continue
        for association in associations:
            ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
        ec2.delete_route_table(RouteTableId=table["RouteTableId"])
