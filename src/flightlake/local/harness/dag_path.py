"""Which way the DAG's tasks go when `flightlake run` runs them: the local path (Spark steps in
the task's process, PostgreSQL) or the AWS rehearsal's (`rehearsal.aws_path`: Glue job runs and
the Redshift Data API on the emulator). Kept apart from `main_job` so that the rehearsal can
name its own path without main_job knowing it exists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flightlake.local.stack.airflow_env import airflow_environment
from flightlake.settings import Settings


@dataclass(frozen=True)
class DagPath:
    """Which way the DAG's tasks go, and the environment of the process that runs them."""

    description: str
    environment: dict[str, str]
    warehouse: str  # where the summary says the rows went
    notes: tuple[str, ...] = ()
    # The lake the data goes into and the DAG reads, when it is not the embedded stack's own (the
    # rehearsal's environment has a lake of its own, as a deployed environment has).
    lake: Settings | None = None
    # Where the run's reports zone is copied for the dashboard, when not `<state dir>/reports`
    # (the rehearsal's environment has a reports bucket, and so a dashboard, of its own).
    reports_dir: Path | None = None


def local_path(settings: Settings) -> DagPath:
    """The embedded stack's own way: Spark steps in the task's process, PostgreSQL."""
    from flightlake.local.stack.service import redact

    # All tasks of all years run in the child's one process: unless told otherwise, the Spark
    # steps share one warm Spark session there (see flightlake.pipeline.operators.local).
    mode = settings.spark_submit or "inline"
    env = airflow_environment(settings, {"FLIGHTLAKE_SPARK_SUBMIT": mode})
    spark = "Spark steps in-process" if mode == "inline" else "Spark steps by spark-submit"
    return DagPath(f"local path: {spark}, PostgreSQL", env, redact(settings.warehouse_dsn or ""))
