"""flights_etl: one run per year of airline delay data, 2009 to 2018 (catchup/backfill).

    check_raw >> raw_to_stage >> stage_to_analytics >> detect_anomalies >> load_warehouse
              >> render_charts >> report

The same file runs everywhere: the embedded stack (`flightlake run`), Docker Compose and Amazon
MWAA. Only the Spark steps differ, chosen by `FLIGHTLAKE_RUNTIME`: AWS Glue jobs on MWAA, a
`spark-submit` of the same scripts elsewhere. The year is the run's logical date's year.
Nothing heavy is imported here; each task imports what it needs when it runs.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from flightlake import dag_tasks
from flightlake.settings import FIRST_YEAR, LAST_YEAR, load_settings

SETTINGS = load_settings()
DEFAULT_ARGS = {
    "owner": "flightlake",
    "retries": int(os.environ.get("FLIGHTLAKE_TASK_RETRIES", "2")),
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
    "on_failure_callback": dag_tasks.report_failure,
}


def _year(context: dict) -> int:
    """The data year of a run: Airflow 3's yearly trigger puts the logical date on 1 January."""
    return context["logical_date"].year


def _fail_fast(call, *args):  # noqa: ANN001 - thin adapter
    """Run a task function; an error that a retry cannot fix fails the task at once."""
    from airflow.exceptions import AirflowFailException

    from flightlake.contract import ContractViolation
    from flightlake.spark_submit import SparkJobFailed

    try:
        return call(*args)
    except ContractViolation as error:
        raise AirflowFailException(str(error)) from error
    except SparkJobFailed as error:
        if not error.retryable:
            raise AirflowFailException(str(error)) from error
        raise


def spark_step(job: str):  # noqa: ANN201 - an Airflow operator or TaskFlow task
    """The Spark step `job`: a Glue job on MWAA, a spark-submit of the same script elsewhere."""
    if SETTINGS.runtime == "glue":
        from airflow.providers.amazon.aws.operators.glue import GlueJobOperator

        return GlueJobOperator(
            task_id=job,
            job_name=SETTINGS.glue_job_name(job),
            script_args={"--year": "{{ logical_date.year }}"},
            region_name=SETTINGS.region,
            wait_for_completion=True,
            verbose=True,
        )

    @task(task_id=job)
    def run_spark(**context) -> dict:
        return _fail_fast(dag_tasks.run_spark, job, _year(context))

    return run_spark()


@dag(
    dag_id="flights_etl",
    schedule=CronTriggerTimetable("0 0 1 1 *", timezone="UTC"),
    start_date=pendulum.datetime(FIRST_YEAR, 1, 1, tz="UTC"),
    end_date=pendulum.datetime(LAST_YEAR, 12, 31, tz="UTC"),
    catchup=True,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["flightlake"],
    doc_md=__doc__,
)
def flights_etl() -> None:
    @task
    def check_raw(**context) -> dict:
        return _fail_fast(dag_tasks.check_raw, _year(context))

    @task
    def detect_anomalies(**context) -> dict:
        return dag_tasks.detect_anomalies(_year(context))

    @task
    def load_warehouse(**context) -> dict:
        return dag_tasks.load_warehouse(_year(context), context["run_id"])

    @task
    def render_charts(**context) -> dict:
        return dag_tasks.render_charts(_year(context))

    @task
    def report(**context) -> dict:
        return dag_tasks.report(_year(context))

    (
        check_raw()
        >> spark_step("raw_to_stage")
        >> spark_step("stage_to_analytics")
        >> detect_anomalies()
        >> load_warehouse()
        >> render_charts()
        >> report()
    )


flights_etl()
