"""The `glue` runtime of the DAG's Spark steps (`FLIGHTLAKE_RUNTIME=glue`, what MWAA runs).

Each Spark step is a run of the AWS Glue job `<FLIGHTLAKE_GLUE_JOB_PREFIX>-<step>` (defined by
`deploy/cloudformation/glue.yaml`), started and watched by Airflow's own `GlueJobOperator`, with
`--year` as the run's argument. Two things the stock operator does not do are added here:
- the retry rules of `flightlake.pipeline.retry_rules`: a run that failed because the job refused
  its input (`INPUT ERROR` in the run's error message) fails the task at once;
- the run's `ErrorMessage` goes into the task's error, and a STOPPED run is a failure (the stock
  hook counts it as finished).
"""

from __future__ import annotations

from typing import Any

from flightlake.settings import Settings
from flightlake.spark.job import INPUT_ERROR_MARK


def failure_message(job_name: str, run: dict[str, Any]) -> str:
    """What the task log and the run summary say about a failed Glue job run."""
    state = run.get("JobRunState", "?")
    error = run.get("ErrorMessage") or "no error message"
    return f"Glue job {job_name} run {run.get('Id', '?')} ended {state}: {error}"


def is_permanent(run: dict[str, Any]) -> bool:
    """True when the job refused its input: the same run would fail the same way again."""
    return INPUT_ERROR_MARK in (run.get("ErrorMessage") or "")


def spark_step(job: str, settings: Settings, **task_arguments: Any) -> Any:
    """The DAG's task for a Spark step: the Glue job of that name, one run per year."""
    from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
    from airflow.sdk.exceptions import AirflowFailException

    class FlightlakeGlueJobOperator(GlueJobOperator):
        """GlueJobOperator with the project's retry rules and the run's error in the failure."""

        def execute(self, context: Any) -> Any:
            try:
                result = super().execute(context)
            except Exception as error:
                self._raise_for_run(error)
                raise
            self._raise_for_run(None)
            return result

        def _raise_for_run(self, error: Exception | None) -> None:
            run_id = getattr(self, "_job_run_id", None)
            if not run_id:
                return
            run = self.hook.conn.get_job_run(JobName=self.job_name, RunId=run_id)["JobRun"]
            if run.get("JobRunState") == "SUCCEEDED":
                return
            message = failure_message(self.job_name, run)
            if is_permanent(run):
                raise AirflowFailException(message) from error
            if error is not None or run.get("JobRunState") in ("STOPPED", "FAILED", "TIMEOUT", "ERROR"):
                from airflow.exceptions import AirflowException

                raise AirflowException(message) from error

    return FlightlakeGlueJobOperator(
        task_id=job,
        job_name=settings.glue_job_name(job),
        script_args={"--year": "{{ logical_date.year }}"},
        region_name=settings.region,
        wait_for_completion=True,
        verbose=True,
        **task_arguments,
    )
