"""`flightlake deploy` against the embedded emulator (moto's server): what it can really run.

Real here: S3 (uploads, metadata, versions), CloudFormation for the resource types moto
implements (S3 buckets, IAM roles, the VPC, subnets, NAT, security groups, flow logs, the KMS
key), change sets, IAM, the Glue API. Not real: moto has no MWAA and no Redshift Serverless,
and only canned Data API answers, so those calls go to botocore's Stubber, which checks every
request against the exact parameters expected and the service model. moto's CloudFormation also
skips resource types it lacks (Glue jobs and databases, bucket policies, MWAA, Redshift
Serverless); the Glue definitions are checked by resolving the deployed template and sending
them to moto's Glue API (see cfn_render).

The tests share one deployment and run in file order: first apply, no-op, a changed DAG, a
removed DAG, a settings change planned, a new wheel that updates MWAA.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flightlake.deploy import names
from flightlake.deploy.clients import Clients
from flightlake.deploy.orchestrate import Deployment
from flightlake.deploy.plan import APPLY, CREATE, DDL, MWAA, NONE, OBJECT, STACK, UPDATE, UPLOAD
from flightlake.deploy.runtime_env import glue_job_environment
from flightlake.lake.aws import list_keys
from flightlake.settings import ZONES, Settings, load_settings
from flightlake.warehouse.sql_files import statements
from tests.conftest import REPO
from tests.deploy.cfn_render import Renderer
from tests.deploy.conftest import FAST, Captured, Stubs, cached_client, copy_project, wheel_builder

pytestmark = pytest.mark.integration

NAME = "dtest"
ACCOUNT = "123456789012"  # moto's account
WORKGROUP_ARN = f"arn:aws:redshift-serverless:us-east-1:{ACCOUNT}:workgroup/0f1e2d3c-4b5a-4c6d-8e7f-901234567890"
NAMESPACE_ID = "6b2c1a0e-1111-4222-8333-444455556666"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:redshift!{NAME}-admin-AbCdEf"


# --- helpers --------------------------------------------------------------------------------------
def deploy_settings(name: str, **extra: str) -> Settings:
    """The embedded stack's environment, with this deployment's own bucket and database names."""
    env = dict(os.environ)
    env.update({f"FLIGHTLAKE_{zone.upper()}_BUCKET": f"{name}-lake-{zone}" for zone in ZONES})
    env.update({f"FLIGHTLAKE_GLUE_DB_{zone.upper()}": f"{name}_{zone}" for zone in ("raw", "stage", "analytics")})
    env["FLIGHTLAKE_GLUE_JOB_PREFIX"] = name
    env.update(extra)
    return load_settings(env)


def make_deployment(name: str, settings: Settings, project: Path, stubs: Stubs, wheel: Path) -> Deployment:
    return Deployment(
        name,
        settings,
        project,
        Clients(settings, stubs.clients),
        wheel_builder=wheel_builder(wheel),
        timing=FAST,
        sleep=lambda seconds: None,
    )


def expected_sqls(project: Path) -> list[str]:
    files = [*sorted((project / "postgres_init").glob("*.sql")), project / "deploy" / "redshift" / "grants.sql"]
    return [sql for path in files for sql in statements(path.read_text())]


def expect_facts(stubs: Stubs, workgroup: str = NAME) -> None:
    stubs["redshift-serverless"].add_response(
        "get_workgroup",
        {"workgroup": {"workgroupName": workgroup, "workgroupArn": WORKGROUP_ARN, "namespaceName": workgroup}},
        {"workgroupName": workgroup},
    )
    stubs["redshift-serverless"].add_response(
        "get_namespace",
        {"namespace": {"namespaceName": workgroup, "namespaceId": NAMESPACE_ID, "adminPasswordSecretArn": SECRET_ARN}},
        {"namespaceName": workgroup},
    )


def expect_environment(stubs: Stubs, versions: dict[str, str] | None = None, status: str = "AVAILABLE") -> None:
    environment: dict[str, Any] = {
        "Name": NAME,
        "Status": status,
        "PluginsS3Path": names.PLUGINS_KEY,
        "RequirementsS3Path": names.REQUIREMENTS_KEY,
        "StartupScriptS3Path": names.STARTUP_KEY,
        "LastUpdate": {"Status": "SUCCESS", "CreatedAt": datetime.now(UTC)},
    }
    for field, version in (versions or {}).items():
        environment[f"{field}S3ObjectVersion"] = version
    stubs["mwaa"].add_response("get_environment", {"Environment": environment}, {"Name": NAME})


def emulator_state(settings: Settings) -> dict[str, Any]:
    """Everything a deploy could have touched, in a comparable form."""
    s3, cfn, iam, glue, ec2 = (cached_client(s, settings) for s in ("s3", "cloudformation", "iam", "glue", "ec2"))
    buckets = sorted(b["Name"] for b in s3.list_buckets().get("Buckets", []))
    stacks = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
    names_ = [s["StackName"] for s in stacks]
    return {
        "objects": {
            b: sorted((o["Key"], o["ETag"], str(o["LastModified"])) for o in list_keys(s3, b, "")) for b in buckets
        },
        "stacks": sorted((s["StackName"], s["StackStatus"], str(s.get("LastUpdatedTime"))) for s in stacks),
        "change_sets": {
            n: sorted(c["ChangeSetId"] for c in cfn.list_change_sets(StackName=n)["Summaries"]) for n in names_
        },
        "parameters": {
            s["StackName"]: cfn.describe_stacks(StackName=s["StackName"])["Stacks"][0].get("Parameters") for s in stacks
        },
        "roles": sorted(r["RoleName"] for r in iam.list_roles()["Roles"]),
        "vpcs": sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]),
        "glue_databases": sorted(d["Name"] for d in glue.get_databases()["DatabaseList"]),
    }


def local_files(project: Path) -> dict[str, Path]:
    """The checkout's DAG and Spark files by object key (what must land byte for byte)."""
    return {
        path.relative_to(project).as_posix(): path
        for directory in ("dags", "spark_jobs")
        for path in sorted((project / directory).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def object_body(settings: Settings, bucket: str, key: str) -> bytes:
    return cached_client("s3", settings).get_object(Bucket=bucket, Key=key)["Body"].read()


def changes(plan: Any) -> list[tuple[str, str, str]]:
    return [(a.kind, a.change, a.target) for a in plan.changes]


# --- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(embedded_stack, built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The deployment after its first --apply, and what that apply reported."""
    settings = deploy_settings(NAME)
    project = copy_project(tmp_path_factory.mktemp("deploy") / "checkout")
    stubs = Stubs(settings)
    # The warehouse stack is created by this apply; then the workgroup is looked up once and the
    # DDL batch runs as the namespace admin, exactly once. MWAA is not called: its environment
    # was just created from the uploaded objects.
    expect_facts(stubs)
    sqls = expected_sqls(project)
    stubs["redshift-data"].add_response(
        "batch_execute_statement",
        {"Id": "ddl-0001", "WorkgroupName": NAME, "Database": "dev", "CreatedAt": datetime.now(UTC)},
        {
            "WorkgroupName": NAME,
            "Database": "dev",
            "SecretArn": SECRET_ARN,
            "Sqls": sqls,
            "StatementName": "flightlake-deploy-ddl",
        },
    )
    for status in ("STARTED", "FINISHED"):
        stubs["redshift-data"].add_response(
            "describe_statement", {"Id": "ddl-0001", "Status": status}, {"Id": "ddl-0001"}
        )
    with make_deployment(NAME, settings, project, stubs, built_wheel) as deployment:
        summary = deployment.apply()
    stubs.assert_all_used()
    stubs.close()
    outputs = {key: deployment.stack(key).outputs for key in names.STACK_KEYS}
    return {"settings": settings, "project": project, "summary": summary, "sqls": sqls, "outputs": outputs}


# --- tests ----------------------------------------------------------------------------------------
def test_plan_on_an_empty_account_lists_everything_and_changes_nothing(embedded_stack, built_wheel, tmp_path):
    settings = deploy_settings("dfresh")
    project = copy_project(tmp_path / "checkout")
    stubs = Stubs(settings)  # nothing queued: any MWAA or Redshift call would fail the test
    before = emulator_state(settings)
    with make_deployment("dfresh", settings, project, stubs, built_wheel) as deployment:
        plan = deployment.plan()
    assert emulator_state(settings) == before
    stubs.assert_all_used()
    stacks = plan.of_kind(STACK)
    assert [(a.target, a.change) for a in stacks] == [(f"dfresh-{k}", CREATE) for k in names.STACK_KEYS]
    glue_stack = next(a for a in stacks if a.target == "dfresh-glue")
    assert "+ Add AWS::Glue::Job RawToStageJob" in glue_stack.details
    local = set(local_files(project))
    assert {"dags/flights_etl.py", "spark_jobs/raw_to_stage.py", "spark_jobs/stage_to_analytics.py"} <= local
    uploads = {a.target.split("/", 3)[3] for a in plan.of_kind(OBJECT) if a.change == UPLOAD}
    assert uploads == local | {"glue/" + built_wheel.name, "plugins.zip", "requirements.txt", "startup.sh"}
    assert [(a.kind, a.change) for a in plan.of_kind(DDL)] == [(DDL, APPLY)]
    assert [(a.kind, a.change) for a in plan.of_kind(MWAA)] == [(MWAA, NONE)]


def test_first_apply_creates_the_stacks_and_uploads_the_checkout_byte_for_byte(world, built_wheel):
    settings, project, summary = world["settings"], world["project"], world["summary"]
    executed = [(e.kind, e.change) for e in summary.executed]
    assert executed.count((STACK, CREATE)) == 5
    assert ("ddl", APPLY) in executed and not any(kind == "mwaa" for kind, _ in executed)
    cfn = cached_client("cloudformation", settings)
    for key in names.STACK_KEYS:
        assert cfn.describe_stacks(StackName=f"{NAME}-{key}")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"

    outputs = world["outputs"]
    bucket = outputs["storage"]["ArtifactsBucketName"]
    assert bucket == f"airflow-{NAME}-{ACCOUNT}-us-east-1"
    s3 = cached_client("s3", settings)
    existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {settings.zone(z).bucket for z in ZONES} | {bucket, outputs["storage"]["AccessLogsBucketName"]} <= existing

    for key, path in local_files(project).items():
        assert object_body(settings, bucket, key) == path.read_bytes(), key
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["Metadata"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert object_body(settings, bucket, f"glue/{built_wheel.name}") == built_wheel.read_bytes()
    with zipfile.ZipFile(io.BytesIO(object_body(settings, bucket, "plugins.zip"))) as plugins:
        assert plugins.namelist() == [built_wheel.name]
        assert plugins.read(built_wheel.name) == built_wheel.read_bytes()
    requirements = object_body(settings, bucket, "requirements.txt").decode().splitlines()
    assert f"{names.MWAA_PLUGINS_DIR}/{built_wheel.name}" in requirements
    assert f'--constraint "{names.AIRFLOW_CONSTRAINTS_URL}"' in requirements

    # startup.sh carries the COPY role the warehouse stack really created
    copy_role = outputs["warehouse"]["CopyRoleArn"]
    iam = cached_client("iam", settings)
    assert iam.get_role(RoleName=copy_role.rsplit("/", 1)[1])["Role"]["Arn"] == copy_role
    startup = object_body(settings, bucket, "startup.sh").decode()
    assert f"export FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN={copy_role}" in startup.splitlines()
    assert f"export FLIGHTLAKE_RAW_BUCKET={NAME}-lake-raw" in startup.splitlines()

    # the network stack is fully real in moto: VPC, three private subnets in three zones, flow logs
    ec2 = cached_client("ec2", settings)
    subnets = outputs["network"]["PrivateSubnetIds"].split(",")
    described = ec2.describe_subnets(SubnetIds=subnets)["Subnets"]
    assert len({s["AvailabilityZone"] for s in described}) == 3
    vpc = ec2.describe_vpcs(VpcIds=[outputs["network"]["VpcId"]])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.42.0.0/16"
    flow_logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc["VpcId"]]}])["FlowLogs"]
    assert [f["LogDestination"] for f in flow_logs] == [f"arn:aws:s3:::{outputs['storage']['AccessLogsBucketName']}"]

    # the DDL ran once, and its state says which SQL on which namespace
    state = json.loads(object_body(settings, bucket, names.DDL_STATE_KEY))
    assert state["namespace_id"] == NAMESPACE_ID and state["statement_id"] == "ddl-0001"
    assert state["statements"] == len(world["sqls"]) == 8
    assert world["sqls"][0] == "CREATE SCHEMA IF NOT EXISTS dw" and world["sqls"][-1].startswith("ALTER DEFAULT")


def test_glue_jobs_and_databases_defined_by_the_stacks_are_valid_and_point_at_the_uploads(world, built_wheel):
    settings, outputs = world["settings"], world["outputs"]
    cfn, iam, glue = (cached_client(s, settings) for s in ("cloudformation", "iam", "glue"))
    bucket = outputs["storage"]["ArtifactsBucketName"]

    def renderer(key: str) -> Renderer:
        stack = cfn.describe_stacks(StackName=f"{NAME}-{key}")["Stacks"][0]
        physical = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in cfn.describe_stack_resources(StackName=f"{NAME}-{key}")["StackResources"]
            if "LogicalResourceId" in r
        }
        text = (world["project"] / "deploy" / "cloudformation" / f"{key}.yaml").read_text()
        parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
        pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": "us-east-1", "AWS::Partition": "aws"}
        rendered: Renderer

        def ref(logical: str) -> str:
            # a resource moto created has a physical id; one it skipped is named by its Name property
            if logical in physical:
                return physical[logical]
            return rendered.resolve(rendered.template["Resources"][logical]["Properties"]["Name"])

        def get_att(logical: str, attribute: str) -> str:
            return iam.get_role(RoleName=physical[logical])["Role"][attribute]

        rendered = Renderer(text, parameters, pseudo, ref, get_att)
        return rendered

    for properties in renderer("storage").resources("AWS::Glue::Database").values():
        glue.create_database(CatalogId=properties["CatalogId"], DatabaseInput=properties["DatabaseInput"])
    assert {settings.glue_databases[z] for z in ("raw", "stage", "analytics")} <= {
        d["Name"] for d in glue.get_databases()["DatabaseList"]
    }
    for properties in renderer("glue").resources("AWS::Glue::Job").values():
        glue.create_job(**properties)

    for script in ("raw_to_stage", "stage_to_analytics"):
        job = glue.get_job(JobName=settings.glue_job_name(script))["Job"]
        assert job["GlueVersion"] == "5.0" and job["Command"]["Name"] == "glueetl"
        location = job["Command"]["ScriptLocation"]
        assert location == f"s3://{bucket}/spark_jobs/{script}.py"
        assert (
            object_body(settings, bucket, f"spark_jobs/{script}.py")
            == (world["project"] / "spark_jobs" / f"{script}.py").read_bytes()
        )
        arguments = job["DefaultArguments"]
        assert arguments["--additional-python-modules"] == f"s3://{bucket}/glue/{built_wheel.name}"
        assert arguments["--python-modules-installer-option"] == "--no-deps"
        carried = {k[2:]: v for k, v in arguments.items() if k.startswith("--FLIGHTLAKE_")}
        assert carried == glue_job_environment(settings)  # what MWAA's startup.sh exports too
        assert job["Role"] == outputs["glue"]["JobRoleArn"]


def test_a_second_deploy_plans_nothing_and_uploads_nothing(world, built_wheel):
    settings, project = world["settings"], world["project"]
    stubs = Stubs(settings)
    expect_facts(stubs)
    expect_environment(stubs)
    before = emulator_state(settings)
    with make_deployment(NAME, settings, project, stubs, built_wheel) as deployment:
        summary = deployment.apply()
    assert summary.plan.changes == ()
    assert summary.executed == []
    assert len(summary.plan.actions) >= 5 + 7 + 2
    assert emulator_state(settings) == before
    stubs.assert_all_used()


def test_a_changed_dag_is_the_only_upload(world, built_wheel):
    settings, project = world["settings"], world["project"]
    dag = project / "dags" / "flights_etl.py"
    dag.write_bytes(dag.read_bytes() + b"\n# changed by the deploy test\n")
    bucket = world["outputs"]["storage"]["ArtifactsBucketName"]
    stubs = Stubs(settings)
    expect_facts(stubs)
    expect_environment(stubs)  # plan: the MWAA files did not change
    expect_environment(stubs)  # apply: checked again after the uploads
    with make_deployment(NAME, settings, project, stubs, built_wheel) as deployment:
        summary = deployment.apply()
    assert changes(summary.plan) == [(OBJECT, UPLOAD, f"s3://{bucket}/dags/flights_etl.py")]
    assert [(e.kind, e.change, e.target) for e in summary.executed] == changes(summary.plan)
    assert object_body(settings, bucket, "dags/flights_etl.py") == dag.read_bytes()
    stubs.assert_all_used()


def test_a_removed_dag_file_is_deleted_from_the_bucket(world, built_wheel):
    settings, project = world["settings"], world["project"]
    bucket = world["outputs"]["storage"]["ArtifactsBucketName"]
    extra = project / "dags" / "helpers" / "extra.py"
    extra.parent.mkdir()
    extra.write_text("VALUE = 1\n")
    for step in ("add", "remove"):
        stubs = Stubs(settings)
        expect_facts(stubs)
        expect_environment(stubs)
        expect_environment(stubs)
        with make_deployment(NAME, settings, project, stubs, built_wheel) as deployment:
            summary = deployment.apply()
        stubs.assert_all_used()
        if step == "add":
            assert changes(summary.plan) == [(OBJECT, UPLOAD, f"s3://{bucket}/dags/helpers/extra.py")]
            assert object_body(settings, bucket, "dags/helpers/extra.py") == b"VALUE = 1\n"
            extra.unlink()
        else:
            assert changes(summary.plan) == [(OBJECT, "delete", f"s3://{bucket}/dags/helpers/extra.py")]
            keys = [o["Key"] for o in list_keys(cached_client("s3", settings), bucket, "dags/")]
            assert "dags/helpers/extra.py" not in keys and "dags/flights_etl.py" in keys


def test_plan_of_a_settings_change_describes_it_and_leaves_no_change_set(world, built_wheel):
    settings = deploy_settings(NAME, FLIGHTLAKE_ANALYTICS_PREFIX="v2")
    stubs = Stubs(settings)
    expect_facts(stubs)
    expect_environment(stubs)
    before = emulator_state(settings)
    with make_deployment(NAME, settings, world["project"], stubs, built_wheel) as deployment:
        plan = deployment.plan()
    assert emulator_state(settings) == before  # change sets created to describe the update are gone
    stubs.assert_all_used()
    bucket = world["outputs"]["storage"]["ArtifactsBucketName"]
    assert changes(plan) == [
        (STACK, UPDATE, f"{NAME}-glue"),
        (OBJECT, UPLOAD, f"s3://{bucket}/startup.sh"),
        (MWAA, UPDATE, NAME),
    ]
    glue_update = plan.changes[0]
    assert "parameter AnalyticsPrefix:  -> v2" in glue_update.details
    assert any("startup.sh: new version from this deploy" in d for d in plan.changes[2].details)


def test_a_new_wheel_updates_mwaa_with_the_exact_new_object_versions(world, built_wheel, tmp_path):
    settings, project = world["settings"], world["project"]
    bucket = world["outputs"]["storage"]["ArtifactsBucketName"]
    s3 = cached_client("s3", settings)
    # moto's CloudFormation ignores VersioningConfiguration (the storage template sets it, see
    # test_templates); turn it on as CloudFormation does on AWS, so uploads get versions.
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    new_wheel = tmp_path / built_wheel.name
    new_wheel.write_bytes(built_wheel.read_bytes())
    with zipfile.ZipFile(new_wheel, "a") as archive:
        archive.writestr("flightlake/_deploy_test_marker.py", "MARKER = 1\n")

    stubs = Stubs(settings)
    expect_facts(stubs)
    running = {"Plugins": "v-created-plugins", "Requirements": "v-created-requirements", "StartupScript": "v-created"}
    expect_environment(stubs, running)  # plan
    expect_environment(stubs, running)  # apply, before the update
    plugins_version, requirements_version = Captured(), Captured()
    stubs["mwaa"].add_response(
        "update_environment",
        {"Arn": f"arn:aws:airflow:us-east-1:{ACCOUNT}:environment/{NAME}"},
        {
            "Name": NAME,
            "PluginsS3Path": "plugins.zip",
            "PluginsS3ObjectVersion": plugins_version,
            "RequirementsS3Path": "requirements.txt",
            "RequirementsS3ObjectVersion": requirements_version,
        },
    )
    expect_environment(stubs, running, status="UPDATING")
    expect_environment(stubs, running)  # AVAILABLE, LastUpdate SUCCESS: done
    with make_deployment(NAME, settings, project, stubs, new_wheel) as deployment:
        summary = deployment.apply()
    stubs.assert_all_used()
    assert changes(summary.plan) == [
        (OBJECT, UPLOAD, f"s3://{bucket}/glue/{built_wheel.name}"),
        (OBJECT, UPLOAD, f"s3://{bucket}/plugins.zip"),
        (OBJECT, UPLOAD, f"s3://{bucket}/requirements.txt"),
        (MWAA, UPDATE, NAME),
    ]
    assert plugins_version.value == s3.head_object(Bucket=bucket, Key="plugins.zip")["VersionId"]
    assert requirements_version.value == s3.head_object(Bucket=bucket, Key="requirements.txt")["VersionId"]
    assert plugins_version.value and plugins_version.value != requirements_version.value
    assert object_body(settings, bucket, f"glue/{built_wheel.name}") == new_wheel.read_bytes()
    requirements = object_body(settings, bucket, "requirements.txt").decode()
    assert hashlib.sha256(new_wheel.read_bytes()).hexdigest() in requirements


def test_the_cli_prints_the_plan_of_a_fresh_deployment(embedded_stack):
    env = {**os.environ, "FLIGHTLAKE_PROJECT_DIR": str(REPO)}
    env.update({f"FLIGHTLAKE_{zone.upper()}_BUCKET": f"dcli-lake-{zone}" for zone in ZONES})
    result = subprocess.run(
        [str(Path(sys.executable).parent / "flightlake"), "deploy", "--stack", "dcli", "--plan"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"target: emulator at {os.environ['AWS_ENDPOINT_URL']}, region us-east-1"
    assert lines[1].startswith("Plan for deployment 'dcli' in us-east-1: ")
    assert "5 stack create" in lines[1] and "1 ddl apply" in lines[1]
    assert sum(line.startswith("* stack  create  dcli-") for line in lines) == 5
    assert not [s for s in cached_client("cloudformation", load_settings()).list_stacks()["StackSummaries"]
                if s["StackName"].startswith("dcli-")]  # fmt: skip


def test_the_grants_run_on_postgres_and_open_dw_to_a_user_created_later(embedded_stack):
    """grants.sql is Redshift-bound, but must stay valid on PostgreSQL too (the same DDL rule);
    everything here is rolled back."""
    import psycopg

    grants = statements((REPO / "deploy" / "redshift" / "grants.sql").read_text())
    probe = "SELECT count(*) FROM dw.airport_daily_delays"
    conn = psycopg.connect(embedded_stack.env["FLIGHTLAKE_WAREHOUSE_DSN"])
    try:
        conn.execute("CREATE ROLE flightlake_deploy_probe NOLOGIN")
        conn.execute("SAVEPOINT before")
        conn.execute("SET ROLE flightlake_deploy_probe")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(probe)
        conn.execute("ROLLBACK TO SAVEPOINT before")
        for sql in grants:
            conn.execute(sql)
        conn.execute("SET ROLE flightlake_deploy_probe")
        assert conn.execute(probe).fetchone()[0] >= 0
        conn.execute("DELETE FROM dw.airport_daily_delays WHERE false")
        conn.execute("UPDATE dw.pipeline_runs SET year = year WHERE false")
    finally:
        conn.rollback()
        conn.close()
