"""The requests a deploy makes to services the emulator cannot answer the way AWS does, checked
with botocore's Stubber (every call must match the queued one exactly, and the model): the Data
API (roles, failures), CloudFormation's "no changes" change sets, Glue's UpdateJob, taken bucket
names."""

from __future__ import annotations

import io
import json

import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from flightlake.deploy import glue_jobs, preflight, redshift_ddl
from flightlake.deploy.cloudformation import DeployedStack, StackRequest, plan_stack
from flightlake.deploy.environments import load_environment
from flightlake.deploy.names import Names
from flightlake.deploy.plan import APPLY, NONE, UPDATE
from flightlake.deploy.warehouse import WarehouseFacts
from flightlake.lake.aws import client
from flightlake.settings import load_settings
from tests.conftest import REPO
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


def test_a_failed_ddl_batch_names_the_statement_and_records_nothing(stub):
    data_api, data_stub = stub("redshift-data")
    s3, _ = stub("s3")  # nothing queued: writing the state object would fail the test
    sqls = ["CREATE SCHEMA IF NOT EXISTS dw", "GRANT USAGE ON SCHEMA dw TO ROLE flightlake_pipeline"]
    for role in redshift_ddl.ROLES:
        data_stub.add_response(
            "execute_statement",
            {"Id": f"r-{role}"},
            {"WorkgroupName": "flightlake-wg", "Database": "dev", "SecretArn": "arn:s", "Sql": f"CREATE ROLE {role}",
             "StatementName": "flightlake-deploy-ddl"},
        )  # fmt: skip
        data_stub.add_response("describe_statement", {"Id": f"r-{role}", "Status": "FINISHED"}, {"Id": f"r-{role}"})
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
    with pytest.raises(
        redshift_ddl.DdlError, match="failed in: GRANT USAGE ON SCHEMA dw TO ROLE flightlake_pipeline: perm"
    ):
        redshift_ddl.apply_ddl(data_api, s3, "art", FACTS, "dev", sqls, FAST, lambda s: None)


@pytest.mark.parametrize(
    ("namespace", "digest_of", "change", "reason"),
    [
        ("ns-1", ["A", "B"], NONE, "applied (sha256"),
        ("ns-0", ["A", "B"], APPLY, "namespace replaced (ns-0 -> ns-1)"),
        ("ns-1", ["A"], APPLY, "the release's DDL changed"),
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


def expect_change_set(cfn_stub: Stubber, deployed_body: str = "Resources: {}\n") -> None:
    cfn_stub.add_response(
        "get_template", {"TemplateBody": deployed_body}, {"StackName": "f-glue", "TemplateStage": "Original"}
    )
    cfn_stub.add_response(
        "create_change_set",
        {"Id": "arn:cs", "StackId": DEPLOYED.stack_id},
        {"StackName": "f-glue", "ChangeSetName": ANY, "ChangeSetType": "UPDATE", "TemplateBody": REQUEST.body,
         "Parameters": [{"ParameterKey": "WheelKey", "ParameterValue": "glue/new.whl"}],
         "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
         "Tags": [{"Key": "flightlake:deployment", "Value": "f"}]},
    )  # fmt: skip


def test_a_change_set_aws_finds_empty_plans_nothing_and_is_deleted(stub):
    cfn, cfn_stub = stub("cloudformation")
    expect_change_set(cfn_stub, "# an older comment\nResources: {}\n")
    no_changes = {"Status": "FAILED", "StatusReason": "The submitted information didn't contain changes."}
    cfn_stub.add_response("describe_change_set", no_changes, {"ChangeSetName": "arn:cs"})  # the waiter
    cfn_stub.add_response("describe_change_set", no_changes, {"ChangeSetName": "arn:cs"})
    cfn_stub.add_response("delete_change_set", {}, {"ChangeSetName": "arn:cs", "StackName": "f-glue"})
    same_parameters = DeployedStack(**{**DEPLOYED.__dict__, "parameters": {"WheelKey": "glue/new.whl"}})
    action = plan_stack(cfn, REQUEST, same_parameters)
    assert (action.change, action.reason) == (NONE, "CloudFormation finds nothing to change")
    assert action.details == ("template text differs from the deployed one",)


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


def test_a_role_that_cannot_be_created_stops_the_ddl(stub):
    data_api, data_stub = stub("redshift-data")
    data_stub.add_response("execute_statement", {"Id": "r-1"}, None)
    data_stub.add_response("describe_statement", {"Id": "r-1", "Status": "FAILED", "Error": "permission denied"}, None)
    with pytest.raises(redshift_ddl.DdlError, match="CREATE ROLE flightlake_pipeline failed: permission denied"):
        redshift_ddl.apply_ddl(data_api, None, "art", FACTS, "dev", ["SELECT 1"], FAST, lambda s: None)


def test_bucket_names_taken_by_anyone_fail_the_plan_naming_the_file_to_change(stub):
    s3, s3_stub = stub("s3")
    buckets = {zone: f"acme-dev-{zone}" for zone in ("raw", "stage", "analytics", "reports")}
    s3_stub.add_client_error("head_bucket", "403", http_status_code=403, expected_params={"Bucket": "acme-dev-raw"})
    for zone in ("stage", "analytics", "reports"):
        s3_stub.add_client_error("head_bucket", "404", http_status_code=404, expected_params={"Bucket": buckets[zone]})
    with pytest.raises(
        preflight.BucketNameTaken, match=r"raw bucket acme-dev-raw belongs to another account.*dev\.toml"
    ):
        preflight.check_new_buckets(s3, buckets, "deploy/environments/dev.toml")


def test_a_changed_environment_file_updates_the_release_jobs_in_place(stub):
    glue, glue_stub = stub("glue")
    names = Names(load_environment(REPO, "dev"))
    wanted = glue_jobs.definition(names, "v-1", "0123456789ab", "glue/w.whl", "raw_to_stage", "arn:role", "sec")
    existing = {**{k: v for k, v in wanted.items() if k != "Tags"}, "NumberOfWorkers": 8}
    glue_stub.add_response("get_job", {"Job": existing}, {"JobName": wanted["Name"]})
    update = {k: v for k, v in wanted.items() if k not in ("Name", "Tags")}
    glue_stub.add_response("update_job", {"JobName": wanted["Name"]}, {"JobName": wanted["Name"], "JobUpdate": update})
    assert glue_jobs.apply_jobs(glue, [wanted]) == [(wanted["Name"], "update")]
    assert wanted["ExecutionProperty"] == {"MaxConcurrentRuns": 1} and wanted["MaxRetries"] == 0
    assert wanted["DefaultArguments"]["--FLIGHTLAKE_REGION"] == "us-east-1"
