"""`flightlake up --airflow-ui` on a private stack: three Airflow processes, healthy, the API on
loopback only, and `down` leaves none of them behind."""

from __future__ import annotations

import json
import shutil
import urllib.request

import pytest

from flightlake.local.stack import processes
from flightlake.local.stack.airflow_services import COMPONENTS
from flightlake.local.stack.manager import Stack
from flightlake.settings import load_settings
from tests.conftest import make_state_dir, stack_environment
from tests.local.test_stack import _alive_with

pytestmark = [pytest.mark.integration, pytest.mark.airflow]


def test_airflow_ui_starts_healthy_on_loopback_and_stops_by_pid(monkeypatch):
    state_dir = make_state_dir("flightlake-test-ui-")
    for key, value in {**stack_environment(state_dir), "FLIGHTLAKE_AIRFLOW_PORT": str(processes.free_port(0))}.items():
        monkeypatch.setenv(key, value)
    for name in ("AWS_ENDPOINT_URL", "FLIGHTLAKE_WAREHOUSE_DSN"):
        monkeypatch.delenv(name, raising=False)
    stack = Stack(load_settings())
    lines: list[str] = []
    try:
        stack.up(echo=lines.append, airflow_ui=True)
        url = stack.state.read()["airflow"]["url"]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=10) as response:
            health = json.loads(response.read())
        assert health["metadatabase"]["status"] == "healthy" and health["scheduler"]["status"] == "healthy"
        statuses = {s.name: s for s in stack.status()}
        assert all(statuses[name].healthy for name in COMPONENTS), statuses
        assert any("0.0.0.0:8793" in line for line in lines)  # said plainly: the log server is not on loopback
        port = int(url.rsplit(":", 1)[1])
        assert processes.port_accepts(port, "127.0.0.1")
        stack.up(echo=lines.append, airflow_ui=True)  # twice: harmless
        assert sum("already running" in line for line in lines) >= 3
        pids = [stack.pid_files.read(name).pid for name in COMPONENTS]
    finally:
        stopped = stack.down(echo=lambda line: None)
    assert set(COMPONENTS) <= set(stopped)
    assert not any(processes.is_running(processes.Tracked("x", pid, "")) for pid in pids)
    assert _alive_with(str(state_dir)) == []
    assert not processes.port_accepts(port, "127.0.0.1")
    shutil.rmtree(state_dir, ignore_errors=True)
