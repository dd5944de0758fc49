"""Names a deployment is made of: stack names, the artifact key layout, the state object.

The keys here are the contract with the templates: airflow.yaml points MWAA at `dags`,
`plugins.zip`, `requirements.txt` and `startup.sh`; glue.yaml reads `spark_jobs/<script>.py` and
the wheel under `glue/`. A test holds the templates to these names.
"""

from __future__ import annotations

import re

from flightlake.errors import FlightlakeError
from flightlake.settings import Settings

# The deployment name prefixes stack and bucket names: lowercase, short enough for
# "airflow-<name>-<account>-<region>" to stay a valid bucket name (63 characters).
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{1,18}[a-z0-9]$")

STACK_KEYS: tuple[str, ...] = ("storage", "network", "warehouse", "glue", "airflow")

DAGS_PREFIX = "dags/"
SPARK_JOBS_PREFIX = "spark_jobs/"
SYNCED_PREFIXES: tuple[str, ...] = (DAGS_PREFIX, SPARK_JOBS_PREFIX)  # mirrored: stale files are deleted
PLUGINS_KEY = "plugins.zip"
REQUIREMENTS_KEY = "requirements.txt"
STARTUP_KEY = "startup.sh"
GLUE_WHEEL_PREFIX = "glue/"
DDL_STATE_KEY = "state/redshift-ddl.json"

# Where MWAA unpacks plugins.zip on its containers; requirements.txt installs the wheel from there.
MWAA_PLUGINS_DIR = "/usr/local/airflow/plugins"
# MWAA's Airflow: the constraints file pins everything Airflow ships with.
AIRFLOW_VERSION = "3.3.1"
MWAA_PYTHON = "3.12"
AIRFLOW_CONSTRAINTS_URL = (
    f"https://raw.githubusercontent.com/apache/airflow/constraints-{AIRFLOW_VERSION}/constraints-{MWAA_PYTHON}.txt"
)


class DeployNameError(FlightlakeError):
    """The deployment name cannot prefix stack and bucket names."""


def check_deployment_name(name: str) -> str:
    if not _NAME_RE.match(name) or "--" in name:
        raise DeployNameError(
            f"--stack {name!r}: use 3-20 lowercase letters, digits and single hyphens, starting with a "
            "letter (it prefixes stack and bucket names)."
        )
    return name


def stack_name(deployment: str, key: str) -> str:
    return f"{deployment}-{key}"


def environment_name(deployment: str) -> str:
    """The MWAA environment is named after the deployment."""
    return deployment


def workgroup_name(settings: Settings, deployment: str) -> str:
    """FLIGHTLAKE_REDSHIFT_WORKGROUP, or the deployment name; the namespace has the same name."""
    return settings.redshift_workgroup or deployment


def glue_wheel_key(wheel_file_name: str) -> str:
    return GLUE_WHEEL_PREFIX + wheel_file_name
