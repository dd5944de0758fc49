"""The CloudFormation templates: cfn-lint clean, in agreement with the deploy code, and holding
each fix of the review as a property: AZ IDs, SSE-KMS for Glue, PRIVATE_ONLY, the RPU cap, the
alert topic, least privilege, no write grants to PUBLIC, CI without long-lived keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint, lint_file
from cfnlint.decode import decode_str

from flightlake.deploy import names
from flightlake.deploy.cloudformation import MAX_TEMPLATE_BYTES, template_resources
from flightlake.deploy.environments import load_environment
from flightlake.deploy.plan import Pending
from flightlake.deploy.stacks import STACKS, ReleasePointer, StackInputs
from flightlake.warehouse.sql_files import statements
from tests.conftest import REPO

TEMPLATES = sorted((REPO / "deploy" / "cloudformation").glob("*.yaml"))
FAKE_OUTPUTS = {
    "artifacts": {"ArtifactsBucketName": "airflow-flightlake-dev-1-us-east-1", "AccessLogsBucketName": "t-logs"},
    "storage": {"LakeKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k"},
    "network": {
        "PrivateSubnetIds": "subnet-01234567,subnet-12345678,subnet-23456789",
        "MwaaSubnetIds": "subnet-01234567,subnet-12345678",
        "MwaaSecurityGroupId": "sg-01234567",
        "RedshiftSecurityGroupId": "sg-12345678",
    },
    "glue": {"JobRoleArn": "arn:aws:iam::123456789012:role/j"},
}


def load(name: str) -> dict[str, Any]:
    template, problems = decode_str((REPO / "deploy" / "cloudformation" / f"{name}.yaml").read_text())
    assert not problems, problems
    return template


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def statements_of(role: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"] if "Sid" in s}


def test_there_is_one_template_per_stack_and_the_ci_stack():
    assert [p.stem for p in TEMPLATES] == sorted([*names.STACK_KEYS, "ci"])


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_cfn_lint_finds_nothing(path: Path):
    matches = lint_file(path)
    assert [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches] == []
    assert len(path.read_bytes()) < MAX_TEMPLATE_BYTES


def test_cfn_lint_would_catch_a_broken_template():
    text = (REPO / "deploy" / "cloudformation" / "warehouse.yaml").read_text()
    broken = text.replace("BaseCapacity: !Ref BaseCapacity", "BaseCapacty: !Ref BaseCapacity")
    assert broken != text
    assert any(m.rule.id.startswith("E") for m in lint(broken, regions=["us-east-1"]))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_every_checkov_skip_says_why(path: Path):
    skips = [
        skip
        for resource in load(path.stem)["Resources"].values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert all(len(skip.get("comment", "")) > 20 for skip in skips), skips


@pytest.mark.parametrize("key", names.STACK_KEYS)
def test_the_deploy_passes_exactly_the_parameters_each_template_declares(key):
    env = load_environment(REPO, "dev")
    inputs = StackInputs(names.Names(env), FAKE_OUTPUTS, ReleasePointer("v-1", {}), "arn:aws:x", ("a", "b", "c"))
    passed = STACKS[key].parameters(inputs)
    declared = load(key)["Parameters"]
    required = {name for name, spec in declared.items() if "Default" not in spec}
    assert required <= set(passed) <= set(declared)
    assert not [v for v in passed.values() if isinstance(v, Pending)]


def test_parameters_not_known_yet_are_pending():
    env = load_environment(REPO, "dev")
    pending = Pending("the release's objects")
    inputs = StackInputs(names.Names(env), {}, ReleasePointer("v-1", pending), Pending("workgroup ARN"), pending)
    airflow = STACKS["airflow"].parameters(inputs)
    assert str(airflow["SubnetIds"]) == "(known after apply: network stack output MwaaSubnetIds)"
    assert airflow["PluginsVersion"] is pending and isinstance(airflow["WorkgroupArn"], Pending)
    assert airflow["LakeBucketPrefix"] == "flightlake-123456789012-dev"  # the environment is always known


def test_buckets_are_encrypted_private_tls_only_and_versioned_the_lake_with_its_own_key():
    for name, count in (("storage", 4), ("artifacts", 2)):
        template = load(name)
        buckets = resources(template, "AWS::S3::Bucket")
        assert len(buckets) == count
        policies = {v["Properties"]["Bucket"]["Ref"]: v for v in resources(template, "AWS::S3::BucketPolicy").values()}
        for logical, bucket in buckets.items():
            properties = bucket["Properties"]
            assert properties["VersioningConfiguration"] == {"Status": "Enabled"}, logical
            assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}, logical
            statement = policies[logical]["Properties"]["PolicyDocument"]["Statement"][0]
            assert statement["Effect"] == "Deny" and statement["Condition"] == {
                "Bool": {"aws:SecureTransport": "false"}
            }
            if name == "storage":
                default = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
                assert default["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": ["LakeKey", "Arn"]}
                assert bucket["DeletionPolicy"] == "Retain"  # the lake outlives the stack
    assert load("storage")["Resources"]["LakeKey"]["Properties"]["EnableKeyRotation"] is True


def test_glue_encrypts_what_jobs_write_to_s3_with_the_lake_key_sse_kms():
    template = load("glue")
    (config,) = resources(template, "AWS::Glue::SecurityConfiguration").values()
    encryption = config["Properties"]["EncryptionConfiguration"]
    assert encryption["S3Encryptions"] == [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": {"Ref": "LakeKeyArn"}}]
    assert encryption["CloudWatchEncryption"]["CloudWatchEncryptionMode"] == "SSE-KMS"
    assert config["Properties"]["Name"] == {"Fn::Sub": "${DeploymentName}-glue"}
    assert not resources(template, "AWS::Glue::Job")  # the jobs are per release, made by the deploy
    role = statements_of(template["Resources"]["JobRole"])
    assert role["ReadAndWriteTheEncryptedLake"]["Resource"] == {"Ref": "LakeKeyArn"}
    assert all("/releases/*/" in r["Fn::Sub"] for r in role["ReadJobCode"]["Resource"])


def test_mwaa_runs_one_release_privately_with_least_privilege_and_alerts():
    template = load("airflow")
    parameters = template["Parameters"]
    assert parameters["WebserverAccessMode"]["Default"] == "PRIVATE_ONLY"
    assert parameters["AirflowVersion"]["Default"] == names.AIRFLOW_VERSION
    (environment,) = resources(template, "AWS::MWAA::Environment").values()
    properties = environment["Properties"]
    assert properties["DagS3Path"] == {"Fn::Sub": "${ReleasePrefix}/dags"}
    for prefix, key in (
        ("Plugins", names.PLUGINS),
        ("Requirements", names.REQUIREMENTS),
        ("StartupScript", names.STARTUP),
    ):
        assert properties[f"{prefix}S3Path"] == {"Fn::Sub": f"${{ReleasePrefix}}/{key}"}
        assert f"{prefix}S3ObjectVersion" in properties
    role = template["Resources"]["ExecutionRole"]
    assert {"Key": "RedshiftDbRoles", "Value": "flightlake_pipeline"} in role["Properties"]["Tags"]
    allowed = statements_of(role)
    jobs = [r["Fn::Sub"] for r in allowed["RunSparkJobs"]["Resource"]]
    assert [j.split(":job/")[1] for j in jobs] == [
        "${EnvironmentName}-????????????-raw-to-stage", "${EnvironmentName}-????????????-stage-to-analytics",
    ]  # fmt: skip
    assert allowed["FailureAlerts"] == {"Sid": "FailureAlerts", "Effect": "Allow", "Action": "sns:Publish",
                                        "Resource": {"Ref": "AlertTopic"}}  # fmt: skip
    topic = template["Resources"]["AlertTopic"]["Properties"]
    assert topic["TopicName"] == {"Ref": "AlertTopicName"} and topic["KmsMasterKeyId"] == "alias/aws/sns"


def test_the_warehouse_has_an_rpu_cap_and_a_copy_role_named_for_the_release():
    template = load("warehouse")
    (workgroup,) = resources(template, "AWS::RedshiftServerless::Workgroup").values()
    assert workgroup["Properties"]["MaxCapacity"] == {"Ref": "MaxCapacity"}
    assert workgroup["Properties"]["PubliclyAccessible"] is False
    assert template["Resources"]["CopyRole"]["Properties"]["RoleName"] == {"Ref": "CopyRoleName"}


def test_subnets_take_the_zones_the_environment_names_by_id_not_by_index():
    template = load("network")
    assert template["Parameters"]["AvailabilityZones"]["Type"] == "List<AWS::EC2::AvailabilityZone::Name>"
    subnets = resources(template, "AWS::EC2::Subnet")
    assert "GetAZs" not in str(subnets)
    assert [s["Properties"]["AvailabilityZone"] for k, s in sorted(subnets.items()) if k.startswith("Private")] == [
        {"Fn::Select": [i, {"Ref": "AvailabilityZones"}]} for i in range(3)
    ]


def test_the_grants_give_public_nothing_and_writes_only_to_the_pipeline_role():
    sqls = statements((REPO / "deploy" / "redshift" / "grants.sql").read_text())
    public = [s for s in sqls if "PUBLIC" in s]
    assert public and all(s.startswith("REVOKE") for s in public)
    writes = [s for s in sqls if "INSERT" in s]
    assert writes and all(s.endswith("TO ROLE flightlake_pipeline") for s in writes)


def test_ci_federates_github_per_environment_with_no_long_lived_keys():
    template = load("ci")
    assert not resources(template, "AWS::IAM::AccessKey") and not resources(template, "AWS::IAM::User")
    subjects = {
        logical: role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"][
            "token.actions.githubusercontent.com:sub"
        ]["Fn::Sub"]
        for logical, role in resources(template, "AWS::IAM::Role").items()
    }
    assert subjects == {
        "PlanRole": "repo:${Repository}:pull_request",
        "DevDeployRole": "repo:${Repository}:environment:dev",
        "ProdPromoteRole": "repo:${Repository}:environment:prod",  # the protected environment: an approval
    }


def test_template_resources_lists_logical_ids_and_types_in_order():
    found = template_resources((REPO / "deploy" / "cloudformation" / "warehouse.yaml").read_text())
    assert found == [
        ("CopyRole", "AWS::IAM::Role"),
        ("Namespace", "AWS::RedshiftServerless::Namespace"),
        ("Workgroup", "AWS::RedshiftServerless::Workgroup"),
    ]
