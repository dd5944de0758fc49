"""What MWAA says about an environment: its state, and the DAG's runs through Airflow's REST API.

`InvokeRestApi` calls the environment's Airflow REST API with the caller's IAM identity (no web
login), so `status` and `--plan` can show the last run of every year and the runs still in flight
without a route into the VPC, also when the web server is PRIVATE_ONLY.
"""

from __future__ import annotations

from typing import Any

from flightlake.deploy.clients import or_none
from flightlake.pipeline.registry import DAG_ID

IN_FLIGHT = ("queued", "running")


def environment(mwaa: Any, name: str) -> dict[str, Any] | None:
    return or_none(lambda: mwaa.get_environment(Name=name)["Environment"], "ResourceNotFoundException")


def dag_runs(mwaa: Any, name: str, limit: int = 100) -> list[dict[str, Any]]:
    """The DAG's latest runs, newest first (Airflow's /dags/{dag_id}/dagRuns)."""
    response = mwaa.invoke_rest_api(
        Name=name,
        Path=f"/dags/{DAG_ID}/dagRuns",
        Method="GET",
        QueryParameters={"order_by": "-logical_date", "limit": limit},
    )
    return list(response.get("RestApiResponse", {}).get("dag_runs", []))


def last_run_per_year(runs: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """year -> the newest run for it (a year is a run's logical date's year)."""
    latest: dict[int, dict[str, Any]] = {}
    for run in runs:
        logical = str(run.get("logical_date") or "")
        if len(logical) >= 4 and logical[:4].isdigit():
            latest.setdefault(int(logical[:4]), run)
    return dict(sorted(latest.items()))


def in_flight(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [run for run in runs if run.get("state") in IN_FLIGHT]


def run_line(year: int, run: dict[str, Any]) -> str:
    ended = run.get("end_date") or "not ended"
    return f"{year}: {run.get('state', '?')}  run {run.get('dag_run_id', '?')}  ended {ended}"
