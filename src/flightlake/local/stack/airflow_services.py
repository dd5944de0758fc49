"""The Airflow UI of the embedded stack: api-server, scheduler and dag-processor.

Each component is its own process, started through `scripts/services/airflow.sh` (the entry point
of the Airflow containers) with a PID file, and stopped by PID with its whole process group:
`airflow standalone` would be simpler, but on SIGTERM it leaves its children running and it
ignores SIGINT from scripts. The API binds to 127.0.0.1. Note: the scheduler's task log server
listens on 0.0.0.0:8793 (Airflow has no setting for its address); on a shared network, firewall
that port. Metadata is the embedded SQLite database that `flightlake run` also uses.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from flightlake.local.stack import processes
from flightlake.local.stack.airflow_env import PASSWORDS_FILE, airflow_environment, airflow_home, ensure_migrated
from flightlake.local.stack.service import Echo, ServiceStatus, StackError
from flightlake.settings import Settings
from flightlake.settings.checkout import services_dir

# What /proc/<pid>/cmdline shows: the api-server renames itself (setproctitle) to "airflow api_server".
MARKERS = {"airflow-api-server": "airflow api", "airflow-scheduler": "airflow scheduler",
           "airflow-dag-processor": "airflow dag-processor"}  # fmt: skip
COMPONENTS = tuple(MARKERS)
# The section of /api/v2/monitor/health that tells whether each component is healthy.
HEALTH_SECTIONS = {"airflow-api-server": "metadatabase", "airflow-scheduler": "scheduler",
                   "airflow-dag-processor": "dag_processor"}  # fmt: skip
LOG_SERVER_PORT = 8793
START_TIMEOUT = 120


def _health(url: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=3) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def password_file(settings: Settings) -> str:
    return str(airflow_home(settings) / PASSWORDS_FILE)


def up(
    settings: Settings, pid_files: processes.PidFiles, state: dict[str, Any], clients: dict[str, str], echo: Echo
) -> dict[str, Any]:
    """Start all three components unless all already run and answer; returns their part of
    stack.json. `clients` are the variables that point clients at the stack's other services."""
    state = state.get("airflow", {})
    running = {name: pid_files.running(name) for name in COMPONENTS}
    if all(running.values()) and state.get("url") and _health(state["url"]):
        echo(f"airflow    already running  {state['url']}")
        return state
    down(pid_files)  # whatever part is still running is restarted with the rest
    ensure_migrated(settings, echo)
    port = processes.free_port(settings.airflow_port)
    url = f"http://127.0.0.1:{port}"
    env = airflow_environment(
        settings,
        {
            **clients,
            "AIRFLOW_API_HOST": "127.0.0.1",
            "AIRFLOW_API_PORT": str(port),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        },
    )
    script = str(services_dir(settings) / "airflow.sh")
    logs = airflow_home(settings) / "services"
    for name in COMPONENTS:
        component = name.removeprefix("airflow-")
        processes.spawn(
            name, ["sh", script, component], logs / f"{component}.log", pid_files, env=env,
            marker=MARKERS[name],
        )  # fmt: skip
    try:
        processes.wait_until(lambda: _ready(_health(url)), START_TIMEOUT, "the Airflow api-server and scheduler")
    except TimeoutError as error:
        raise StackError(f"{error}; see the logs in {logs}") from error
    echo(f"airflow    started          {url}  (login admin, password in {password_file(settings)})")
    echo(f"           scheduler task log server on 0.0.0.0:{LOG_SERVER_PORT} (Airflow binds it to all interfaces)")
    return {"port": port, "url": url}


def _healthy(health: dict[str, Any] | None, name: str) -> bool:
    return bool(health) and health.get(HEALTH_SECTIONS[name], {}).get("status") == "healthy"


def _ready(health: dict[str, Any] | None) -> bool:
    return _healthy(health, "airflow-api-server") and _healthy(health, "airflow-scheduler")


def down(pid_files: processes.PidFiles) -> list[str]:
    stopped = []
    for name in reversed(COMPONENTS):
        tracked = pid_files.running(name)
        if tracked:
            processes.stop(tracked)
            pid_files.remove(name)
            stopped.append(name)
    return stopped


def status(pid_files: processes.PidFiles, state: dict[str, Any]) -> list[ServiceStatus]:
    state = state.get("airflow")
    if not state and not any(pid_files.read(name) for name in COMPONENTS):
        return []
    url = (state or {}).get("url", "-")
    health = _health(url) if state else None
    result = []
    for name in COMPONENTS:
        running = pid_files.running(name) is not None
        healthy = running and _healthy(health, name)
        endpoint = url if name == "airflow-api-server" else "-"
        result.append(ServiceStatus(name, running, healthy, endpoint, "Airflow UI" if endpoint != "-" else ""))
    return result
