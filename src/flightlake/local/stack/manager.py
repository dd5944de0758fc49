"""`flightlake up | down | status | env`: the embedded stack, with no Docker.

Services: the AWS emulator (`flightlake.local.emulator`: S3 and the Glue Data Catalog, durable),
PostgreSQL from the local binaries (the warehouse), and optionally the Airflow UI (api-server,
scheduler, dag-processor). Spark is not a service: sessions start `local[*]` on demand.

Everything lives under the state directory:
    stack.json          ports and generated credentials (mode 0600; ports are kept across restarts)
    stack.lock          held by `up` and `down`: one at a time
    run/*.pid           what `up` started, so `down` stops exactly that
    emulator/           its durable store (the lake, the catalog) and log
    postgres/           data directory, password, log
    airflow/            AIRFLOW_HOME (SQLite metadata, logs)
    jars/               the cached S3A jars
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from flightlake.local.stack import airflow_services, disk, emulator, postgres, postgres_service, processes
from flightlake.local.stack.jars import ensure_jars
from flightlake.local.stack.lock import stack_lock
from flightlake.local.stack.service import Echo, ServiceStatus, StackError
from flightlake.local.stack.state import StackState
from flightlake.settings import Settings, load_settings
from flightlake.settings.checkout import stack_state_dir

CORE_SERVICES = ("emulator", "postgres")


class Stack:
    """The embedded stack rooted at `settings.state_dir`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state_dir = settings.state_dir
        self.state = StackState(self.state_dir)
        self.pid_files = processes.PidFiles(self.state_dir / "run")

    def environment(self) -> dict[str, str]:
        """Variables that point every client at this stack (what `flightlake env` prints)."""
        state = self.state.read()
        if not state:
            return {}
        env = {
            "FLIGHTLAKE_STATE_DIR": str(self.state_dir),
            "AWS_REGION": self.settings.region,
            "AWS_DEFAULT_REGION": self.settings.region,
            "SPARK_LOCAL_IP": "127.0.0.1",
        }
        if "credentials" in state:
            env["AWS_ACCESS_KEY_ID"] = state["credentials"]["access_key"]
            env["AWS_SECRET_ACCESS_KEY"] = state["credentials"]["secret_key"]
        if "emulator" in state:
            env["AWS_ENDPOINT_URL"] = state["emulator"]["url"]
        if "postgres" in state:
            env["FLIGHTLAKE_WAREHOUSE_DSN"] = state["postgres"]["dsn"]
        return env

    def up(self, echo: Echo = print, airflow_ui: bool = False) -> dict[str, str]:
        """Start what is not running; harmless when everything already is. A start that fails
        because the disk is full says so, whichever service noticed."""
        stack_state_dir(self.settings)  # never a second stack wherever the command was started
        try:
            return self._up(echo, airflow_ui)
        except Exception as error:  # whichever service noticed first: initdb, PostgreSQL, the emulator
            if "is full" in str(error) or not disk.caused_by_full_disk(error, self.state_dir):
                raise
            raise StackError(
                f"the stack cannot start: the disk holding {self.state_dir} is full. Fix: free some space, then run "
                "the command again"
            ) from error

    def _up(self, echo: Echo, airflow_ui: bool) -> dict[str, str]:
        with stack_lock(self.state_dir, echo):
            started = time.monotonic()
            ensure_jars(self.settings)  # Spark's S3A connector: a no-op once cached
            state = self.state.read()
            emulator.up(self.settings, self.pid_files, state, echo)
            self.state.write(state)
            self._init_lake(echo)
            postgres_service.up(self.settings, self.pid_files, state, echo)
            self.state.write(state)
            emulator.point_at_warehouse(self.settings, state["postgres"]["dsn"])
            postgres_service.apply_ddl(self.settings, state, echo)
            if airflow_ui:
                state["airflow"] = airflow_services.up(self.settings, self.pid_files, state, self.environment(), echo)
                self.state.write(state)
            echo(f"stack ready in {time.monotonic() - started:.1f} s; state in {self.state_dir}")
        return self.environment()

    def _init_lake(self, echo: Echo) -> None:
        """Run the same init hook the emulator containers run."""
        from flightlake.settings.checkout import lake_init_hook

        hook = lake_init_hook(self.settings)
        env = {**os.environ, **self.environment(), "PYTHON": sys.executable}
        result = subprocess.run(["sh", str(hook)], env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise StackError(f"{hook} failed:\n{result.stdout}{result.stderr}")
        for line in result.stdout.strip().splitlines():
            echo(f"           {line}")

    def down(self, echo: Echo = print, new_ports: bool = False) -> list[str]:
        """Stop what `up` started, then any stray process of this stack; returns their names."""
        stack_state_dir(self.settings)
        with stack_lock(self.state_dir, echo):
            stopped = airflow_services.down(self.pid_files)
            if emulator.down(self.settings, self.pid_files, echo):
                stopped.append("emulator")
            if postgres.stop(self.pid_files):
                stopped.append("postgres")
            strays = processes.kill_all(processes.strays(self.state_dir))
            if strays:
                stopped.append(f"{len(strays)} stray process(es) of this stack ({', '.join(map(str, strays))})")
            if new_ports:
                forgotten = self.state.forget_ports()
                echo(f"forgot the ports of: {', '.join(forgotten) or 'nothing'}; the next `up` picks free ones")
        echo(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")
        return stopped

    def status(self) -> list[ServiceStatus]:
        stack_state_dir(self.settings)  # outside a checkout, "stopped" would be a wrong answer
        state = self.state.read()
        return [
            emulator.status(self.settings, self.pid_files, state),
            postgres_service.status(self.pid_files, state),
            *airflow_services.status(self.pid_files, state),
        ]

    def is_up(self) -> bool:
        return all(s.healthy for s in self.status() if s.name in CORE_SERVICES)

    def down_services(self) -> list[str]:
        """The core services that are not healthy now (for a hint after a failed run)."""
        return [s.name for s in self.status() if s.name in CORE_SERVICES and not s.healthy]


def activate(settings: Settings | None = None) -> Settings:
    """Point this process at the running embedded stack unless the environment already names
    an endpoint; returns settings re-read from the updated environment.

    With no endpoint and no stack running here, a StackError: going on would send the lake's
    reads and writes to real AWS with whatever credentials the environment happens to hold."""
    settings = settings or load_settings()
    if os.environ.get("AWS_ENDPOINT_URL") or settings.runtime == "glue":
        return settings
    stack = Stack(settings)
    state_dir = stack_state_dir(settings)
    env = stack.environment()
    if "AWS_ENDPOINT_URL" not in env:
        raise StackError(
            f"no embedded stack has been started here ({state_dir} holds none): run `flightlake up` "
            "(or pass `--env NAME` for AWS)"
        )
    if "emulator" in stack.down_services():
        raise StackError(
            f"the embedded stack is stopped (its emulator at {env['AWS_ENDPOINT_URL']} does not answer): "
            "run `flightlake up` (or pass `--env NAME` for AWS)"
        )
    for key, value in env.items():
        os.environ.setdefault(key, value)
    return load_settings()
