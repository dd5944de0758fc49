"""`flightlake run --rehearse-aws`: the DAG as it runs on Amazon MWAA, offline.

It does what a deploy does, against the embedded stack (`rehearsal_deploy`: the environment
`rehearsal`'s lake, a release of this checkout, its Glue jobs as `flightlake.deploy.glue_jobs`
defines them, the warehouse DDL through the Redshift Data API), puts the data into that
environment's lake, then runs `flights_etl` with the configuration MWAA gets from the release's
startup.sh: runtime `glue` (each Spark step a Glue job run, really run by the emulator's Glue
stand-in under AWS Glue 5.0's runtime) and warehouse `redshift` (the load a Redshift COPY and
MERGE through the Data API, really run by the emulator's Data API stand-in on the embedded
PostgreSQL, in the environment's own database, as its own Redshift namespace would be).
The environment's dashboard is copied to `<state dir>/rehearsal/reports/`: the local path's
warehouse and dashboard stay as the last local run left them. The DAG's tasks get exactly the
FLIGHTLAKE_* variables startup.sh exports, no others; only AWS's endpoint and credentials are
the emulator's. Nothing in the pipeline's code knows it is a rehearsal.

What it cannot show is listed in the README: IAM, the VPC, quotas and the services' own limits
are only checked by the deploy's plan (and by AWS).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flightlake.deploy.names import DATABASE
from flightlake.local.harness.dag_path import DagPath
from flightlake.local.harness.rehearsal_deploy import Echo, Rehearsal, deploy_to_emulator
from flightlake.local.stack.airflow_env import airflow_environment, airflow_home
from flightlake.settings import Settings

PATH = "AWS path (rehearsal): Glue job runs, Redshift Data API, on the emulator"
REPORTS = Path("rehearsal") / "reports"  # under the state directory: the environment's dashboard
# MWAA has an Airflow metadata database of its own. The rehearsal too: the DAG's assets name the
# environment's buckets, and Airflow refuses an asset whose name another URI has in its database.
METADATA_DB = "airflow-rehearsal.db"


def metadata_db(settings: Settings) -> Path:
    return airflow_home(settings) / METADATA_DB


def mwaa_path(settings: Settings, deployed: Rehearsal) -> DagPath:
    """The DAG's way on MWAA: its tasks get the environment of the deploy's startup.sh, and no
    other FLIGHTLAKE_* variable; AWS's endpoint and credentials stay the emulator's."""
    from flightlake.local.emulator.glue_job_logs import JOBS_FOLDER
    from flightlake.local.emulator.glue_runtime import ensure_runtime
    from flightlake.local.emulator.redshift_namespaces import namespace_database
    from flightlake.local.stack.emulator import emulator_dir

    env = {name: value for name, value in airflow_environment(settings).items() if not name.startswith("FLIGHTLAKE_")}
    env.update(deployed.mwaa_environment)
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{metadata_db(settings)}"
    glue_logs = emulator_dir(settings) / JOBS_FOLDER
    runtime = ensure_runtime(settings)
    database = namespace_database(deployed.workgroup, DATABASE)
    return DagPath(
        PATH,
        env,
        f"redshift-serverless://{deployed.workgroup}/{DATABASE} (the emulator's Data API: database {database} "
        "of the embedded PostgreSQL, the environment's own; the local warehouse is untouched)",
        notes=(
            f"release {deployed.version} of environment {deployed.names.env.name}, "
            f"artifacts in s3://{deployed.artifacts_bucket}/",
            f"Glue job runs under the {runtime.describe()}",
            f"Glue job runs: driver logs under {glue_logs}/<job>/<run id>/ (and in the task log)",
        ),
        lake=deployed.lake,
        reports_dir=settings.state_dir / REPORTS,
    )


def aws_path(echo: Echo) -> Callable[[Settings], DagPath]:
    """For `main_job.run(path=...)`: deploy to the emulator, then run the DAG as MWAA does."""
    return lambda settings: mwaa_path(settings, deploy_to_emulator(settings, echo))
