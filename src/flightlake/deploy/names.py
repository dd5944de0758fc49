"""Every name a deployment is made of, derived from its environment, and the bucket's key layout.

An environment `dev` is the deployment `flightlake-dev`: stacks `flightlake-dev-<key>`, the MWAA
environment and the Redshift workgroup and namespace `flightlake-dev`, Glue databases
`flightlake_dev_<zone>`, the Athena workgroup `flightlake-dev-sql`, Glue jobs
`flightlake-dev-<release id>-<spark step>`, zone buckets
`<bucket_prefix>-dev-<zone>` (global names: the prefix defaults to `flightlake-<account>`), the
artifacts bucket `airflow-flightlake-dev-<account>-<region>`. Nothing is named from a setting a
developer might have left in their shell, so two environments never collide.

In the artifacts bucket a release lives under `releases/<version>/` (see `release`); the deploy's
own records under `state/`. The templates read these names as parameters; a test holds them to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flightlake.deploy.environments import Environment
from flightlake.pipeline.registry import glue_job_name
from flightlake.settings import CATALOG_ZONES, ZONES

PROJECT = "flightlake"
# The stacks of an environment, in the order they are applied (destroyed in reverse).
STACK_KEYS: tuple[str, ...] = ("artifacts", "storage", "network", "warehouse", "glue", "airflow")
PROTECTED_STACKS: tuple[str, ...] = ("storage", "warehouse")  # termination protection on
DATA_STACKS: tuple[str, ...] = ("storage",)  # kept by `destroy` unless --delete-data
DATABASE = "flightlake"  # the Redshift database of the namespace

RELEASES_PREFIX = "releases/"
HISTORY_KEY = "state/deployments.json"
DDL_STATE_KEY = "state/redshift-ddl.json"
# inside a release
MANIFEST = "manifest.json"
PLUGINS = "plugins.zip"
REQUIREMENTS = "requirements.txt"
STARTUP = "startup.sh"
DAGS_DIR = "dags"
GLUE_DIR = "glue"
SPARK_JOBS_DIR = "spark_jobs"
SPARK_APPLICATION = f"{SPARK_JOBS_DIR}/run_step.py"  # the script of every Glue job of a release
DDL_DIR = "ddl"

# Where MWAA unpacks plugins.zip on its containers; requirements.txt installs the wheel from there.
MWAA_PLUGINS_DIR = "/usr/local/airflow/plugins"
AIRFLOW_VERSION = "3.3.1"
MWAA_PYTHON = "3.12"
AIRFLOW_CONSTRAINTS_URL = (
    f"https://raw.githubusercontent.com/apache/airflow/constraints-{AIRFLOW_VERSION}/constraints-{MWAA_PYTHON}.txt"
)


def release_key(version: str, relative: str) -> str:
    """The object key of one file of a release, e.g. releases/v1-ab12/dags/flights_etl.py."""
    return f"{RELEASES_PREFIX}{version}/{relative}"


@dataclass(frozen=True)
class Names:
    """The names of one environment's resources."""

    env: Environment

    @property
    def deployment(self) -> str:
        return f"{PROJECT}-{self.env.name}"

    def stack(self, key: str) -> str:
        return f"{self.deployment}-{key}"

    @property
    def mwaa_environment(self) -> str:
        """Also what MWAA exports as AIRFLOW_ENV_NAME, which startup.sh selects its block by."""
        return self.deployment

    @property
    def workgroup(self) -> str:
        return self.deployment

    @property
    def artifacts_bucket(self) -> str:
        return f"airflow-{self.deployment}-{self.env.account}-{self.env.region}"

    @property
    def logs_bucket(self) -> str:
        return f"{self.deployment}-logs-{self.env.account}-{self.env.region}"

    @property
    def lake_prefix(self) -> str:
        return f"{self.env.bucket_prefix}-{self.env.name}"

    def zone_bucket(self, zone: str) -> str:
        return f"{self.lake_prefix}-{zone}"

    @property
    def zone_buckets(self) -> dict[str, str]:
        return {zone: self.zone_bucket(zone) for zone in ZONES}

    @property
    def catalog_prefix(self) -> str:
        return f"{PROJECT}_{self.env.name.replace('-', '_')}"

    @property
    def glue_databases(self) -> dict[str, str]:
        return {zone: f"{self.catalog_prefix}_{zone}" for zone in CATALOG_ZONES}

    @property
    def athena_workgroup(self) -> str:
        """Made by the storage stack (result location, encryption, bytes-scanned cutoff);
        `flightlake sql --env` runs its queries there."""
        return f"{self.deployment}-sql"

    @property
    def glue_security_configuration(self) -> str:
        """Named by the glue stack; the release jobs refer to it by this name."""
        return f"{self.deployment}-glue"

    def glue_job_prefix(self, release_id: str) -> str:
        """FLIGHTLAKE_GLUE_JOB_PREFIX of a release: its jobs are <prefix>-raw-to-stage, ..."""
        return f"{self.deployment}-{release_id}"

    def glue_job(self, release_id: str, step: str) -> str:
        return glue_job_name(self.glue_job_prefix(release_id), step)

    @property
    def copy_role_name(self) -> str:
        return f"{self.deployment}-redshift-copy"

    @property
    def copy_role_arn(self) -> str:
        return f"arn:{self.env.partition}:iam::{self.env.account}:role/{self.copy_role_name}"

    @property
    def alert_topic_name(self) -> str:
        return f"{self.deployment}-alerts"

    @property
    def alert_topic_arn(self) -> str:
        return f"arn:{self.env.partition}:sns:{self.env.region}:{self.env.account}:{self.alert_topic_name}"
