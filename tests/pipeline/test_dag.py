"""The DAG file: Airflow's own import check, its shape, and the operator factory per runtime.

Airflow reads its configuration when imported, so each check runs in a child process with its
own AIRFLOW_HOME instead of importing Airflow into the test process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO

PROBE = textwrap.dedent(
    """
    import json, time
    from airflow.dag_processing.dagbag import DagBag
    from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
    started = time.monotonic()
    bag = DagBag(dag_folder="{dags}")
    seconds = time.monotonic() - started
    dag = bag.dags.get("flights_etl")
    info = {{"import_errors": {{k: str(v) for k, v in bag.import_errors.items()}}, "seconds": seconds}}
    if dag is not None:
        args = dag.default_args
        info.update(
            tasks=[t.task_id for t in sorted(dag.tasks, key=lambda t: len(t.get_flat_relative_ids(upstream=True)))],
            upstream={{t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks}},
            operators={{t.task_id: type(t).__name__ for t in dag.tasks}},
            catchup=dag.catchup, max_active_runs=dag.max_active_runs,
            start=str(dag.start_date), end=str(dag.end_date),
            timetable=type(dag.timetable).__name__, cron=getattr(dag.timetable, "_expression", None),
            retries=args["retries"], backoff=args["retry_exponential_backoff"],
            glue={{t.task_id: {{"job_name": t.job_name, "region": t.region_name, "deferrable": t.deferrable}}
                  for t in dag.tasks if isinstance(t, GlueJobOperator)}},
            years={{t.task_id: t.year for t in dag.tasks}},
            native=dag.render_template_as_native_obj,
            inlets={{t.task_id: sorted(a.name for a in t.inlets) for t in dag.tasks}},
            outlets={{t.task_id: sorted(a.name for a in t.outlets) for t in dag.tasks}},
        )
    print("PROBE" + json.dumps(info))
    """
)


def probe(tmp_path, **env: str) -> dict:
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "FLIGHTLAKE_PROJECT_DIR": str(REPO),
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(dags=REPO / "dags")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("PROBE"))
    return json.loads(line[len("PROBE") :])


@pytest.fixture(scope="module")
def local_dag(tmp_path_factory) -> dict:
    return probe(tmp_path_factory.mktemp("local"))


def test_dag_imports_without_errors_and_parses_in_under_a_second(local_dag):
    assert local_dag["import_errors"] == {}
    assert local_dag["seconds"] < 1.0


def test_the_dag_is_the_step_registry(local_dag):
    """Tasks, order and dependencies come from `pipeline.registry`, and nowhere else."""
    from flightlake.pipeline.registry import STEPS

    assert local_dag["tasks"] == [step.name for step in STEPS]
    assert local_dag["upstream"] == {step.name: sorted(step.after) for step in STEPS}
    assert local_dag["upstream"]["render_charts"] == ["detect_anomalies"]  # beside the load, not after it
    assert local_dag["years"] == dict.fromkeys(local_dag["tasks"], "{{ logical_date.year }}") and local_dag["native"]


def test_dag_schedule_and_retries_follow_the_design(local_dag):
    assert local_dag["catchup"] is True and local_dag["max_active_runs"] == 1
    assert local_dag["start"].startswith("2009-01-01") and local_dag["end"].startswith("2018-12-31")
    assert local_dag["timetable"] == "CronTriggerTimetable" and local_dag["cron"] == "0 0 1 1 *"
    assert local_dag["retries"] == 2 and local_dag["backoff"] is True
    assert local_dag["operators"] == {
        "check_raw": "PythonStepOperator", "raw_to_stage": "LocalSparkStepOperator",
        "stage_to_analytics": "LocalSparkStepOperator", "detect_anomalies": "PythonStepOperator",
        "load_warehouse": "PythonStepOperator", "render_charts": "PythonStepOperator", "report": "PythonStepOperator",
    }  # fmt: skip
    assert local_dag["glue"] == {}


def test_on_mwaa_the_spark_steps_are_glue_jobs(tmp_path, local_dag):
    glue = probe(tmp_path, FLIGHTLAKE_RUNTIME="glue", FLIGHTLAKE_GLUE_JOB_PREFIX="acme", FLIGHTLAKE_REGION="eu-west-1")
    assert glue["import_errors"] == {}
    assert glue["glue"] == {
        "raw_to_stage": {"job_name": "acme-raw-to-stage", "region": "eu-west-1", "deferrable": True},
        "stage_to_analytics": {"job_name": "acme-stage-to-analytics", "region": "eu-west-1", "deferrable": True},
    }
    assert glue["operators"]["raw_to_stage"] == "GlueSparkStepOperator"
    assert glue["tasks"] == local_dag["tasks"] and glue["upstream"] == local_dag["upstream"]
    assert glue["inlets"] == local_dag_lineage()[0] and glue["outlets"] == local_dag_lineage()[1]


def local_dag_lineage() -> tuple[dict, dict]:
    """What each task reads and writes (Asset names), the same on every runtime."""
    inlets = {
        "check_raw": ["flightlake_raw.airline_delays"],
        "raw_to_stage": ["flightlake_raw.airline_delays"],
        "stage_to_analytics": ["flightlake_stage.flights"],
        "detect_anomalies": ["flightlake_analytics.airport_daily"],
        "load_warehouse": ["flightlake_analytics.airport_daily_anomalies"],
        "render_charts": ["flightlake_analytics.airport_daily_anomalies"],
        "report": [
            "flightlake_analytics.airport_daily", "flightlake_analytics.airport_daily_anomalies",
            "flightlake_stage.flights", "reports.charts", "warehouse.dw.airport_daily_delays",
        ],
    }  # fmt: skip
    outlets = {
        "check_raw": [],
        "raw_to_stage": ["flightlake_stage.flights", "flightlake_stage.flights_rejects"],
        "stage_to_analytics": ["flightlake_analytics.airport_daily"],
        "detect_anomalies": ["flightlake_analytics.airport_daily_anomalies"],
        "load_warehouse": ["warehouse.dw.airport_daily_delays"],
        "render_charts": ["reports.charts"],
        "report": ["reports.dashboard"],
    }
    return inlets, outlets


def test_every_task_declares_what_it_reads_and_writes(local_dag):
    inlets, outlets = local_dag_lineage()
    assert local_dag["inlets"] == inlets
    assert local_dag["outlets"] == outlets
