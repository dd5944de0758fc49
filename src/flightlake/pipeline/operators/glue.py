"""The `glue` execution mode of the Spark steps (`FLIGHTLAKE_RUNTIME=glue`, what MWAA runs).

A Spark step is a run of its AWS Glue job, `<FLIGHTLAKE_GLUE_JOB_PREFIX>-<step>` (one per Spark
step and release, defined by `flightlake deploy`, `deploy/glue_jobs.py`), started by Airflow's own
`GlueJobOperator` with the year and the Airflow run as the run's arguments. The operator is
deferrable: it starts the run and hands the waiting to the triggerer, so a worker slot is not held
for the length of a Glue job; killing the task stops the run (`stop_job_run_on_kill`). The
driver's log is copied into the task log (`verbose`).

What the stock operator does not do is added when the run is over: the step's result, or the
failure it recorded, is taken from the lake (`pipeline.outcomes`), so a refused input fails the
task at once and any other failure is left to Airflow's retries; the run's ErrorMessage goes into
the task's error; a STOPPED run is a failure (the stock operator counts it as finished).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.amazon.aws.operators.glue import GlueJobOperator

from flightlake.errors import PermanentError
from flightlake.pipeline.operators.python import year_of
from flightlake.pipeline.outcomes import take_outcome
from flightlake.pipeline.registry import step
from flightlake.settings import load_settings

# Glue job runs take minutes on AWS (a minute of that is start-up): a status call every few
# seconds costs nothing against Glue's API quotas and ends the wait soon after the run does.
POLL_SECONDS = 5
# Longer than any job's own Timeout (an environment file allows up to 2880 minutes), so Glue's
# TIMEOUT is what is reported, not the wait's end.
MAX_WAIT_SECONDS = (2880 + 10) * 60
ACTIVE_STATES = ("STARTING", "RUNNING", "STOPPING", "WAITING")


def run_ended(job_name: str, run: dict[str, Any]) -> str:
    """How a Glue job run ended, as the task log and the error say it."""
    state = run.get("JobRunState", "?")
    error = run.get("ErrorMessage")
    return f"Glue job {job_name} run {run.get('Id', '?')} ended {state}" + (f": {error}" if error else "")


class GlueSparkStepOperator(GlueJobOperator):
    """GlueJobOperator (deferrable) for one Spark step, with the step's outcome and retry rules."""

    template_fields = (*GlueJobOperator.template_fields, "year")

    def __init__(self, *, step_name: str, year: int | str, job_name: str, region_name: str, **kwargs: Any) -> None:
        super().__init__(
            job_name=job_name,
            region_name=region_name,
            deferrable=True,
            stop_job_run_on_kill=True,
            waiter_delay=POLL_SECONDS,
            waiter_max_attempts=MAX_WAIT_SECONDS // POLL_SECONDS,
            verbose=True,
            **kwargs,
        )
        self.step_name = step_name
        self.year = year

    def execute(self, context: Any) -> str:
        # Glue job arguments are strings: the one place the year is turned into text.
        self.script_args = {**self.script_args, "--year": str(year_of(self.year)), "--run-id": context["run_id"]}
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException

        event = event or {}
        run_id = event.get("run_id") or self._job_run_id
        if not run_id:
            raise AirflowException(f"Glue job {self.job_name}: the wait ended without a run id ({event})")
        run = self.hook.conn.get_job_run(JobName=self.job_name, RunId=run_id)["JobRun"]
        if run.get("JobRunState") in ACTIVE_STATES:  # the wait gave up, not the run: stop it
            self.hook.conn.batch_stop_job_run(JobName=self.job_name, JobRunIds=[run_id])
            run = {**run, "ErrorMessage": event.get("message") or "the wait for the run ended first"}
        ended = run_ended(self.job_name, run)
        self.log.info("%s", ended)
        try:
            result = take_outcome(load_settings(), step(self.step_name), year_of(self.year), run_id, ended)
        except PermanentError as error:  # Glue's ErrorMessage is the exception that ended the script
            raise AirflowFailException(ended if run.get("ErrorMessage") else f"{ended}: {error}") from error
        except Exception as error:
            raise AirflowException(str(error)) from error
        if run.get("JobRunState") != "SUCCEEDED":  # a result, but the run did not finish well
            raise AirflowException(ended)
        return result
