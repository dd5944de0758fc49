"""The deploy, carried out against the embedded stack's emulator: what `flightlake run
--rehearse-aws` runs the DAG on.

The rehearsal is a deploy of one more environment, `rehearsal`: the committed file of `dev`
(its Glue sizes, years, anomaly method, alerts) with the emulator's account and the stack's
region, so every name derives from it as `flightlake.deploy.names` derives a real environment's
(`flightlake-rehearsal-*`, `<bucket_prefix>-rehearsal-<zone>`, `flightlake_rehearsal_*`). Its
steps are those of `deploy.orchestrate`, by the same code, minus what only AWS has
(CloudFormation, IAM, the VPC, MWAA itself):
1. storage: the environment's zone buckets and Glue databases, its artifacts bucket and alert
   topic (what its artifacts, storage and airflow stacks would create);
2. the release: built from this checkout as `flightlake deploy` builds it (`deploy.release`,
   with the rehearsal's block in its startup.sh) and stored under `releases/<version>/`
   (`deploy.release_store`);
3. the release's Glue jobs, defined by `deploy.glue_jobs` (no second definition), through the
   Glue API;
4. the release's warehouse DDL through the Redshift Data API (`deploy.redshift_ddl`).
It returns the configuration MWAA gets: the release's startup.sh, run by `sh` as MWAA runs it
(AIRFLOW_ENV_NAME set to the environment's name), and the variables it exports.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flightlake.deploy import glue_jobs, release_store
from flightlake.deploy.cloudformation import Timing
from flightlake.deploy.environments import Environment, load_all, load_environment
from flightlake.deploy.names import DATABASE, RELEASES_PREFIX, STARTUP, Names
from flightlake.deploy.plan import UPLOAD
from flightlake.deploy.redshift_ddl import apply_ddl, ddl_statements
from flightlake.deploy.release import Release, build_release
from flightlake.deploy.sources import Built
from flightlake.deploy.target import environment_settings
from flightlake.deploy.warehouse import WarehouseFacts
from flightlake.deploy.wheel import build_wheel
from flightlake.lake.aws import client
from flightlake.local.stack.lake_init import create_buckets, create_databases
from flightlake.settings import Settings
from flightlake.settings.checkout import project_root

ENVIRONMENT = "rehearsal"  # the environment the rehearsal deploys
BASE_ENVIRONMENT = "dev"  # whose committed file it takes its sizes and settings from
DDL_TIMING = Timing(poll_seconds=0.5, max_minutes=10)
Echo = Callable[[str], None]


@dataclass(frozen=True)
class Rehearsal:
    """What was deployed to the emulator, and the configuration MWAA would run the DAG with."""

    names: Names
    version: str  # the release's
    artifacts_bucket: str
    uploaded: int
    jobs: tuple[str, ...]
    ddl_statements: int
    mwaa_environment: dict[str, str]  # the FLIGHTLAKE_* variables the release's startup.sh exports
    lake: Settings  # the environment's lake (its buckets, catalog and region), on the emulator

    @property
    def workgroup(self) -> str:
        return self.names.workgroup


def rehearsal_environment(root: Path, account: str, region: str) -> Environment:
    """`dev`'s committed file as the environment `rehearsal` in the emulator's account and region."""
    base = load_environment(root, BASE_ENVIRONMENT)
    return dataclasses.replace(base, name=ENVIRONMENT, account=account, region=region)


def deploy_to_emulator(settings: Settings, echo: Echo) -> Rehearsal:
    root = project_root(settings)
    account = client("sts", settings).get_caller_identity()["Account"]
    env = rehearsal_environment(root, account, settings.region)
    names = Names(env)
    lake = environment_settings(env)  # the endpoint of the embedded stack kept, as `ingest --env` does
    s3 = client("s3", lake)
    created = create_buckets(lake) + create_databases(lake)
    _ensure_bucket(s3, names.artifacts_bucket, env.region)
    client("sns", lake).create_topic(Name=names.alert_topic_name)
    echo(f"rehearsal  environment {env.name} ({names.deployment}): lake {names.lake_prefix}-*, {len(created)} created")
    release = _release(root, env, echo)
    plan = release_store.plan_upload(s3, names.artifacts_bucket, release)
    fresh = sum(1 for action in plan if action.change == UPLOAD)
    release_store.upload(s3, names.artifacts_bucket, release, lambda line: None)
    where = f"s3://{names.artifacts_bucket}/{RELEASES_PREFIX}{release.version}/"
    echo(f"rehearsal  release in {where}: {fresh} of {len(release.files)} files uploaded")
    jobs = _define_jobs(client("glue", lake), names, release)
    echo(f"rehearsal  Glue jobs of the release (deploy.glue_jobs): {', '.join(jobs)}")
    sqls = ddl_statements(Built(release).ddl_texts(s3))
    # The emulator's Data API needs no admin secret: it runs the DDL as the warehouse's owner.
    facts = WarehouseFacts(names.workgroup, "", names.workgroup, ENVIRONMENT, admin_secret_arn=None)
    apply_ddl(client("redshift-data", lake), s3, names.artifacts_bucket, facts, DATABASE, sqls, DDL_TIMING)
    echo(f"rehearsal  warehouse DDL through the Redshift Data API: {len(sqls)} statements, one batch")
    exports = startup_exports(release.file(STARTUP).body, names.mwaa_environment)
    return Rehearsal(names, release.version, names.artifacts_bucket, fresh, tuple(jobs), len(sqls), exports, lake)


def _release(root: Path, env: Environment, echo: Echo) -> Release:
    """The release `flightlake deploy` would build, its startup.sh knowing the rehearsal too."""
    environments = [e for e in load_all(root) if e.name != env.name] + [env]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="flightlake-rehearsal-") as out:
        release = build_release(root, build_wheel(root, Path(out)), environments)
    echo(f"rehearsal  built release {release.version} from this checkout in {time.monotonic() - started:.1f} s")
    return release


def _define_jobs(glue: Any, names: Names, release: Release) -> list[str]:
    """The release's jobs as `deploy.glue_jobs` defines them, created or brought back to that."""
    role = f"arn:{names.env.partition}:iam::{names.env.account}:role/{names.stack('glue')}-JobRole"
    wanted = glue_jobs.definitions(
        names, release.version, release.release_id, release.wheel_path, role, names.glue_security_configuration
    )
    assert isinstance(wanted, list)  # the role is known: nothing is pending
    glue_jobs.apply_jobs(glue, wanted)
    return [request["Name"] for request in wanted]


def startup_exports(script: bytes, mwaa_environment: str) -> dict[str, str]:
    """The FLIGHTLAKE_* variables a startup script exports when MWAA runs it for `mwaa_environment`:
    it is sourced by `sh` with AIRFLOW_ENV_NAME set, as MWAA does, and the environment read back."""
    with tempfile.NamedTemporaryFile("wb", suffix=".sh") as file:
        file.write(script)
        file.flush()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AIRFLOW_ENV_NAME": mwaa_environment}
        done = subprocess.run(
            ["sh", "-c", f". {file.name} && env -0"], env=env, capture_output=True, check=True, timeout=30
        )
    if done.stderr:
        raise RuntimeError(f"startup.sh for {mwaa_environment}: {done.stderr.decode().strip()}")
    pairs = (entry.split("=", 1) for entry in done.stdout.decode().split("\0") if "=" in entry)
    return {name: value for name, value in pairs if name.startswith("FLIGHTLAKE_")}


def _ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    """The artifacts bucket, versioned as the artifacts stack makes it (MWAA pins object versions)."""
    if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **extra)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
