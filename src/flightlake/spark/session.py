"""The one way flightlake gets a SparkSession: local, a standalone master, or AWS Glue.

On Glue (`FLIGHTLAKE_RUNTIME=glue`) S3 access is built in and the session is Glue's own. Elsewhere
the session runs on `FLIGHTLAKE_SPARK_MASTER` and reaches the lake through S3A: the two jars
below, found in `FLIGHTLAKE_JARS_DIR` or named by `FLIGHTLAKE_S3A_JARS` (`make setup` and the
container images put them there), and the endpoint from the settings, because Spark does not
read `AWS_ENDPOINT_URL`. Nothing here fetches anything: a missing jar is an error that says how
to get it.

Imported by the Spark jobs on Glue: standard library and pyspark only at module level.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from flightlake.errors import FlightlakeError
from flightlake.settings import ExecutionMode, Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Spark's S3A connector for PySpark 3.5 (Hadoop client 3.3.4); not in the pyspark wheel.
S3A_JARS: tuple[str, ...] = ("hadoop-aws-3.3.1.jar", "aws-java-sdk-bundle-1.11.901.jar")

# SQL settings every session gets, Glue's included (they can be set on a running session). The
# partition overwrite mode is not one of them: each write states its own (see the pipeline steps).
SQL_CONF = {
    "spark.sql.session.timeZone": "UTC",
    # The JVM does not JIT-compile a method over 8000 bytes of bytecode, and Spark's default limit
    # lets whole-stage codegen produce such methods: the raw parser's ~50 checks then ran
    # interpreted, 3x slower. At 8000, Spark splits that stage into expression-level code instead.
    "spark.sql.codegen.hugeMethodLimit": "8000",
    # Input splits of 64 MB instead of 128: a 891 MB year is 14 tasks, not 7, so two cores finish
    # together instead of one of them reading the last split alone (4 rounds of work for 3.5).
    "spark.sql.files.maxPartitionBytes": str(64 * 1024 * 1024),
    # Data built in the driver (`line_verdicts`) reaches the JVM as Arrow, with no Python workers.
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
}


def s3a_conf(settings: Settings) -> dict[str, str]:
    """Hadoop S3A options for the configured endpoint (emulator) or real S3."""
    conf = {
        "spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.endpoint.region": settings.region,
    }
    if settings.s3_endpoint:
        conf.update(
            {
                "spark.hadoop.fs.s3a.endpoint": settings.s3_endpoint,
                "spark.hadoop.fs.s3a.path.style.access": "true",
                "spark.hadoop.fs.s3a.connection.ssl.enabled": str(settings.s3_endpoint.startswith("https")).lower(),
                "spark.hadoop.fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
                "spark.hadoop.fs.s3a.access.key": os.environ.get("AWS_ACCESS_KEY_ID", ""),
                "spark.hadoop.fs.s3a.secret.key": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
                "spark.hadoop.fs.s3a.change.detection.mode": "none",
            }
        )
    else:
        conf["spark.hadoop.fs.s3a.aws.credentials.provider"] = "com.amazonaws.auth.DefaultAWSCredentialsProviderChain"
    return conf


def session_conf(settings: Settings, jars: list[str] | None = None) -> dict[str, str]:
    """Everything a non-Glue session needs; also used to build `spark-submit --conf` lists."""
    conf = {
        **SQL_CONF,
        "spark.sql.shuffle.partitions": str(max(4, 2 * (os.cpu_count() or 2))),
        "spark.driver.memory": settings.spark_driver_memory,
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.parquet.compression.codec": "snappy",
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
        # A session shared by the steps of `flightlake run` stays up while the Python tasks run:
        # after 10 s without a collection (or at once, `release_free_heap`), G1 collects and hands
        # the free heap back to the system, so the JVM's resident memory does not sit at its peak
        # under the chart workers. A heap kept at most 30% free after each collection holds a
        # full-scale year's peak (JVM and Python processes together) near 1.8 GB instead of 2.5.
        "spark.driver.extraJavaOptions": " ".join(
            ("-XX:G1PeriodicGCInterval=10000", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30")
        ),
        **s3a_conf(settings),
    }
    if jars:
        conf["spark.jars"] = ",".join(jars)
    return conf


class SparkSetupError(FlightlakeError):
    """Spark cannot reach the lake from here: the S3A jars are missing."""


def s3a_jars(settings: Settings) -> list[Path]:
    """The S3A jar files this session loads; an error naming the fix when one is missing."""
    paths = list(settings.s3a_jars) if settings.s3a_jars else [settings.s3a_jars_dir / name for name in S3A_JARS]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise SparkSetupError(
            f"the S3A jars Spark needs are missing: {', '.join(missing)}. Fix: run `make setup` (it fetches "
            "them once into FLIGHTLAKE_JARS_DIR), or name existing files in FLIGHTLAKE_S3A_JARS."
        )
    return paths


def spark_home() -> Path:
    """The Spark of this virtualenv's pyspark (its bin/spark-submit), not whatever else is installed."""
    import pyspark

    return Path(pyspark.__file__).parent


def lake_scheme(settings: Settings) -> str:
    """URI scheme for lake paths inside Spark: `s3` on Glue, `s3a` elsewhere."""
    return "s3" if settings.runtime is ExecutionMode.GLUE else "s3a"


def get_session(settings: Settings, app_name: str) -> SparkSession:
    """The active session, or a new one configured for this runtime."""
    from pyspark.sql import SparkSession

    if settings.runtime is ExecutionMode.GLUE:
        spark = SparkSession.builder.appName(app_name).getOrCreate()
        for key, value in SQL_CONF.items():
            spark.conf.set(key, value)
        return spark
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers must be this interpreter: the machine's default python3 may be another minor.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    jars = [str(p) for p in s3a_jars(settings)]
    builder = SparkSession.builder.appName(app_name).master(settings.spark_master)
    for key, value in session_conf(settings, jars).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def release_free_heap() -> None:
    """Collect the idle session's heap, so G1 hands what is free back to the system.

    `flightlake run` keeps one session for every Spark step of every year, and the Python steps
    that follow (the chart workers above all) would otherwise run beside a JVM still sized for
    the last parse: about 1.2 GB resident, of which a few hundred MB are live."""
    from pyspark.sql import SparkSession

    spark = SparkSession.getActiveSession()
    if spark is not None:
        spark.sparkContext._jvm.System.gc()
