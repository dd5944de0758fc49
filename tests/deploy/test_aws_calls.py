"""The requests a deploy makes to services the emulator cannot answer the way AWS does, checked
with botocore's Stubber (every call must match the queued one exactly, and the model): MWAA
updates, Data API failures, CloudFormation's "no changes" change sets, taken bucket names."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from flightlake.deploy import mwaa, preflight, redshift_ddl
from flightlake.deploy.cloudformation import DeployedStack, StackRequest, plan_stack
from flightlake.deploy.plan import APPLY, NONE, UPDATE
from flightlake.deploy.warehouse import WarehouseFacts
from flightlake.lake.aws import client
from flightlake.settings import load_settings
from tests.deploy.conftest import FAST

SETTINGS = load_settings({"AWS_REGION": "us-east-1"})
WG_ARN = "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/x"
FACTS = WarehouseFacts("flightlake-wg", WG_ARN, "flightlake-wg", "ns-1", "arn:s")


@pytest.fixture
def stub():
    """stub(service) -> (client, stubber); every stubber must have been used up."""
    made: list[Stubber] = []

    def make(service: str):
        api = client(service, SETTINGS)
        stubber = Stubber(api)
        stubber.activate()
        made.append(stubber)
        return api, stubber

    yield make
    for stubber in made:
        stubber.assert_no_pending_responses()
        stubber.deactivate()


def environment(status: str = "AVAILABLE", last: str = "SUCCESS", **versions: str) -> dict:
    env = {
        "Name": "flightlake",
        "Status": status,
        "PluginsS3Path": "plugins.zip",
        "RequirementsS3Path": "requirements.txt",
        "StartupScriptS3Path": "startup.sh",
        "LastUpdate": {"Status": last, "CreatedAt": datetime.now(UTC)},
    }
    env.update({f"{field}S3ObjectVersion": version for field, version in versions.items()})
    return {"Environment": env}


def test_mwaa_gets_exactly_the_versions_that_changed_and_the_deploy_waits_for_it(stub):
    api, mwaa_stub = stub("mwaa")
    s3, s3_stub = stub("s3")
    running = {"Plugins": "vP1", "Requirements": "vR1", "StartupScript": "vS1"}
    mwaa_stub.add_response("get_environment", environment(**running), {"Name": "flightlake"})
    # requirements.txt is what the environment runs; startup.sh has a newer version in the bucket
    s3_stub.add_response("head_object", {"VersionId": "vR1"}, {"Bucket": "art", "Key": "requirements.txt"})
    s3_stub.add_response("head_object", {"VersionId": "vS2"}, {"Bucket": "art", "Key": "startup.sh"})
    s3_stub.add_response("head_object", {"VersionId": "vS2"}, {"Bucket": "art", "Key": "startup.sh"})
    expected = {
        "Name": "flightlake",
        "PluginsS3Path": "plugins.zip",
        "PluginsS3ObjectVersion": "vP2",
        "StartupScriptS3Path": "startup.sh",
        "StartupScriptS3ObjectVersion": "vS2",
    }
    mwaa_stub.add_response("update_environment", {"Arn": "arn:aws:airflow:us-east-1:1:environment/f"}, expected)
    mwaa_stub.add_response("get_environment", environment("UPDATING", "PENDING"), {"Name": "flightlake"})
    mwaa_stub.add_response("get_environment", environment(), {"Name": "flightlake"})
    slept: list[float] = []
    sent = mwaa.apply_environment(api, s3, "flightlake", "art", {"plugins.zip": "vP2"}, FAST, slept.append)
    assert sent == expected
    assert slept == [0]  # polled once while UPDATING


def test_a_failed_mwaa_update_reports_mwaas_reason(stub):
    api, mwaa_stub = stub("mwaa")
    s3, s3_stub = stub("s3")
    mwaa_stub.add_response("get_environment", environment(Plugins="v1"), {"Name": "flightlake"})
    s3_stub.add_response("head_object", {}, {"Bucket": "art", "Key": "requirements.txt"})
    s3_stub.add_response("head_object", {}, {"Bucket": "art", "Key": "startup.sh"})
    request = {"Name": "flightlake", "PluginsS3Path": "plugins.zip", "PluginsS3ObjectVersion": "v2"}
    mwaa_stub.add_response("update_environment", {"Arn": "arn:x"}, request)
    failed = environment("UPDATE_FAILED", "FAILED")
    failed["Environment"]["LastUpdate"]["Error"] = {
        "ErrorCode": "INCORRECT_CONFIGURATION",
        "ErrorMessage": "pip failed",
    }
    mwaa_stub.add_response("get_environment", failed, {"Name": "flightlake"})
    with pytest.raises(mwaa.MwaaUpdateError, match="INCORRECT_CONFIGURATION pip failed"):
        mwaa.apply_environment(api, s3, "flightlake", "art", {"plugins.zip": "v2"}, FAST, lambda s: None)


def test_a_busy_environment_stops_the_plan(stub):
    api, mwaa_stub = stub("mwaa")
    s3, _ = stub("s3")
    mwaa_stub.add_response("get_environment", environment("UPDATING"), {"Name": "flightlake"})
    with pytest.raises(mwaa.MwaaUpdateError, match="is UPDATING; deploy again"):
        mwaa.plan_environment(api, s3, "flightlake", "art", True, {"plugins.zip"})


def test_a_failed_ddl_batch_names_the_statement_and_records_nothing(stub):
    data_api, data_stub = stub("redshift-data")
    s3, _ = stub("s3")  # nothing queued: writing the state object would fail the test
    sqls = ["CREATE SCHEMA IF NOT EXISTS dw", "GRANT USAGE ON SCHEMA dw TO PUBLIC"]
    data_stub.add_response(
        "batch_execute_statement",
        {"Id": "s-1"},
        {"WorkgroupName": "flightlake-wg", "Database": "dev", "SecretArn": "arn:s", "Sqls": sqls,
         "StatementName": "flightlake-deploy-ddl"},
    )  # fmt: skip
    data_stub.add_response(
        "describe_statement",
        {"Id": "s-1", "Status": "FAILED", "Error": "permission denied for schema dw",
         "SubStatements": [{"Id": "s-1:1", "Status": "FINISHED", "QueryString": sqls[0]},
                           {"Id": "s-1:2", "Status": "FAILED", "QueryString": sqls[1]}]},
        {"Id": "s-1"},
    )  # fmt: skip
    with pytest.raises(redshift_ddl.DdlError, match="failed in: GRANT USAGE ON SCHEMA dw TO PUBLIC: permission denied"):
        redshift_ddl.apply_ddl(data_api, s3, "art", FACTS, "dev", sqls, FAST, lambda s: None)


@pytest.mark.parametrize(
    ("namespace", "digest_of", "change", "reason"),
    [
        ("ns-1", ["A", "B"], NONE, "applied (sha256"),
        ("ns-0", ["A", "B"], APPLY, "namespace replaced (ns-0 -> ns-1)"),
        ("ns-1", ["A"], APPLY, "postgres_init/ or grants changed"),
    ],
)
def test_the_ddl_is_applied_again_only_when_the_sql_or_the_namespace_changed(
    stub, namespace, digest_of, change, reason
):
    s3, s3_stub = stub("s3")
    state = json.dumps({"ddl_sha256": redshift_ddl.ddl_digest(digest_of), "namespace_id": namespace}).encode()
    s3_stub.add_response(
        "head_object", {"ContentLength": len(state)}, {"Bucket": "art", "Key": "state/redshift-ddl.json"}
    )
    s3_stub.add_response(
        "get_object",
        {"Body": StreamingBody(io.BytesIO(state), len(state))},
        {"Bucket": "art", "Key": "state/redshift-ddl.json"},
    )
    action = redshift_ddl.plan_ddl(s3, "art", FACTS, "flightlake-wg", "dev", ["A", "B"])
    assert (action.change, action.target) == (change, "redshift-serverless://flightlake-wg/dev")
    assert action.reason.startswith(reason)


REQUEST = StackRequest("f-glue", "Resources: {}\n", {"WheelKey": "glue/new.whl"}, "f")
DEPLOYED = DeployedStack("f-glue", "arn:aws:cloudformation:us-east-1:1:stack/f-glue/1", "UPDATE_COMPLETE",
                         {"WheelKey": "glue/old.whl"}, {})  # fmt: skip


def expect_change_set(cfn_stub: Stubber) -> None:
    cfn_stub.add_response(
        "get_template", {"TemplateBody": "Resources: {}\n"}, {"StackName": "f-glue", "TemplateStage": "Original"}
    )
    cfn_stub.add_response(
        "create_change_set",
        {"Id": "arn:cs", "StackId": DEPLOYED.stack_id},
        {"StackName": "f-glue", "ChangeSetName": ANY, "ChangeSetType": "UPDATE", "TemplateBody": REQUEST.body,
         "Parameters": [{"ParameterKey": "WheelKey", "ParameterValue": "glue/new.whl"}],
         "Capabilities": ["CAPABILITY_IAM"], "Tags": [{"Key": "flightlake:deployment", "Value": "f"}]},
    )  # fmt: skip


def test_a_change_set_aws_finds_empty_plans_nothing_and_is_deleted(stub):
    cfn, cfn_stub = stub("cloudformation")
    expect_change_set(cfn_stub)
    no_changes = {"Status": "FAILED", "StatusReason": "The submitted information didn't contain changes."}
    cfn_stub.add_response("describe_change_set", no_changes, {"ChangeSetName": "arn:cs"})  # the waiter
    cfn_stub.add_response("describe_change_set", no_changes, {"ChangeSetName": "arn:cs"})
    cfn_stub.add_response("delete_change_set", {}, {"ChangeSetName": "arn:cs", "StackName": "f-glue"})
    action = plan_stack(cfn, REQUEST, DEPLOYED)
    assert (action.change, action.reason) == (NONE, "CloudFormation finds nothing to change")
    assert action.details == ("parameter WheelKey: glue/old.whl -> glue/new.whl",)


def test_a_change_set_lists_resource_changes_and_replacements_and_is_deleted(stub):
    cfn, cfn_stub = stub("cloudformation")
    expect_change_set(cfn_stub)
    resource = {"LogicalResourceId": "RawToStageJob", "ResourceType": "AWS::Glue::Job", "Replacement": "True"}
    change = {"Type": "Resource", "ResourceChange": {"Action": "Modify", **resource}}
    described = {"Status": "CREATE_COMPLETE", "Changes": [change]}
    cfn_stub.add_response("describe_change_set", described, {"ChangeSetName": "arn:cs"})
    cfn_stub.add_response("describe_change_set", described, {"ChangeSetName": "arn:cs"})
    cfn_stub.add_response("delete_change_set", {}, {"ChangeSetName": "arn:cs", "StackName": "f-glue"})
    action = plan_stack(cfn, REQUEST, DEPLOYED)
    assert (action.change, action.reason) == (UPDATE, "1 resource change(s)")
    assert action.details[0] == "~ Modify AWS::Glue::Job RawToStageJob (replacement: True)"


def test_bucket_names_taken_by_anyone_fail_the_plan_with_the_setting_to_change(stub):
    s3, s3_stub = stub("s3")
    s3_stub.add_client_error("head_bucket", "403", http_status_code=403, expected_params={"Bucket": "flightlake-raw"})
    for zone in ("stage", "analytics", "reports"):
        s3_stub.add_client_error(
            "head_bucket", "404", http_status_code=404, expected_params={"Bucket": f"flightlake-{zone}"}
        )
    with pytest.raises(
        preflight.BucketNameTaken, match="FLIGHTLAKE_RAW_BUCKET=flightlake-raw belongs to another account"
    ):
        preflight.check_new_buckets(s3, SETTINGS)
