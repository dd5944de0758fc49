"""How the DAG runs a step: the step's engine and the execution mode choose the operator, as
astronomer-cosmos chooses by its ExecutionMode; the DAG never asks where it runs.

    python  PythonStepOperator      a Python step, in the Airflow worker (every mode)
    local   LocalSparkStepOperator  a Spark step on this machine or FLIGHTLAKE_SPARK_MASTER
                                    (FLIGHTLAKE_RUNTIME=local): in the task's process, or spark-submit
    glue    GlueSparkStepOperator   a Spark step as a run of its AWS Glue job (FLIGHTLAKE_RUNTIME=glue, MWAA)

Every operator takes the step's name and `year` (templated: the run's logical date's year, an int
under the DAG's native rendering), declares the step's Assets, and follows the same retry rules
(`pipeline.retry_rules`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flightlake.pipeline.lineage import asset
from flightlake.pipeline.registry import Engine, Step, glue_job_name
from flightlake.settings import ExecutionMode, Settings

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator

YEAR = "{{ logical_date.year }}"  # a yearly schedule puts the logical date on 1 January


def step_operator(step: Step, settings: Settings, **task_arguments: Any) -> BaseOperator:
    """The DAG's task for `step`, on the execution mode the settings name."""
    common = {
        "task_id": step.name,
        "step_name": step.name,
        "year": YEAR,
        "inlets": [asset(dataset, settings) for dataset in step.reads],
        "outlets": [asset(dataset, settings) for dataset in step.writes],
        **task_arguments,
    }
    if step.engine is Engine.PYTHON:
        from flightlake.pipeline.operators.python import PythonStepOperator

        return PythonStepOperator(**common)
    if settings.runtime is ExecutionMode.GLUE:
        from flightlake.pipeline.operators.glue import GlueSparkStepOperator

        job_name = glue_job_name(settings.glue_job_prefix, step.name)
        return GlueSparkStepOperator(job_name=job_name, region_name=settings.region, **common)
    from flightlake.pipeline.operators.local import LocalSparkStepOperator

    return LocalSparkStepOperator(**common)
