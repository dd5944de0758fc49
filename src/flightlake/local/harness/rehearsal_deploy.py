"""The deploy, carried out against the embedded stack's emulator: what `flightlake run
--rehearse-aws` runs the DAG on.

The same steps as `flightlake deploy --apply`, from the same sources, minus what only AWS has
(CloudFormation itself, IAM, the VPC, MWAA):
1. the artifacts: the wheel built from src/ (`deploy.wheel`), the DAG, the Spark scripts,
   plugins.zip, requirements.txt and startup.sh (`deploy.artifacts`), uploaded when their sha256
   changed to the artifacts bucket named by deploy/cloudformation/storage.yaml;
2. the Glue jobs: every AWS::Glue::Job of deploy/cloudformation/glue.yaml, resolved with the
   parameters the deploy gives that stack (`deploy.stacks.glue_parameters`), created or updated
   through the Glue API: no second, hand-written definition;
3. the warehouse DDL (postgres_init/ and the grants) as one Data API batch
   (`deploy.redshift_ddl.apply_ddl`).
It returns the configuration MWAA gets: the `export FLIGHTLAKE_...` lines of the startup.sh it
uploaded, read back from the emulator.
"""

from __future__ import annotations

import shlex
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flightlake.deploy.artifacts import build_artifacts
from flightlake.deploy.cloudformation import Timing
from flightlake.deploy.names import STARTUP_KEY, glue_wheel_key, stack_name, workgroup_name
from flightlake.deploy.redshift_ddl import apply_ddl, ddl_statements
from flightlake.deploy.stacks import STACKS, StackInputs
from flightlake.deploy.uploads import SHA_METADATA, upload
from flightlake.deploy.warehouse import WarehouseFacts
from flightlake.deploy.wheel import build_wheel
from flightlake.lake.aws import client, object_exists
from flightlake.local.harness.cfn_template import Stack
from flightlake.settings import Settings
from flightlake.settings.checkout import project_root

DEPLOYMENT = "rehearsal"  # the deployment name the rehearsal's stacks would have
DDL_TIMING = Timing(poll_seconds=0.5, max_minutes=10)
Echo = Callable[[str], None]


@dataclass(frozen=True)
class Rehearsal:
    """What was deployed to the emulator, and the configuration MWAA would run the DAG with."""

    artifacts_bucket: str
    uploaded: int
    jobs: tuple[str, ...]
    ddl_statements: int
    mwaa_environment: dict[str, str]  # the FLIGHTLAKE_* exports of the uploaded startup.sh
    workgroup: str
    database: str


def deploy_to_emulator(settings: Settings, echo: Echo) -> Rehearsal:
    root = project_root(settings)
    s3 = client("s3", settings)
    account = client("sts", settings).get_caller_identity()["Account"]
    pseudo = {"AWS::AccountId": account, "AWS::Region": settings.region, "AWS::Partition": "aws"}
    with tempfile.TemporaryDirectory(prefix="flightlake-rehearsal-") as out:
        started = time.monotonic()
        wheel = build_wheel(root, Path(out))
        echo(f"rehearsal  built {wheel.name} from src/ in {time.monotonic() - started:.1f} s")
        inputs = StackInputs(settings, DEPLOYMENT, {}, glue_wheel_key(wheel.name), "")
        bucket = _template(root, "storage", inputs, pseudo).output("ArtifactsBucketName")
        inputs = StackInputs(settings, DEPLOYMENT, {"storage": {"ArtifactsBucketName": bucket}}, inputs.wheel_key, "")
        workgroup = workgroup_name(settings, DEPLOYMENT)
        copy_role = _template(root, "warehouse", inputs, pseudo).output("CopyRoleArn")
        artifacts = build_artifacts(root, wheel, settings, workgroup, copy_role)
    _ensure_bucket(s3, bucket, settings.region)
    uploaded = 0
    for artifact in artifacts:
        head = object_exists(s3, bucket, artifact.key)
        if (head or {}).get("Metadata", {}).get(SHA_METADATA) != artifact.sha256:
            upload(s3, bucket, artifact)
            uploaded += 1
    echo(f"rehearsal  artifacts in s3://{bucket}/: {uploaded} uploaded, {len(artifacts) - uploaded} unchanged")
    jobs = _define_jobs(client("glue", settings), _template(root, "glue", inputs, pseudo))
    echo(f"rehearsal  Glue jobs from deploy/cloudformation/glue.yaml: {', '.join(jobs)}")
    sqls = ddl_statements(root)
    # The namespace the DDL goes to: the emulator has one, with no admin secret (no Secrets Manager).
    facts = WarehouseFacts(workgroup, "", namespace=workgroup, namespace_id=DEPLOYMENT, admin_secret_arn=None)
    apply_ddl(client("redshift-data", settings), s3, bucket, facts, settings.redshift_database, sqls, DDL_TIMING)
    echo(f"rehearsal  warehouse DDL through the Redshift Data API: {len(sqls)} statements, one batch")
    startup = s3.get_object(Bucket=bucket, Key=STARTUP_KEY)["Body"].read().decode()
    return Rehearsal(bucket, uploaded, tuple(jobs), len(sqls), exports(startup), workgroup, settings.redshift_database)


def exports(script: str) -> dict[str, str]:
    """The variables a startup script exports (`export NAME=value` lines, shell-quoted)."""
    found = {}
    for line in script.splitlines():
        words = shlex.split(line, comments=True)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, _, value = words[1].partition("=")
            found[name] = value
    return found


def _template(root: Path, key: str, inputs: StackInputs, pseudo: dict[str, str]) -> Stack:
    spec = STACKS[key]
    return Stack.from_file(spec.template(root), stack_name(DEPLOYMENT, key), spec.parameters(inputs), pseudo)


def _ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    if bucket in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        return
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **extra)


def _define_jobs(glue: Any, stack: Stack) -> list[str]:
    """Create each job of the template, or replace its definition when it exists."""
    names = []
    for properties in stack.resources("AWS::Glue::Job").values():
        name = properties["Name"]
        definition = {key: value for key, value in properties.items() if key not in ("Name", "Tags")}
        try:
            glue.get_job(JobName=name)
        except glue.exceptions.EntityNotFoundException:
            glue.create_job(Name=name, **definition)
        else:
            glue.update_job(JobName=name, JobUpdate=definition)
        names.append(name)
    return names
