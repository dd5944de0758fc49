"""The emulator as a service of the embedded stack: start it, wait for it, report on it.

It is started through `scripts/services/emulator.sh`, the entry point of the `emulator` container,
so that both run the same way. Its durable store is `<state>/emulator/store`: it holds the lake
and the catalog across stops and crashes, and `up` reports what it restored, warning if anything
is older than the last write the emulator acknowledged.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any

from flightlake.local.emulator.authentication import HEALTH_PATH
from flightlake.local.emulator.redshift_data import WAREHOUSE_DSN_FILE
from flightlake.local.emulator.server import READY_FILE, RESTORED_FILE
from flightlake.local.stack import processes
from flightlake.local.stack.ports import service_port
from flightlake.local.stack.service import Echo, ServiceStatus, StackError
from flightlake.local.stack.state import credentials
from flightlake.settings import Settings
from flightlake.settings.checkout import services_dir

MODULE = "flightlake.local.emulator.server"  # also what /proc/<pid>/cmdline shows
START_S = 120  # restoring even a big store rebuilds an index; it copies nothing


def emulator_dir(settings: Settings) -> Path:
    return settings.state_dir / "emulator"


def up(settings: Settings, pid_files: processes.PidFiles, state: dict[str, Any], echo: Echo) -> None:
    """Start the emulator unless it runs and is ready; records its URL in `state`."""
    home = emulator_dir(settings)
    ready = home / READY_FILE
    running = pid_files.running("emulator")
    if running and "emulator" in state and ready.exists():
        echo(f"emulator   already running  {state['emulator']['url']}")
        return
    if running:  # started but never got ready (or lost its state file): start over
        processes.stop(running)
    port = service_port("the emulator", state.get("emulator", {}).get("port"), settings.emulator_port)
    keys = credentials(state)
    ready.unlink(missing_ok=True)
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": keys["access_key"],
        "AWS_SECRET_ACCESS_KEY": keys["secret_key"],
        "AWS_REGION": settings.region,
        "EMULATOR_HOST": "127.0.0.1",
        "EMULATOR_PORT": str(port),
        "EMULATOR_STORE_DIR": str(home / "store"),
        "EMULATOR_STATE_DIR": str(home),
        "PYTHON": sys.executable,
    }
    env.pop("AWS_ENDPOINT_URL", None)
    argv = ["sh", str(services_dir(settings) / "emulator.sh"), "serve"]
    log = home / "emulator.log"
    tracked = processes.spawn("emulator", argv, log, pid_files, env=env, marker=MODULE)
    try:
        processes.wait_until(lambda: ready.exists() or not processes.is_running(tracked), START_S, "the emulator")
    except TimeoutError as error:
        raise StackError(f"{error}; see {log}") from error
    if not ready.exists():
        raise StackError(f"the emulator exited at start-up; see {log}")
    state["emulator"] = {"port": port, "url": f"http://127.0.0.1:{port}"}
    echo(f"emulator   started          {state['emulator']['url']}  (S3 + Glue Data Catalog)  {restored_line(home)}")
    for problem in restored_problems(home):
        echo(f"emulator   WARNING: restored less than was acknowledged: {problem}")


def point_at_warehouse(settings: Settings, dsn: str) -> None:
    """Tell the emulator's Redshift Data API which PostgreSQL stands in for Redshift (it starts
    before PostgreSQL does, and reads this when a statement arrives). 0600: the DSN holds a password."""
    path = emulator_dir(settings) / WAREHOUSE_DSN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(dsn)


def restored_line(home: Path) -> str:
    restored = _restored(home)
    if not restored:
        return ""
    return (
        f"restored {restored['objects']} objects, {restored['tables']} tables, {restored['partitions']} partitions "
        f"as of acknowledged write #{restored['acknowledged_writes']}"
    )


def restored_problems(home: Path) -> list[str]:
    return list(_restored(home).get("problems", []))


def _restored(home: Path) -> dict[str, Any]:
    try:
        return json.loads((home / RESTORED_FILE).read_text())
    except (OSError, ValueError):
        return {}


def down(settings: Settings, pid_files: processes.PidFiles, echo: Echo) -> bool:
    tracked = pid_files.running("emulator")
    (emulator_dir(settings) / READY_FILE).unlink(missing_ok=True)
    if not tracked:
        return False
    processes.stop(tracked, timeout=60)
    pid_files.remove("emulator")
    return True


def status(settings: Settings, pid_files: processes.PidFiles, state: dict[str, Any]) -> ServiceStatus:
    running = pid_files.running("emulator")
    url = state.get("emulator", {}).get("url", "-")
    ready = (emulator_dir(settings) / READY_FILE).exists()
    healthy = bool(running) and ready and _answers(url)
    return ServiceStatus("emulator", bool(running), healthy, url, "S3 + Glue Data Catalog (moto), durable store")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}{HEALTH_PATH}", timeout=2) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False
