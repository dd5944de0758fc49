"""flights_etl: one run per year of airline delay data, FLIGHTLAKE_YEARS (2009-2018), with catchup.

    check_raw >> raw_to_stage >> stage_to_analytics >> detect_anomalies >> load_warehouse
              >> render_charts >> report

The same file runs everywhere: the embedded stack (`flightlake run`), Docker Compose and Amazon
MWAA. Where the Spark steps run is configuration (`FLIGHTLAKE_RUNTIME`: a spark-submit, or an AWS
Glue job), as is the warehouse (`FLIGHTLAKE_WAREHOUSE`). The year is the run's logical date's
year. Each task declares the datasets it reads and writes (Assets), and imports what it needs
only when it runs; the steps themselves are the modules of `flightlake.pipeline`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from flightlake.pipeline.alerts import on_task_failure
from flightlake.pipeline.lineage import lineage
from flightlake.pipeline.retry_rules import retry_arguments, run_task
from flightlake.pipeline.runtimes import spark_step
from flightlake.settings import load_settings

SETTINGS = load_settings()
DATA = lineage(SETTINGS)


@dag(
    dag_id="flights_etl",
    schedule=CronTriggerTimetable("0 0 1 1 *", timezone="UTC"),
    start_date=pendulum.datetime(min(SETTINGS.years), 1, 1, tz="UTC"),
    end_date=pendulum.datetime(max(SETTINGS.years), 12, 31, tz="UTC"),
    catchup=True,
    max_active_runs=1,
    default_args={"owner": "flightlake", "on_failure_callback": on_task_failure, **retry_arguments(SETTINGS)},
    tags=["flightlake"],
    doc_md=__doc__,
)
def flights_etl() -> None:
    @task(inlets=[DATA.raw])
    def check_raw(**context) -> dict:
        from flightlake.pipeline import check_raw

        return run_task(check_raw.run, context)

    raw_to_stage = spark_step("raw_to_stage", inlets=[DATA.raw], outlets=[DATA.stage, DATA.rejects])
    stage_to_analytics = spark_step("stage_to_analytics", inlets=[DATA.stage], outlets=[DATA.daily])

    @task(inlets=[DATA.daily], outlets=[DATA.anomalies])
    def detect_anomalies(**context) -> dict:
        from flightlake.pipeline import detect_anomalies

        return run_task(detect_anomalies.run, context)

    @task(inlets=[DATA.anomalies], outlets=[DATA.warehouse])
    def load_warehouse(**context) -> dict:
        from flightlake.pipeline import load_warehouse

        return run_task(load_warehouse.run, context, airflow_run_id=context["run_id"])

    @task(inlets=[DATA.anomalies], outlets=[DATA.charts])
    def render_charts(**context) -> dict:
        from flightlake.pipeline import render_charts

        return run_task(render_charts.run, context)

    @task(inlets=[DATA.stage, DATA.daily, DATA.anomalies, DATA.warehouse, DATA.charts], outlets=[DATA.dashboard])
    def report(**context) -> dict:
        from flightlake.pipeline import report

        return run_task(report.run, context)

    (
        check_raw()
        >> raw_to_stage
        >> stage_to_analytics
        >> detect_anomalies()
        >> load_warehouse()
        >> render_charts()
        >> report()
    )


flights_etl()
