"""The pipeline's steps, each declared once: its name, its engine, what it reads and writes, what
comes before it, and the function that does it.

Everything else is derived from `STEPS`: the DAG's tasks, their order and their Assets
(`dags/flights_etl.py`, `pipeline.lineage`), the Spark applications and the AWS Glue job of each
Spark step (`spark_jobs/run_step.py`, `deploy.glue_jobs`), and what each execution mode runs
(`pipeline.operators`). Adding a step means adding it here.

Every step is `run(settings, year, run_id=None) -> dict`: the year is an int from the DAG to the
step, the dict is the step's result (its manifest, or its figures), which becomes the task's XCom.
`run_id` is the orchestrator's id of the run that asked (Airflow's `run_id`), kept where a step
records history. A step module is cheap to import (its heavy imports are inside `run`), so the
DAG parses in a fraction of a second although it imports every step through this module; a test
holds them to it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flightlake.lake.tables import (
    AIRPORT_DAILY,
    AIRPORT_DAILY_ANOMALIES,
    CHARTS,
    DASHBOARD,
    RAW_FLIGHTS,
    STAGE_FLIGHTS,
    STAGE_REJECTS,
    Reports,
    Table,
)
from flightlake.pipeline.steps import (
    check_raw,
    detect_anomalies,
    load_warehouse,
    raw_to_stage,
    render_charts,
    report,
    stage_to_analytics,
)
from flightlake.warehouse.columns import AIRPORT_DAILY_DELAYS, WarehouseTable

DAG_ID = "flights_etl"

Dataset = Table | Reports | WarehouseTable
StepFunction = Callable[..., dict[str, Any]]  # (settings: Settings, year: int, run_id: str | None = None)


class Engine(StrEnum):
    """What runs a step."""

    PYTHON = "python"  # the Airflow worker itself
    SPARK = "spark"  # a Spark application, where the execution mode says (FLIGHTLAKE_RUNTIME)


@dataclass(frozen=True)
class Step:
    name: str
    engine: Engine
    run: StepFunction
    reads: tuple[Dataset, ...]
    writes: tuple[Dataset, ...]
    after: tuple[str, ...]  # the steps that must have succeeded first

    @property
    def purpose(self) -> str:
        """The first line of the step module's docstring: what the step is for."""
        doc = inspect.getdoc(inspect.getmodule(self.run)) or self.name
        return doc.splitlines()[0]


STEPS: tuple[Step, ...] = (
    Step("check_raw", Engine.PYTHON, check_raw.run, reads=(RAW_FLIGHTS,), writes=(), after=()),
    Step(
        "raw_to_stage",
        Engine.SPARK,
        raw_to_stage.run,
        reads=(RAW_FLIGHTS,),
        writes=(STAGE_FLIGHTS, STAGE_REJECTS),
        after=("check_raw",),
    ),
    Step(
        "stage_to_analytics",
        Engine.SPARK,
        stage_to_analytics.run,
        reads=(STAGE_FLIGHTS,),
        writes=(AIRPORT_DAILY,),
        after=("raw_to_stage",),
    ),
    Step(
        "detect_anomalies",
        Engine.PYTHON,
        detect_anomalies.run,
        reads=(AIRPORT_DAILY,),
        writes=(AIRPORT_DAILY_ANOMALIES,),
        after=("stage_to_analytics",),
    ),
    Step(
        "load_warehouse",
        Engine.PYTHON,
        load_warehouse.run,
        reads=(AIRPORT_DAILY_ANOMALIES,),
        writes=(AIRPORT_DAILY_DELAYS,),
        after=("detect_anomalies",),
    ),
    Step(
        "render_charts",
        Engine.PYTHON,
        render_charts.run,
        reads=(AIRPORT_DAILY_ANOMALIES,),
        writes=(CHARTS,),
        after=("detect_anomalies",),
    ),
    Step(
        "report",
        Engine.PYTHON,
        report.run,
        reads=(STAGE_FLIGHTS, AIRPORT_DAILY, AIRPORT_DAILY_ANOMALIES, AIRPORT_DAILY_DELAYS, CHARTS),
        writes=(DASHBOARD,),
        after=("load_warehouse", "render_charts"),
    ),
)


class UnknownStep(LookupError):
    """A name that is not a step of STEPS (a Glue job's `--step` argument, a CLI argument)."""


def step(name: str) -> Step:
    for candidate in STEPS:
        if candidate.name == name:
            return candidate
    raise UnknownStep(f"no pipeline step {name!r}; the steps are {', '.join(s.name for s in STEPS)}")


def spark_steps() -> tuple[Step, ...]:
    """The steps that run as Spark applications: one AWS Glue job each in a deployment."""
    return tuple(s for s in STEPS if s.engine is Engine.SPARK)


def glue_job_name(prefix: str, step_name: str) -> str:
    """The AWS Glue job of a Spark step: `<prefix>-<step, with - for _>`, e.g. flightlake-raw-to-stage."""
    return f"{prefix}-{step_name.replace('_', '-')}"


def flow_markdown() -> str:
    """The steps as a table, for the DAG's documentation in the Airflow UI."""
    rows = [
        f"| `{s.name}` | {s.engine} | {', '.join(s.after) or '-'} | "
        f"{', '.join(d.name for d in s.reads) or '-'} | {', '.join(d.name for d in s.writes) or '-'} | {s.purpose} |"
        for s in STEPS
    ]
    header = "| step | engine | after | reads | writes | what it does |\n| --- | --- | --- | --- | --- | --- |"
    return "\n".join([__doc__.split("\n\n")[0], "", header, *rows])
