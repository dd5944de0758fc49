"""The CloudFormation templates: cfn-lint clean, and in agreement with the deploy code and the
settings (paths MWAA reads, scripts Glue runs, parameters the deploy passes, job arguments)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint, lint_file
from cfnlint.decode import decode_str

from flightlake.deploy import names
from flightlake.deploy.cloudformation import MAX_TEMPLATE_BYTES, template_resources
from flightlake.deploy.plan import Pending
from flightlake.deploy.runtime_env import glue_job_environment
from flightlake.deploy.stacks import STACKS, StackInputs
from flightlake.settings import load_settings
from tests.conftest import REPO

TEMPLATES = sorted((REPO / "deploy" / "cloudformation").glob("*.yaml"))
# Every output a later stack reads, so parameters can be computed for every stack.
FAKE_OUTPUTS = {
    "storage": {"ArtifactsBucketName": "airflow-t-123456789012-us-east-1", "AccessLogsBucketName": "t-logs"},
    "network": {
        "PrivateSubnetIds": "subnet-01234567,subnet-12345678,subnet-23456789",
        "MwaaSubnetIds": "subnet-01234567,subnet-12345678",
        "MwaaSecurityGroupId": "sg-01234567",
        "RedshiftSecurityGroupId": "sg-12345678",
    },
    "warehouse": {"CopyRoleArn": "arn:aws:iam::123456789012:role/t-warehouse-CopyRole-ABC"},
}


def load(path: Path) -> dict[str, Any]:
    template, problems = decode_str(path.read_text())
    assert not problems, problems
    return template


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_there_is_one_template_per_stack():
    assert [p.stem for p in TEMPLATES] == sorted(names.STACK_KEYS)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_cfn_lint_finds_nothing(path):
    matches = lint_file(path)
    assert [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches] == []
    assert len(path.read_bytes()) < MAX_TEMPLATE_BYTES


def test_cfn_lint_would_catch_a_broken_glue_job():
    text = (REPO / "deploy" / "cloudformation" / "glue.yaml").read_text()
    broken = text.replace("WorkerType: !Ref", "WorkerTyp: !Ref")
    assert broken != text
    assert any(m.rule.id.startswith("E") for m in lint(broken, regions=["us-east-1"]))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_every_checkov_skip_says_why(path):
    skips = [
        skip
        for resource in load(path)["Resources"].values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert all(len(skip.get("comment", "")) > 20 for skip in skips), skips


@pytest.mark.parametrize("key", names.STACK_KEYS)
def test_the_deploy_passes_exactly_the_parameters_each_template_declares(key):
    settings = load_settings({"FLIGHTLAKE_RAW_PREFIX": "v1", "FLIGHTLAKE_REDSHIFT_WORKGROUP": "flightlake-wg"})
    inputs = StackInputs(settings, "ftest", FAKE_OUTPUTS, "glue/flightlake-0.1.0-py3-none-any.whl", "arn:aws:x")
    passed = STACKS[key].parameters(inputs)
    declared = load(STACKS[key].template(REPO))["Parameters"]
    required = {name for name, spec in declared.items() if "Default" not in spec}
    assert required <= set(passed) <= set(declared)
    assert not [v for v in passed.values() if isinstance(v, Pending)]


def test_parameters_of_a_stack_whose_inputs_do_not_exist_yet_are_pending():
    inputs = StackInputs(load_settings({}), "ftest", {}, "glue/w.whl", Pending("warehouse workgroup ARN"))
    airflow = STACKS["airflow"].parameters(inputs)
    assert str(airflow["SubnetIds"]) == "(known after apply: network stack output MwaaSubnetIds)"
    assert isinstance(airflow["WorkgroupArn"], Pending)
    assert airflow["RawBucketName"] == "flightlake-raw"  # settings are always known


def test_buckets_are_encrypted_private_tls_only_and_versioned():
    template = load(REPO / "deploy" / "cloudformation" / "storage.yaml")
    buckets = resources(template, "AWS::S3::Bucket")
    assert len(buckets) == 6
    policies = {v["Properties"]["Bucket"]["Ref"]: v for v in resources(template, "AWS::S3::BucketPolicy").values()}
    for name, bucket in buckets.items():
        properties = bucket["Properties"]
        assert properties["VersioningConfiguration"] == {"Status": "Enabled"}, name
        assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}, name
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"], name
        statements = policies[name]["Properties"]["PolicyDocument"]["Statement"]
        assert {"Sid": "DenyInsecureTransport", "Effect": "Deny"}.items() <= statements[0].items(), name
        assert statements[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}, name
    artifacts = buckets["ArtifactsBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    assert artifacts.startswith("airflow-")  # MWAA's console and managed policies expect it


def test_mwaa_reads_the_keys_the_deploy_writes_and_leaves_versions_to_it():
    template = load(REPO / "deploy" / "cloudformation" / "airflow.yaml")
    (environment,) = resources(template, "AWS::MWAA::Environment").values()
    properties = environment["Properties"]
    assert properties["DagS3Path"] + "/" == names.DAGS_PREFIX
    assert properties["PluginsS3Path"] == names.PLUGINS_KEY
    assert properties["RequirementsS3Path"] == names.REQUIREMENTS_KEY
    assert properties["StartupScriptS3Path"] == names.STARTUP_KEY
    assert not [p for p in properties if p.endswith("ObjectVersion")]
    assert template["Parameters"]["AirflowVersion"]["Default"] == names.AIRFLOW_VERSION
    assert template["Parameters"]["EnvironmentClass"]["Default"] == "mw1.micro"


def test_glue_runs_the_checkout_scripts_with_the_settings_as_arguments():
    template = load(REPO / "deploy" / "cloudformation" / "glue.yaml")
    jobs = resources(template, "AWS::Glue::Job")
    settings = load_settings({f"FLIGHTLAKE_{z}_PREFIX": "p" for z in ("RAW", "STAGE", "ANALYTICS", "REPORTS")})
    for script in ("raw_to_stage", "stage_to_analytics"):
        (job,) = [
            j["Properties"] for j in jobs.values() if script in j["Properties"]["Command"]["ScriptLocation"]["Fn::Sub"]
        ]
        assert job["Command"]["ScriptLocation"]["Fn::Sub"] == f"s3://${{ArtifactsBucketName}}/spark_jobs/{script}.py"
        assert (REPO / "spark_jobs" / f"{script}.py").is_file()
        assert job["Name"]["Fn::Sub"].replace("${GlueJobPrefix}", "x") == load_settings(
            {"FLIGHTLAKE_GLUE_JOB_PREFIX": "x"}
        ).glue_job_name(script)
        assert job["GlueVersion"] == "5.0" and job["Command"]["Name"] == "glueetl"
        arguments = job["DefaultArguments"]
        assert {k[2:] for k in arguments if k.startswith("--FLIGHTLAKE_")} == set(glue_job_environment(settings))
        assert arguments["--additional-python-modules"] == {"Fn::Sub": "s3://${ArtifactsBucketName}/${WheelKey}"}
        assert job["SecurityConfiguration"] == {"Ref": "SecurityConfiguration"}


def test_template_resources_lists_logical_ids_and_types_in_order():
    found = template_resources((REPO / "deploy" / "cloudformation" / "warehouse.yaml").read_text())
    assert found == [
        ("CopyRole", "AWS::IAM::Role"),
        ("Namespace", "AWS::RedshiftServerless::Namespace"),
        ("Workgroup", "AWS::RedshiftServerless::Workgroup"),
    ]
