"""The `glue` runtime of the DAG's Spark steps (`FLIGHTLAKE_RUNTIME=glue`, what MWAA runs).

Each Spark step is a run of the AWS Glue job `<FLIGHTLAKE_GLUE_JOB_PREFIX>-<step>` (defined per
release by `flightlake deploy`, `deploy/glue_jobs.py`), started by Airflow's own `GlueJobOperator` with `--year` as
the run's argument. The operator is deferrable: it starts the run and hands the waiting to the
triggerer, so a worker slot is not held for the length of a Glue job; killing the task stops the
run (`stop_job_run_on_kill`). The driver's log is copied into the task log (`verbose`).

What the stock operator does not do is added when the run is over:
- the retry rules of `flightlake.pipeline.retry_rules`: a run that failed because the job refused
  its input (`INPUT ERROR` in the run's ErrorMessage) fails the task at once; any other failure
  is left to Airflow's retries;
- the run's ErrorMessage goes into the task's error, and a STOPPED run is a failure (the stock
  operator counts it as finished).
"""

from __future__ import annotations

from typing import Any

from flightlake.settings import Settings
from flightlake.spark.job import INPUT_ERROR_MARK

# Glue job runs take minutes on AWS (a minute of that is start-up): a status call every few
# seconds costs nothing against Glue's API quotas and ends the wait soon after the run does.
POLL_SECONDS = 5
# Longer than any job's own Timeout (an environment file allows up to 2880 minutes), so Glue's
# TIMEOUT is what is reported, not the wait's end.
MAX_WAIT_SECONDS = (2880 + 10) * 60
ACTIVE_STATES = ("STARTING", "RUNNING", "STOPPING", "WAITING")


def failure_message(job_name: str, run: dict[str, Any]) -> str:
    """What the task log and the run summary say about a failed Glue job run."""
    state = run.get("JobRunState", "?")
    error = run.get("ErrorMessage") or "no error message"
    return f"Glue job {job_name} run {run.get('Id', '?')} ended {state}: {error}"


def is_permanent(run: dict[str, Any]) -> bool:
    """True when the job refused its input: the same run would fail the same way again."""
    return INPUT_ERROR_MARK in (run.get("ErrorMessage") or "")


def raise_for_run(job_name: str, run: dict[str, Any]) -> None:
    """Nothing for a SUCCEEDED run; otherwise the task's failure, by the retry rules."""
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    if run.get("JobRunState") == "SUCCEEDED":
        return
    message = failure_message(job_name, run)
    if is_permanent(run):
        raise AirflowFailException(message)
    raise AirflowException(message)


def spark_step(job: str, settings: Settings, **task_arguments: Any) -> Any:
    """The DAG's task for a Spark step: the Glue job of that name, one run per year."""
    from airflow.providers.amazon.aws.operators.glue import GlueJobOperator

    class FlightlakeGlueJobOperator(GlueJobOperator):
        """GlueJobOperator (deferrable) with the project's retry rules and the run's error."""

        def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> str:
            event = event or {}
            run_id = event.get("run_id") or self._job_run_id
            if not run_id:
                return super().execute_complete(context, event)
            run = self.hook.conn.get_job_run(JobName=self.job_name, RunId=run_id)["JobRun"]
            if run.get("JobRunState") in ACTIVE_STATES:  # the wait gave up, not the run: stop it
                self.hook.conn.batch_stop_job_run(JobName=self.job_name, JobRunIds=[run_id])
                run = {**run, "ErrorMessage": event.get("message") or "the wait for the run ended first"}
            raise_for_run(self.job_name, run)
            return run_id

    return FlightlakeGlueJobOperator(
        task_id=job,
        job_name=settings.glue_job_name(job),
        script_args={"--year": "{{ logical_date.year }}"},
        region_name=settings.region,
        deferrable=True,
        stop_job_run_on_kill=True,
        waiter_delay=POLL_SECONDS,
        waiter_max_attempts=MAX_WAIT_SECONDS // POLL_SECONDS,
        verbose=True,
        **task_arguments,
    )
