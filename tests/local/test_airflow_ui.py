"""`flightlake up --airflow-ui` on a private stack: three Airflow processes, healthy, the API on
loopback only, and `down` leaves none of them behind."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest

from flightlake.local.stack import processes
from flightlake.local.stack.airflow_services import COMPONENTS
from flightlake.local.stack.manager import Stack
from flightlake.settings import load_settings
from tests.conftest import make_state_dir, stack_environment
from tests.local.test_stack import _alive_with

pytestmark = [pytest.mark.integration, pytest.mark.airflow]


def listeners() -> set[tuple[str, int]]:
    """(address, port) of every listening IPv4 TCP socket, from /proc/net/tcp."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "0A":
            address, port = local.split(":")
            octets = [str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)]
            found.add((".".join(octets), int(port, 16)))
    return found


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
        password_file = state_dir / "airflow" / "simple_auth_manager_passwords.json.generated"
        assert oct(password_file.stat().st_mode & 0o777) == "0o600" and "admin" in password_file.read_text()
        # the scheduler's health check (no login) listens on loopback only
        assert ("127.0.0.1", 8974) in listeners() and ("0.0.0.0", 8974) not in listeners()
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
