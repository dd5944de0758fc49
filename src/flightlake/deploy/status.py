"""What an environment runs now: `flightlake deploy status`, and the head of every plan.

The release (from the deployment history: which one, when, by whom, and the one a rollback would
return to), CloudFormation drift of every stack, MWAA's state, the last DAG run of every year and
the runs still in flight (a switch-over restarts MWAA under them: see docs/deploying.md). A part an
endpoint cannot answer (the emulator has no drift detection and no MWAA) says so and the rest is
still shown.
"""

from __future__ import annotations

from collections.abc import Callable

from flightlake.deploy import airflow_api, drift, history
from flightlake.deploy.clients import ServiceUnavailable, answering
from flightlake.deploy.names import STACK_KEYS
from flightlake.deploy.plan import Pending
from flightlake.deploy.target import Target


def release_lines(target: Target) -> list[str]:
    bucket = target.bucket
    if isinstance(bucket, Pending):
        return ["release: none (the environment is not deployed)"]
    entries = history.read(target.s3, bucket)
    current, previous = history.current(entries), history.previous(entries)
    lines = [f"release: {current.line()}" if current else "release: none yet"]
    lines.append(f"previous (rollback goes here): {previous.line()}" if previous else "previous: none")
    return lines


def drift_lines(target: Target) -> list[str]:
    stacks = [target.names.stack(key) for key in STACK_KEYS if target.stack(key) is not None]
    if not stacks:
        return []
    try:
        with answering("cloudformation drift detection"):
            found = drift.detect(target.clients.cloudformation, stacks, target.timing, target.sleep)
    except ServiceUnavailable as error:
        return [f"drift: not available: {error}"]
    return [f"drift {name}: {state}" for name, state in found.items()]


def run_lines(target: Target, guard: Callable[[], None] = lambda: None) -> list[str]:
    if target.stack("airflow") is None:
        return []
    name = target.names.mwaa_environment
    try:
        with answering("mwaa"):
            environment = airflow_api.environment(target.clients.mwaa, name)
            if environment is None:
                return [f"MWAA {name}: no such environment"]
            lines = [f"MWAA {name}: {environment.get('Status')}"]
            if environment.get("Status") != "AVAILABLE":
                return lines
            runs = airflow_api.dag_runs(target.clients.mwaa, name)
    except ServiceUnavailable as error:
        return [f"MWAA: not available: {error}"]
    lines += [f"last run {airflow_api.run_line(y, r)}" for y, r in airflow_api.last_run_per_year(runs).items()]
    flying = airflow_api.in_flight(runs)
    lines.append(
        f"in flight: {len(flying)} DAG run(s) ({', '.join(str(r.get('dag_run_id')) for r in flying)}): a switch "
        "restarts MWAA under them"
        if flying
        else "in flight: no DAG run"
    )
    return lines


def status_lines(target: Target, drift_too: bool = True, runs_too: bool = True) -> list[str]:
    env = target.env
    lines = [f"environment {env.name}: account {env.account}, region {env.region}, from {env.source.name}"]
    lines += release_lines(target)
    lines += drift_lines(target) if drift_too else []
    lines += run_lines(target) if runs_too else []
    return lines
