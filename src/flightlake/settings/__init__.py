"""Every setting flightlake reads, from environment variables, in one place.

The same code runs on a laptop (embedded stack), in Docker Compose and in AWS (MWAA + Glue +
Redshift); only these variables differ. Nothing here names an endpoint, a bucket of a real
account or a credential: boto3 finds `AWS_ENDPOINT_URL` and credentials itself, and the few
clients that do not (pyarrow, Spark's S3A) take the endpoint from `Settings.s3_endpoint`.

This module is imported by the Spark jobs on AWS Glue, so it uses the standard library only
and stays valid Python 3.11. Beside it: `values` (readers of single values, each error naming
its variable) and `checkout` (where the project's own files are).

| variable | default | meaning |
| --- | --- | --- |
| `FLIGHTLAKE_STATE_DIR` | `<checkout>/.flightlake` | embedded stack state: its lake, warehouse, pid files, logs, jars |
| `FLIGHTLAKE_REGION`, `AWS_REGION`, `AWS_DEFAULT_REGION` | `us-east-1` off AWS | the first set; required on AWS |
| `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL` | unset (real AWS) | S3 / emulator endpoint |
| `FLIGHTLAKE_<ZONE>_BUCKET` | `flightlake-<zone>` | bucket of the zone (RAW, STAGE, ANALYTICS, REPORTS) |
| `FLIGHTLAKE_<ZONE>_PREFIX` | empty | key prefix inside the zone's bucket |
| `FLIGHTLAKE_GLUE_DB_<ZONE>` | `flightlake_<zone>` | Glue database (RAW, STAGE, ANALYTICS) |
| `FLIGHTLAKE_WAREHOUSE` | `postgres` | `postgres` (psycopg) or `redshift` (Redshift Data API) |
| `FLIGHTLAKE_WAREHOUSE_DSN` | unset | `postgresql://user:password@host:port/dbname` |
| `FLIGHTLAKE_REDSHIFT_WORKGROUP` | unset | Redshift Serverless workgroup (warehouse `redshift`) |
| `FLIGHTLAKE_REDSHIFT_DATABASE` | `dev` | Redshift database |
| `FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN` | unset | IAM role Redshift assumes to COPY from S3 |
| `FLIGHTLAKE_SPARK_MASTER` | `local[*]` | `local`, `local[N]`, `local[*]` or `spark://host:port` |
| `FLIGHTLAKE_SPARK_DRIVER_MEMORY` | `1g` | driver heap for local Spark (a full-scale year needs no more) |
| `FLIGHTLAKE_RUNTIME` | `local` | where Spark steps run (`ExecutionMode`): `local`, or `glue` (Glue jobs, MWAA) |
| `FLIGHTLAKE_SPARK_SUBMIT` | `process` (`inline` in `run`) | `local` mode: spark-submit per step, or in the task |
| `FLIGHTLAKE_GLUE_JOB_PREFIX` | `flightlake` | `glue` mode: a step's Glue job is `<prefix>-<step, - for _>` |
| `FLIGHTLAKE_ANOMALY_METHOD` | `robust` | `robust` or `isolation_forest` |
| `FLIGHTLAKE_WORKERS` | CPU count | processes for chart rendering |
| `FLIGHTLAKE_YEARS` | `2009-2018` | years the DAG and `flightlake run` cover |
| `FLIGHTLAKE_ALERT_TOPIC_ARN` | unset | SNS topic the DAG's failure callback publishes to (set on AWS by the deploy) |
| `FLIGHTLAKE_RELEASE` | unset | the deployed release this process runs (set on MWAA by the release's startup.sh) |
| `FLIGHTLAKE_JARS_DIR` | `<state dir>/jars` | cache of the S3A jars (shared by test stacks) |
| `FLIGHTLAKE_S3A_JARS` | the two jars in the jars dir | comma-separated jar files for S3A, instead of the cached ones |
| `FLIGHTLAKE_GLUE_RUNTIME_DIR` | `<state dir>/glue-runtime` | the emulator's Glue 5.0 runtime, built once |
| `FLIGHTLAKE_GLUE_PYTHON` | `python3.11` on PATH, pyenv's, system | the Python 3.11 that runtime is made from |
| `FLIGHTLAKE_TASK_RETRIES` | `2` | retries of each DAG task (transient failures only) |
| `FLIGHTLAKE_PROJECT_DIR` | the checkout around cwd or package | where `dags/`, `spark_jobs/`, `postgres_init/` are |
| `FLIGHTLAKE_EMULATOR_PORT` | `4566` | embedded S3/Glue emulator port (a free one if taken) |
| `FLIGHTLAKE_POSTGRES_PORT` | `5433` | embedded Postgres port (a free one if taken) |
| `FLIGHTLAKE_AIRFLOW_PORT` | `8080` | embedded Airflow UI port (a free one if taken) |
| `FLIGHTLAKE_PG_BINDIR` | found on PATH, then `/usr/lib/postgresql/*/bin`, Homebrew | PostgreSQL server binaries |
| `FLIGHTLAKE_PG_OS_USER` | `postgres` | unprivileged OS user the embedded Postgres runs as when started by root |

`<checkout>` is FLIGHTLAKE_PROJECT_DIR, else the first of the current directory and its parents
that holds `dags/flights_etl.py`: a command run from a subdirectory finds the stack of its
checkout, and one run outside any checkout says so rather than start a stack there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from flightlake.settings import values
from flightlake.settings.checkout import find_checkout
from flightlake.settings.values import FIRST_YEAR, LAST_YEAR, SettingsError, check_years, parse_years, validate_dsn

__all__ = [
    "CATALOG_ZONES", "FIRST_YEAR", "LAST_YEAR", "ZONES", "ExecutionMode", "Settings", "SettingsError", "SparkLaunch",
    "Zone", "check_years", "load_settings", "parse_years", "validate_dsn",
]  # fmt: skip

ZONES: tuple[str, ...] = ("raw", "stage", "analytics", "reports")
CATALOG_ZONES: tuple[str, ...] = ("raw", "stage", "analytics")

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_GLUE_DB_RE = re.compile(r"^[a-z0-9_]{1,255}$")
_SPARK_MASTER_RE = re.compile(r"^(local(\[(\*|[1-9][0-9]*)\])?|spark://[^:/\s]+:[0-9]{1,5}|yarn)$")
_MEMORY_RE = re.compile(r"^[1-9][0-9]*[mgMG]$")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")


class ExecutionMode(StrEnum):
    """Where the DAG's Spark steps run; `flightlake.pipeline.operators` has one module per mode."""

    LOCAL = "local"  # Spark on this machine or FLIGHTLAKE_SPARK_MASTER: the embedded stack, Docker Compose
    GLUE = "glue"  # a run of the step's AWS Glue job: Amazon MWAA


class SparkLaunch(StrEnum):
    """How the `local` mode starts a Spark step."""

    PROCESS = "process"  # a spark-submit application per step, as a scheduler's worker would
    INLINE = "inline"  # the step in the task's own process, whose Spark session then serves every later step


@dataclass(frozen=True)
class Zone:
    """Where one zone of the lake lives: a bucket and a key prefix inside it."""

    name: str
    bucket: str
    prefix: str

    def key(self, *parts: str) -> str:
        """Key under the zone's prefix, e.g. key('flights', 'year=2013') -> 'flights/year=2013'."""
        joined = "/".join(p.strip("/") for p in parts if p)
        return f"{self.prefix}/{joined}" if self.prefix else joined

    def uri(self, *parts: str, scheme: str = "s3") -> str:
        """URI of a key; Spark needs scheme `s3a` locally, Glue and boto3 use `s3`."""
        return f"{scheme}://{self.bucket}/{self.key(*parts)}"


@dataclass(frozen=True)
class Settings:
    """A validated snapshot of the environment; build it with `load_settings()`."""

    state_dir: Path
    region: str
    s3_endpoint: str | None
    zones: Mapping[str, Zone]
    glue_databases: Mapping[str, str]
    warehouse: str
    warehouse_dsn: str | None
    redshift_workgroup: str | None
    redshift_database: str
    redshift_copy_role_arn: str | None
    spark_master: str
    spark_driver_memory: str
    runtime: ExecutionMode
    spark_submit: SparkLaunch | None  # None: not set, each caller's own default
    glue_job_prefix: str
    anomaly_method: str
    workers: int
    years: tuple[int, ...] = field(default=tuple(range(FIRST_YEAR, LAST_YEAR + 1)))
    task_retries: int = 2
    emulator_port: int = 4566
    postgres_port: int = 5433
    airflow_port: int = 8080
    pg_bindir: str | None = None
    pg_os_user: str = "postgres"
    jars_dir: Path | None = None
    s3a_jars: tuple[Path, ...] | None = None
    glue_runtime_dir: Path | None = None
    glue_python: str | None = None  # a path or a command name
    project_dir: Path | None = None
    # False when FLIGHTLAKE_STATE_DIR is unset and the current directory is in no checkout:
    # state_dir is then ./.flightlake, where commands of the embedded stack refuse to build one.
    state_dir_known: bool = True
    alert_topic_arn: str | None = None
    release: str | None = None

    @property
    def s3a_jars_dir(self) -> Path:
        return self.jars_dir or self.state_dir / "jars"

    @property
    def glue_runtime_root(self) -> Path:
        return self.glue_runtime_dir or self.state_dir / "glue-runtime"

    def zone(self, name: str) -> Zone:
        return self.zones[name]

    def require_warehouse_dsn(self) -> str:
        """The DSN, or a clear error saying how to get one (it has no sensible default)."""
        if not self.warehouse_dsn:
            raise SettingsError(
                "FLIGHTLAKE_WAREHOUSE_DSN is not set. Start the embedded stack with "
                '`flightlake up` and load its variables with `eval "$(flightlake env)"`, or set '
                "it to postgresql://user:password@host:port/dbname."
            )
        return self.warehouse_dsn


def _zones(env: Mapping[str, str]) -> dict[str, Zone]:
    zones = {}
    for zone in ZONES:
        var = f"FLIGHTLAKE_{zone.upper()}_BUCKET"
        bucket = values.text(env, var, f"flightlake-{zone}") or ""
        if not _BUCKET_RE.match(bucket) or ".." in bucket:
            raise SettingsError(
                f"{var}={bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, dots or hyphens)."
            )
        prefix = (values.text(env, f"FLIGHTLAKE_{zone.upper()}_PREFIX", "") or "").strip("/")
        zones[zone] = Zone(zone, bucket, prefix)
    return zones


def _glue_databases(env: Mapping[str, str]) -> dict[str, str]:
    databases = {}
    for zone in CATALOG_ZONES:
        var = f"FLIGHTLAKE_GLUE_DB_{zone.upper()}"
        name = values.text(env, var, f"flightlake_{zone}") or ""
        if not _GLUE_DB_RE.match(name):
            raise SettingsError(f"{var}={name!r}: Glue database names are lowercase letters, digits and _.")
        databases[zone] = name
    return databases


def _spark(env: Mapping[str, str]) -> tuple[str, str]:
    master = values.text(env, "FLIGHTLAKE_SPARK_MASTER", "local[*]") or "local[*]"
    if not _SPARK_MASTER_RE.match(master):
        raise SettingsError(
            f"FLIGHTLAKE_SPARK_MASTER={master!r}: expected local, local[N], local[*] or spark://host:port."
        )
    memory = values.text(env, "FLIGHTLAKE_SPARK_DRIVER_MEMORY", "1g") or "1g"
    if not _MEMORY_RE.match(memory):
        raise SettingsError(f"FLIGHTLAKE_SPARK_DRIVER_MEMORY={memory!r}: expected a size like 2g or 1536m.")
    return master, memory


def _region(env: Mapping[str, str], endpoint: str | None, runtime: str) -> str:
    """The region: named explicitly, or us-east-1 off AWS (the emulator, a laptop).

    On AWS (the Glue runtime, no emulator endpoint) a silent us-east-1 would send the jobs' catalog
    and S3 calls to the wrong region, so there a region must be set.
    """
    for name in ("FLIGHTLAKE_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"):
        value = values.text(env, name)
        if value:
            if not _REGION_RE.match(value):
                raise SettingsError(f"{name}={value!r} is not an AWS region name (e.g. eu-west-1).")
            return value
    if runtime == "glue" and endpoint is None:
        raise SettingsError(
            "no AWS region: FLIGHTLAKE_RUNTIME=glue runs on AWS, where the region must be explicit. Set "
            "FLIGHTLAKE_REGION (the deploy passes it to MWAA and the Glue jobs) or AWS_REGION."
        )
    return "us-east-1"


def _state_dir(env: Mapping[str, str], project_dir: Path | None) -> tuple[Path, bool]:
    """FLIGHTLAKE_STATE_DIR, else `.flightlake` in the checkout: the one FLIGHTLAKE_PROJECT_DIR
    names, else the one around the current directory, so that a command run from a subdirectory
    finds the stack `up` started at the top. Outside any checkout: (./.flightlake, False)."""
    given = values.path(env, "FLIGHTLAKE_STATE_DIR")
    if given is not None:
        return given, True
    checkout = project_dir or find_checkout(Path.cwd())
    return (checkout or Path.cwd()) / ".flightlake", checkout is not None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; fails fast, naming the variable, on a bad value."""
    env = os.environ if env is None else env
    dsn = values.text(env, "FLIGHTLAKE_WAREHOUSE_DSN")
    if dsn:
        validate_dsn("FLIGHTLAKE_WAREHOUSE_DSN", dsn)
    spark_master, driver_memory = _spark(env)
    spark_submit = None
    if values.text(env, "FLIGHTLAKE_SPARK_SUBMIT") is not None:
        spark_submit = SparkLaunch(values.choice(env, "FLIGHTLAKE_SPARK_SUBMIT", "process", tuple(SparkLaunch)))
    years_text = values.text(env, "FLIGHTLAKE_YEARS", f"{FIRST_YEAR}-{LAST_YEAR}") or ""
    project_dir = values.path(env, "FLIGHTLAKE_PROJECT_DIR")
    state_dir, state_dir_known = _state_dir(env, project_dir)
    endpoint = values.endpoint(env, ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"))
    runtime = ExecutionMode(values.choice(env, "FLIGHTLAKE_RUNTIME", "local", tuple(ExecutionMode)))
    return Settings(
        state_dir=state_dir,
        state_dir_known=state_dir_known,
        region=_region(env, endpoint, runtime),
        s3_endpoint=endpoint,
        zones=_zones(env),
        glue_databases=_glue_databases(env),
        warehouse=values.choice(env, "FLIGHTLAKE_WAREHOUSE", "postgres", ("postgres", "redshift")),
        warehouse_dsn=dsn,
        redshift_workgroup=values.text(env, "FLIGHTLAKE_REDSHIFT_WORKGROUP"),
        redshift_database=values.text(env, "FLIGHTLAKE_REDSHIFT_DATABASE", "dev") or "dev",
        redshift_copy_role_arn=values.text(env, "FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN"),
        spark_master=spark_master,
        spark_driver_memory=driver_memory,
        runtime=runtime,
        spark_submit=spark_submit,
        glue_job_prefix=values.text(env, "FLIGHTLAKE_GLUE_JOB_PREFIX", "flightlake") or "flightlake",
        anomaly_method=values.choice(env, "FLIGHTLAKE_ANOMALY_METHOD", "robust", ("robust", "isolation_forest")),
        workers=values.whole_number(env, "FLIGHTLAKE_WORKERS", os.cpu_count() or 1, 1, "processes"),
        years=parse_years(years_text, "FLIGHTLAKE_YEARS"),
        task_retries=values.whole_number(env, "FLIGHTLAKE_TASK_RETRIES", 2, 0, "retries"),
        emulator_port=values.port(env, "FLIGHTLAKE_EMULATOR_PORT", 4566),
        postgres_port=values.port(env, "FLIGHTLAKE_POSTGRES_PORT", 5433),
        airflow_port=values.port(env, "FLIGHTLAKE_AIRFLOW_PORT", 8080),
        pg_bindir=values.text(env, "FLIGHTLAKE_PG_BINDIR"),
        pg_os_user=values.text(env, "FLIGHTLAKE_PG_OS_USER", "postgres") or "postgres",
        jars_dir=values.path(env, "FLIGHTLAKE_JARS_DIR"),
        s3a_jars=values.paths(env, "FLIGHTLAKE_S3A_JARS"),
        glue_runtime_dir=values.path(env, "FLIGHTLAKE_GLUE_RUNTIME_DIR"),
        glue_python=values.text(env, "FLIGHTLAKE_GLUE_PYTHON"),
        project_dir=project_dir,
        alert_topic_arn=values.text(env, "FLIGHTLAKE_ALERT_TOPIC_ARN"),
        release=values.text(env, "FLIGHTLAKE_RELEASE"),
    )
