"""flights_etl: one run per year of airline delay data, FLIGHTLAKE_YEARS (2009-2018), with catchup.

The steps, their order and what each reads and writes are declared once, in
`flightlake.pipeline.registry`; this file makes a task of each step and chains them as declared. The
operator of a task follows from its step's engine and the execution mode
(`flightlake.pipeline.operators`), so the same file runs everywhere: the embedded stack
(`flightlake run`), Docker Compose and Amazon MWAA, where only the environment differs
(`FLIGHTLAKE_RUNTIME`, `FLIGHTLAKE_WAREHOUSE`, ...). Every task takes the run's year as an int
(native template rendering) and declares the Assets its step reads and writes.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag
from airflow.timetables.trigger import CronTriggerTimetable

from flightlake.pipeline.alerts import on_task_failure
from flightlake.pipeline.operators import step_operator
from flightlake.pipeline.registry import DAG_ID, STEPS, flow_markdown
from flightlake.pipeline.retry_rules import retry_arguments
from flightlake.settings import load_settings

SETTINGS = load_settings()


@dag(
    dag_id=DAG_ID,
    schedule=CronTriggerTimetable("0 0 1 1 *", timezone="UTC"),
    start_date=pendulum.datetime(min(SETTINGS.years), 1, 1, tz="UTC"),
    end_date=pendulum.datetime(max(SETTINGS.years), 12, 31, tz="UTC"),
    catchup=True,
    max_active_runs=1,
    render_template_as_native_obj=True,
    default_args={"owner": "flightlake", "on_failure_callback": on_task_failure, **retry_arguments(SETTINGS)},
    tags=["flightlake"],
    doc_md=flow_markdown(),
)
def flights_etl() -> None:
    tasks = {step.name: step_operator(step, SETTINGS) for step in STEPS}
    for step in STEPS:
        tasks[step.name].set_upstream([tasks[name] for name in step.after])


flights_etl()
