"""Where a Spark step runs is configuration, not code: one module per runtime.

    local   spark-submit of the step's script (or the step in the task's own process), on
            FLIGHTLAKE_SPARK_MASTER: the embedded stack and Docker Compose
    glue    a run of the step's AWS Glue job: Amazon MWAA

`FLIGHTLAKE_RUNTIME` names the module; each offers `spark_step(job, settings, **task_arguments)`,
which returns the DAG's task for that step. The DAG never asks where it runs, and both runtimes
follow the same retry rules (`flightlake.pipeline.retry_rules`).
"""

from __future__ import annotations

import importlib
from typing import Any

from flightlake.settings import load_settings


def spark_step(job: str, **task_arguments: Any) -> Any:
    """The task that runs the Spark step `job` (e.g. `raw_to_stage`) on the configured runtime."""
    settings = load_settings()
    runtime = importlib.import_module(f"{__name__}.{settings.runtime}")
    return runtime.spark_step(job, settings, **task_arguments)
