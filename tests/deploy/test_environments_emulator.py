"""dev and prod side by side in one emulated account: deploy, a new release, promote, rollback, status.

Real here (moto's server): STS, S3 (objects, metadata), CloudFormation for the types moto has (S3
buckets, IAM roles, KMS keys, the VPC, SNS topics), change sets, the Glue API (the release jobs),
EC2's zone IDs. Stubbed (botocore's Stubber, requests checked against the exact parameters and
the service models): Redshift Serverless and the Data API, which moto lacks.

The tests share two environments and run in file order: first apply of both, a no-op deploy, a
refused overwrite, a new release on dev, its promotion to prod, prod's rollback, status, data in
with `ingest --env`, and destroy: prod keeping its lake, dev with its data.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flightlake.deploy import history, release_store, rollouts
from flightlake.deploy.destroy import Destroy
from flightlake.deploy.names import MANIFEST, STACK_KEYS, STARTUP, release_key
from flightlake.deploy.orchestrate import Rollout
from flightlake.deploy.plan import COPY, CREATE, DDL, GLUE, NONE, OBJECT, RELEASE, STACK, SWITCH, UPLOAD
from flightlake.deploy.redshift_ddl import ddl_statements
from flightlake.deploy.runtime_env import glue_job_environment
from flightlake.deploy.status import status_lines
from flightlake.lake.aws import list_keys
from flightlake.pipeline.steps.check_raw import check_raw_year
from flightlake.settings import ZONES, load_settings
from tests.conftest import REPO
from tests.deploy.conftest import Stubs, answered, cached_client, copy_project, make_target, wheel_builder
from tests.deploy.emulated import create_catalog, delete_route_tables, emulator_state, expect_ddl, expect_facts
from tests.lake.test_ingest import year_file

pytestmark = pytest.mark.integration


def no_build(out_dir: Path) -> Path:
    raise AssertionError("a promotion or rollback must never build")


def sqls(project: Path) -> list[str]:
    files = [*sorted((project / "postgres_init").glob("*.sql")), project / "deploy" / "redshift" / "grants.sql"]
    return ddl_statements([path.read_text() for path in files])


def deploy(name: str, project: Path, stubs: Stubs, wheel: Path) -> Rollout:
    target = make_target(name, project, stubs)
    rollout = rollouts.deploy(target, wheel_builder(wheel), git="test")
    rollout.with_status = False
    return rollout


def parameters(settings: Any, stack: str) -> dict[str, str]:
    described = cached_client("cloudformation", settings).describe_stacks(StackName=stack)["Stacks"][0]
    return {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}


def body(settings: Any, bucket: str, key: str) -> bytes:
    return cached_client("s3", settings).get_object(Bucket=bucket, Key=key)["Body"].read()


def startup_exports(script: bytes, environment: str, tmp: Path) -> dict[str, str]:
    """What MWAA's environment `environment` exports from a release's startup.sh."""
    path = tmp / f"startup-{environment}.sh"
    path.write_bytes(script)
    shown = subprocess.run(["sh", "-c", f". {path} && env"], capture_output=True, text=True, check=True,
                           env={"PATH": "/usr/bin:/bin", "AIRFLOW_ENV_NAME": environment}).stdout  # fmt: skip
    return dict(line.split("=", 1) for line in shown.splitlines() if line.startswith("FLIGHTLAKE_"))


@pytest.fixture(scope="module")
def world(embedded_stack, built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """dev and prod after their first --apply, from the same checkout."""
    project = copy_project(tmp_path_factory.mktemp("environments") / "checkout")
    stubs = Stubs(embedded_stack.settings)
    summaries = {}
    for env, statement in (("dev", "ddl-dev-1"), ("prod", "ddl-prod-1")):
        expect_facts(stubs, env)
        expect_ddl(stubs, env, sqls(project), statement, roles_exist=env == "prod")
        summaries[env] = deploy(env, project, stubs, built_wheel).apply()
        stubs.assert_all_used()
    stubs.close()
    return {"project": project, "summaries": summaries, "settings": embedded_stack.settings}


def test_plan_of_a_new_environment_lists_everything_and_changes_nothing(embedded_stack, built_wheel, tmp_path):
    project = copy_project(tmp_path / "checkout")
    stubs = Stubs(embedded_stack.settings)  # nothing queued: a Redshift call would fail the test
    before = emulator_state(embedded_stack.settings)
    plan = deploy("staging", project, stubs, built_wheel).plan()
    assert emulator_state(embedded_stack.settings) == before
    stubs.assert_all_used()
    assert [(a.target, a.change) for a in plan.of_kind(STACK)] == [
        (f"flightlake-staging-{key}", CREATE) for key in STACK_KEYS
    ]
    storage = next(a for a in plan.of_kind(STACK) if a.target.endswith("-storage"))
    assert "termination protection on" in storage.details
    uploads = {a.target.split("/", 5)[5] for a in plan.of_kind(OBJECT) if a.change == UPLOAD}
    assert {"dags/flights_etl.py", "spark_jobs/run_step.py", STARTUP, MANIFEST} <= uploads
    assert [a.change for a in plan.of_kind(GLUE)] == [CREATE, CREATE]
    assert [a.change for a in plan.of_kind(DDL)] == ["apply"]
    assert [(a.change, a.reason.split(":")[0]) for a in plan.of_kind(RELEASE)] == [(SWITCH, "deploy")]


def test_dev_and_prod_live_side_by_side_in_one_account_without_collision(world):
    settings = world["settings"]
    cfn, s3, iam, glue, ec2 = (cached_client(s, settings) for s in ("cloudformation", "s3", "iam", "glue", "ec2"))
    for env in ("dev", "prod"):
        executed = [(e.kind, e.change) for e in world["summaries"][env].executed]
        assert executed.count((STACK, "create")) == 6, env
        for key in STACK_KEYS:
            stack = cfn.describe_stacks(StackName=f"flightlake-{env}-{key}")["Stacks"][0]
            assert stack["StackStatus"] == "CREATE_COMPLETE"
            assert stack["EnableTerminationProtection"] is (key in ("storage", "warehouse"))
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    names = {env: {f"flightlake-123456789012-{env}-{zone}" for zone in ZONES} for env in ("dev", "prod")}
    for env in ("dev", "prod"):
        names[env] |= {
            f"airflow-flightlake-{env}-123456789012-us-east-1",
            f"flightlake-{env}-logs-123456789012-us-east-1",
        }
        assert names[env] <= buckets
    assert not names["dev"] & names["prod"]
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert {"flightlake-dev-redshift-copy", "flightlake-prod-redshift-copy"} <= roles
    jobs = glue.list_jobs()["JobNames"]
    dev_jobs = sorted(j for j in jobs if j.startswith("flightlake-dev-"))
    prod_jobs = sorted(j for j in jobs if j.startswith("flightlake-prod-"))
    assert len(dev_jobs) == len(prod_jobs) == 2 and [j[15:] for j in dev_jobs] == [j[16:] for j in prod_jobs]
    vpcs = {v["CidrBlock"] for v in ec2.describe_vpcs()["Vpcs"]}
    assert {"10.42.0.0/16", "10.44.0.0/16"} <= vpcs
    # the private subnets are in the zones the environment file names by ID, not by index
    network = cfn.describe_stacks(StackName="flightlake-dev-network")["Stacks"][0]
    subnets = next(o["OutputValue"] for o in network["Outputs"] if o["OutputKey"] == "PrivateSubnetIds").split(",")
    described = ec2.describe_subnets(SubnetIds=subnets)["Subnets"]
    assert [s["AvailabilityZoneId"] for s in described] == ["use1-az1", "use1-az2", "use1-az4"]


def test_both_run_one_release_stored_byte_for_byte_and_its_jobs(world, tmp_path):
    settings, project = world["settings"], world["project"]
    glue = cached_client("glue", settings)
    versions = {}
    for env in ("dev", "prod"):
        bucket = f"airflow-flightlake-{env}-123456789012-us-east-1"
        current = history.current(history.read(cached_client("s3", settings), bucket))
        assert current is not None and current.action == "deploy"
        versions[env] = current.version
        manifest = release_store.read_manifest(cached_client("s3", settings), bucket, current.version)
        for path, entry in manifest["files"].items():
            stored = body(settings, bucket, release_key(current.version, path))
            assert hashlib.sha256(stored).hexdigest() == entry["sha256"], path
            if path.startswith(("dags/", "spark_jobs/")):
                assert stored == (project / path).read_bytes(), path
        airflow = parameters(settings, f"flightlake-{env}-airflow")
        assert airflow["ReleasePrefix"] == f"releases/{current.version}"
        assert airflow["WebserverAccessMode"] == "PRIVATE_ONLY"
        # MWAA picks its own block of the release's one startup.sh, which names the release's jobs
        exports = startup_exports(
            body(settings, bucket, release_key(current.version, STARTUP)), f"flightlake-{env}", tmp_path
        )
        assert exports["FLIGHTLAKE_RAW_BUCKET"] == f"flightlake-123456789012-{env}-raw"
        assert exports["FLIGHTLAKE_RELEASE"] == current.version
        for step in ("raw_to_stage", "stage_to_analytics"):
            job = glue.get_job(JobName=f"{exports['FLIGHTLAKE_GLUE_JOB_PREFIX']}-{step.replace('_', '-')}")["Job"]
            assert (
                job["Command"]["ScriptLocation"]
                == f"s3://{bucket}/{release_key(current.version, 'spark_jobs/run_step.py')}"
            )
            assert job["DefaultArguments"]["--step"] == step
            assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
            assert job["SecurityConfiguration"] == f"flightlake-{env}-glue"
            arguments = job["DefaultArguments"]
            assert arguments["--FLIGHTLAKE_REGION"] == "us-east-1"
            carried = {k[2:]: v for k, v in arguments.items() if k.startswith("--FLIGHTLAKE_")}
            assert carried.items() <= exports.items()  # Glue and MWAA agree on the lake
            assert arguments["--additional-python-modules"].startswith(
                f"s3://{bucket}/releases/{current.version}/glue/"
            )
    assert versions["dev"] == versions["prod"]
    assert set(glue_job_environment(make_target("dev", project, Stubs(settings)).names)) <= set(exports)


def test_a_second_deploy_plans_nothing_and_changes_nothing(world, built_wheel):
    settings = world["settings"]
    stubs = Stubs(settings)
    expect_facts(stubs, "dev")
    before = emulator_state(settings)
    summary = deploy("dev", world["project"], stubs, built_wheel).apply()
    assert summary.plan.changes == () and summary.executed == []
    assert emulator_state(settings) == before
    stubs.assert_all_used()
    stubs.close()


def test_a_stored_release_is_never_overwritten(world, built_wheel):
    settings = world["settings"]
    s3 = cached_client("s3", settings)
    bucket = "airflow-flightlake-dev-123456789012-us-east-1"
    version = history.current(history.read(s3, bucket)).version
    key = release_key(version, "dags/flights_etl.py")
    original = s3.get_object(Bucket=bucket, Key=key)
    saved = original["Body"].read()
    s3.put_object(
        Bucket=bucket, Key=key, Body=b"tampered", Metadata={"sha256": hashlib.sha256(b"tampered").hexdigest()}
    )
    stubs = Stubs(settings)
    expect_facts(stubs, "dev")
    try:
        with pytest.raises(release_store.ReleaseConflict, match="never overwritten"):
            deploy("dev", world["project"], stubs, built_wheel).plan()
    finally:
        s3.put_object(Bucket=bucket, Key=key, Body=saved, Metadata=original["Metadata"])
        stubs.close()


def test_a_changed_dag_is_a_new_release_and_the_old_one_stays(world, built_wheel):
    settings, project = world["settings"], world["project"]
    s3, glue = cached_client("s3", settings), cached_client("glue", settings)
    bucket = "airflow-flightlake-dev-123456789012-us-east-1"
    old = history.current(history.read(s3, bucket))
    dag = project / "dags" / "flights_etl.py"
    dag.write_bytes(dag.read_bytes() + b"\n# a new release\n")
    stubs = Stubs(settings)
    expect_facts(stubs, "dev")
    summary = deploy("dev", project, stubs, built_wheel).apply()
    stubs.assert_all_used()
    stubs.close()
    new = history.current(history.read(s3, bucket))
    assert new.version != old.version and new.release_id != old.release_id
    changed = {(a.kind, a.change) for a in summary.plan.changes}
    assert (STACK, "update") in changed and (RELEASE, SWITCH) in changed and (GLUE, CREATE) in changed
    assert not [a for a in summary.plan.changes if a.kind == STACK and not a.target.endswith("-airflow")]
    assert body(settings, bucket, release_key(new.version, "dags/flights_etl.py")) == dag.read_bytes()
    assert body(settings, bucket, release_key(old.version, "dags/flights_etl.py")) != dag.read_bytes()
    assert parameters(settings, "flightlake-dev-airflow")["ReleasePrefix"] == f"releases/{new.version}"
    jobs = glue.list_jobs()["JobNames"]
    for release in (old, new):  # the old jobs stay for runs in flight and for rollback
        assert f"flightlake-dev-{release.release_id}-raw-to-stage" in jobs


def test_promote_copies_devs_release_to_prod_byte_for_byte(world):
    settings, project = world["settings"], world["project"]
    s3 = cached_client("s3", settings)
    dev_bucket, prod_bucket = (f"airflow-flightlake-{e}-123456789012-us-east-1" for e in ("dev", "prod"))
    running = history.current(history.read(s3, dev_bucket))
    stubs = Stubs(settings)
    expect_facts(stubs, "prod")
    rollout = rollouts.promote(make_target("dev", project, stubs), make_target("prod", project, stubs))
    rollout.with_status = False
    summary = rollout.apply()
    stubs.assert_all_used()
    stubs.close()
    objects = summary.plan.of_kind(OBJECT)
    assert objects and {a.change for a in objects} == {COPY}  # copied, never uploaded from a build
    manifest = release_store.read_manifest(s3, dev_bucket, running.version)
    for path, entry in manifest["files"].items():
        key = release_key(running.version, path)
        assert (
            hashlib.sha256(body(settings, prod_bucket, key)).hexdigest()
            == entry["sha256"]
            == hashlib.sha256(body(settings, dev_bucket, key)).hexdigest()
        )
    assert body(settings, prod_bucket, release_key(running.version, MANIFEST)) == body(
        settings, dev_bucket, release_key(running.version, MANIFEST)
    )
    prod = history.current(history.read(s3, prod_bucket))
    assert (prod.version, prod.action, prod.source) == (running.version, "promote", "dev")
    assert parameters(settings, "flightlake-prod-airflow")["ReleasePrefix"] == f"releases/{running.version}"
    assert (
        f"flightlake-prod-{running.release_id}-raw-to-stage" in cached_client("glue", settings).list_jobs()["JobNames"]
    )


def test_rollback_returns_prod_to_the_previous_release(world):
    settings, project = world["settings"], world["project"]
    s3 = cached_client("s3", settings)
    bucket = "airflow-flightlake-prod-123456789012-us-east-1"
    before = history.read(s3, bucket)
    previous = history.previous(before)
    stubs = Stubs(settings)
    expect_facts(stubs, "prod")
    rollout = rollouts.rollback(make_target("prod", project, stubs))
    rollout.with_status = False
    summary = rollout.apply()
    stubs.assert_all_used()
    stubs.close()
    stacks = [a for a in summary.plan.changes if a.kind == STACK]
    assert [a.target for a in stacks] == ["flightlake-prod-airflow"]  # only the release parameters change
    assert not [a for a in summary.plan.changes if a.kind == OBJECT]
    now = history.current(history.read(s3, bucket))
    assert (now.version, now.action) == (previous.version, "rollback")
    assert parameters(settings, "flightlake-prod-airflow")["ReleasePrefix"] == f"releases/{previous.version}"
    assert history.previous(history.read(s3, bucket)).version == before[-1].version
    assert [a.change for a in summary.plan.of_kind(DDL)] == [NONE]


def test_status_shows_the_release_who_deployed_it_drift_and_the_runs_per_year(world):
    settings, project = world["settings"], world["project"]
    stubs = Stubs(settings)
    target = make_target("prod", project, stubs)
    for key in STACK_KEYS:
        target.stack(key)  # read from the emulator; what follows goes to stubs
    cfn = cached_client("cloudformation", settings)
    drift_client = (
        __import__("boto3")
        .session.Session()
        .client("cloudformation", region_name="us-east-1", endpoint_url=cfn.meta.endpoint_url)
    )
    drift = __import__("botocore.stub", fromlist=["Stubber"]).Stubber(drift_client)
    names = [f"flightlake-prod-{key}" for key in STACK_KEYS]
    for index, name in enumerate(names):
        drift.add_response("detect_stack_drift", {"StackDriftDetectionId": f"d-{index}"}, {"StackName": name})
    for index, name in enumerate(names):
        answer = {"StackId": name, "StackDriftDetectionId": f"d-{index}", "DetectionStatus": "DETECTION_COMPLETE",
                  "StackDriftStatus": "DRIFTED" if name.endswith("-storage") else "IN_SYNC",
                  "Timestamp": datetime.now(UTC)}  # fmt: skip
        drift.add_response("describe_stack_drift_detection_status", answer, {"StackDriftDetectionId": f"d-{index}"})
        if name.endswith("-storage"):
            drifted = {"StackId": name, "LogicalResourceId": "RawBucket", "ResourceType": "AWS::S3::Bucket",
                       "StackResourceDriftStatus": "MODIFIED", "Timestamp": datetime.now(UTC)}  # fmt: skip
            drift.add_response("describe_stack_resource_drifts", {"StackResourceDrifts": [drifted]},
                               {"StackName": name, "StackResourceDriftStatusFilters": ["MODIFIED", "DELETED"]})  # fmt: skip
    drift.activate()
    target.clients._clients["cloudformation"] = drift_client
    stubs["mwaa"].add_response(
        "get_environment",
        {"Environment": {"Name": "flightlake-prod", "Status": "AVAILABLE"}},
        {"Name": "flightlake-prod"},
    )
    runs = [
        {"dag_run_id": "scheduled__2014-01-01", "logical_date": "2014-01-01T00:00:00Z", "state": "running"},
        {"dag_run_id": "scheduled__2013-01-01", "logical_date": "2013-01-01T00:00:00Z", "state": "success",
         "end_date": "2026-01-02T01:00:00Z"},
        {"dag_run_id": "manual__2013", "logical_date": "2013-01-01T00:00:00Z", "state": "failed"},
    ]  # fmt: skip
    stubs["mwaa"].add_response(
        "invoke_rest_api",
        {"RestApiStatusCode": 200, "RestApiResponse": {"dag_runs": runs}},
        {"Name": "flightlake-prod", "Path": "/dags/flights_etl/dagRuns", "Method": "GET",
         "QueryParameters": {"order_by": "-logical_date", "limit": 100}},
    )  # fmt: skip
    lines = status_lines(target)
    drift.assert_no_pending_responses()
    stubs.assert_all_used()
    stubs.close()
    current = history.current(
        history.read(cached_client("s3", settings), "airflow-flightlake-prod-123456789012-us-east-1")
    )
    assert lines[1].startswith(f"release: {current.version}  rollback  ") and "by arn:aws:" in lines[1]
    assert lines[2].startswith("previous (rollback goes here): ")
    assert "drift flightlake-prod-storage: DRIFTED: RawBucket (AWS::S3::Bucket) modified" in lines
    assert "drift flightlake-prod-network: IN_SYNC" in lines
    assert "MWAA flightlake-prod: AVAILABLE" in lines
    assert any(line.startswith("last run 2013: success  run scheduled__2013-01-01") for line in lines)
    assert any(line.startswith("last run 2014: running") for line in lines)
    assert any(line.startswith("in flight: 1 DAG run(s) (scheduled__2014-01-01)") for line in lines)


def test_ingest_env_puts_a_year_where_the_dag_on_that_environment_reads_it(world, tmp_path):
    settings, project = world["settings"], world["project"]
    create_catalog(make_target("dev", project, Stubs(settings)))
    csv = year_file(tmp_path / "2012.csv", 2012)
    env = {**os.environ, "FLIGHTLAKE_PROJECT_DIR": str(project)}
    result = subprocess.run([str(Path(sys.executable).parent / "flightlake"), "ingest", "--env", "dev", str(csv)],
                            env=env, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "target: flightlake-dev (emulator at" in result.stdout and "1 uploaded" in result.stdout
    # what MWAA's dev environment reads: the release's startup.sh, dev's block
    s3 = cached_client("s3", settings)
    bucket = "airflow-flightlake-dev-123456789012-us-east-1"
    version = history.current(history.read(s3, bucket)).version
    exports = startup_exports(body(settings, bucket, release_key(version, STARTUP)), "flightlake-dev", tmp_path)
    on_dev = load_settings({**os.environ, **exports})
    checked = check_raw_year(on_dev, 2012)
    assert checked.data_rows == 20 and checked.uri.startswith("s3://flightlake-123456789012-dev-raw/")
    prod_raw = [o["Key"] for o in list_keys(s3, "flightlake-123456789012-prod-raw", "")]
    assert not prod_raw  # only dev got it


def test_destroy_without_delete_data_leaves_only_the_lake(world):
    settings, project = world["settings"], world["project"]
    stubs = Stubs(settings)
    target = make_target("prod", project, stubs)
    delete_route_tables(target)
    cfn = stubs.clients["cloudformation"]
    with answered(cfn, "UpdateTerminationProtection", lambda params: {"StackId": params["StackName"]}) as lifted:
        summary = Destroy(target, delete_data=False).apply()
    stubs.close()
    assert [call["StackName"] for call in lifted] == ["flightlake-prod-warehouse"]
    assert ("stack", "keep") not in {(e.kind, e.change) for e in summary.executed}
    state = emulator_state(settings)
    assert [s[0] for s in state["stacks"] if "flightlake-prod" in s[0]] == ["flightlake-prod-storage"]
    prod_buckets = sorted(b for b in state["objects"] if "prod" in b)
    assert prod_buckets == sorted(f"flightlake-123456789012-prod-{zone}" for zone in ZONES)
    assert not [j for j in state["glue_jobs"] if j.startswith("flightlake-prod-")]
    assert not [r for r in state["roles"] if r.startswith("flightlake-prod-")]
    assert not [t for t in state["topics"] if "flightlake-prod" in t]
    ec2 = cached_client("ec2", settings)
    assert "10.44.0.0/16" not in {v["CidrBlock"] for v in ec2.describe_vpcs()["Vpcs"]}
    assert [s[0] for s in state["stacks"] if "flightlake-dev" in s[0]]  # dev untouched


def test_destroy_with_delete_data_needs_the_name_then_leaves_nothing(world):
    settings, project = world["settings"], world["project"]
    env = {**os.environ, "FLIGHTLAKE_PROJECT_DIR": str(project)}
    refused = subprocess.run(
        [str(Path(sys.executable).parent / "flightlake"), "deploy", "destroy", "--env", "dev", "--delete-data", "--apply"],
        env=env, capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert refused.returncode == 1 and "pass --confirm dev" in refused.stderr
    stubs = Stubs(settings)
    target = make_target("dev", project, stubs)
    delete_route_tables(target)
    with answered(
        stubs.clients["cloudformation"], "UpdateTerminationProtection", lambda p: {"StackId": p["StackName"]}
    ) as lifted:
        Destroy(target, delete_data=True).apply()
    stubs.close()
    assert [call["StackName"] for call in lifted] == ["flightlake-dev-warehouse", "flightlake-dev-storage"]
    state = emulator_state(settings)
    assert not [s for s in state["stacks"] if "flightlake-dev" in s[0]]
    assert not [b for b in state["objects"] if "-dev-" in b or "flightlake-dev" in b]
    assert not [d for d in state["glue_databases"] if d.startswith("flightlake_dev_")]
    assert not [j for j in state["glue_jobs"] if j.startswith("flightlake-dev-")]
    kms = cached_client("kms", settings)
    assert "alias/flightlake-dev-lake" not in {a["AliasName"] for a in kms.list_aliases()["Aliases"]}


def test_the_cli_plans_an_environment_and_changes_nothing(embedded_stack):
    env = {**os.environ, "FLIGHTLAKE_PROJECT_DIR": str(REPO)}
    before = emulator_state(embedded_stack.settings)
    result = subprocess.run([str(Path(sys.executable).parent / "flightlake"), "deploy", "--env", "staging"],
                            env=env, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"target: flightlake-staging (emulator at {os.environ['AWS_ENDPOINT_URL']}, region us-east-1)"
    assert lines[1].startswith("Plan for deployment 'flightlake-staging' in us-east-1: ")
    assert "6 stack create" in lines[1] and "1 release switch" in lines[1] and "2 glue create" in lines[1]
    assert "  release: none (the environment is not deployed)" in lines
    assert emulator_state(embedded_stack.settings) == before
