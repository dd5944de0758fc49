"""`flightlake up | down | status | env`: the embedded stack, with no Docker.

Services: the S3 + Glue emulator (moto's server, snapshot on the way down), PostgreSQL from the
local binaries, and optionally the Airflow UI (api-server, scheduler, dag-processor). Spark is
not a service: sessions start `local[*]` on demand (see `flightlake.spark.session`).

Everything lives under the state directory:
    stack.json          ports and generated credentials (mode 0600)
    run/*.pid           what `up` started, so `down` stops exactly that
    emulator/           snapshot of the lake and catalog, emulator log
    postgres/           data directory, password, log
    airflow/            AIRFLOW_HOME (SQLite metadata, logs)
    jars/               the cached S3A jars
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flightlake.errors import FlightlakeError
from flightlake.local.emulator.server import READY_FILE
from flightlake.local.stack import postgres, processes
from flightlake.local.stack.jars import ensure_jars
from flightlake.settings import Settings, load_settings
from flightlake.settings.checkout import services_dir

Echo = Callable[[str], None]
EMULATOR_MODULE = "flightlake.local.emulator.server"  # also what /proc/<pid>/cmdline shows


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    running: bool
    healthy: bool
    endpoint: str
    detail: str = ""


class StackError(FlightlakeError):
    """A service of the embedded stack could not be started."""


class Stack:
    """The embedded stack rooted at `settings.state_dir`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state_dir = settings.state_dir
        self.pid_files = processes.PidFiles(self.state_dir / "run")
        self.pg_layout = postgres.PostgresLayout(self.state_dir / "postgres")

    # --- state -----------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.state_dir / "stack.json"

    def read_state(self) -> dict[str, Any]:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    def _write_state(self, state: dict[str, Any]) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.chmod(0o600)
        os.replace(tmp, self.state_file)

    def _credentials(self, state: dict[str, Any]) -> dict[str, str]:
        """Emulator credentials: generated once; moto accepts any, real AWS none of these."""
        if "credentials" not in state:
            state["credentials"] = {
                "access_key": "FL" + secrets.token_hex(9).upper(),
                "secret_key": secrets.token_urlsafe(30),
            }
        return state["credentials"]

    def environment(self) -> dict[str, str]:
        """Variables that point every client at this stack (what `flightlake env` prints)."""
        state = self.read_state()
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

    # --- emulator --------------------------------------------------------------------------
    @property
    def emulator_dir(self) -> Path:
        return self.state_dir / "emulator"

    def _emulator_up(self, state: dict[str, Any], echo: Echo) -> None:
        ready = self.emulator_dir / READY_FILE
        running = self.pid_files.running("emulator")
        if running and "emulator" in state and ready.exists():
            echo(f"emulator   already running  {state['emulator']['url']}")
            return
        if running:  # started but never got ready (or lost its state file): start over
            processes.stop(running)
        port = processes.free_port(self.settings.emulator_port)
        creds = self._credentials(state)
        ready.unlink(missing_ok=True)
        snapshot = self.emulator_dir / "snapshot"
        snapshot_size = sum(p.stat().st_size for p in snapshot.rglob("*") if p.is_file()) if snapshot.exists() else 0
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": creds["access_key"],
            "AWS_SECRET_ACCESS_KEY": creds["secret_key"],
            "AWS_REGION": self.settings.region,
            "EMULATOR_HOST": "127.0.0.1",
            "EMULATOR_PORT": str(port),
            "EMULATOR_SNAPSHOT_DIR": str(snapshot),
            "EMULATOR_STATE_DIR": str(self.emulator_dir),
            "PYTHON": sys.executable,
        }
        env.pop("AWS_ENDPOINT_URL", None)
        # The emulator container's entry point, run natively: one launcher for both.
        argv = ["sh", str(services_dir(self.settings) / "emulator.sh"), "serve"]
        tracked = processes.spawn(
            "emulator",
            argv,
            self.emulator_dir / "emulator.log",
            self.pid_files,
            env=env,
            marker="flightlake.local.emulator.server",
        )
        timeout = 60 + snapshot_size / (40 * 1024 * 1024)  # restoring a big lake takes a while
        try:
            processes.wait_until(
                lambda: ready.exists() or not processes.is_running(tracked), timeout, "the emulator to be ready"
            )
        except TimeoutError as error:
            raise StackError(f"{error}; see {self.emulator_dir / 'emulator.log'}") from error
        if not ready.exists():
            raise StackError(f"the emulator exited at start-up; see {self.emulator_dir / 'emulator.log'}")
        state["emulator"] = {"port": port, "url": f"http://127.0.0.1:{port}"}
        echo(f"emulator   started          {state['emulator']['url']}  (S3 + Glue Data Catalog)")

    def _init_lake(self, echo: Echo) -> None:
        """Run the same init hook the emulator containers run."""
        from flightlake.settings.checkout import lake_init_hook

        hook = lake_init_hook(self.settings)
        env = {
            **os.environ,
            **self.environment(),
            "PYTHON": sys.executable,
            "FLIGHTLAKE_SRC": str(Path(__file__).parents[2]),
        }
        result = subprocess.run(["sh", str(hook)], env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise StackError(f"{hook} failed:\n{result.stdout}{result.stderr}")
        for line in result.stdout.strip().splitlines():
            echo(f"           {line}")

    # --- postgres --------------------------------------------------------------------------
    def _postgres_up(self, state: dict[str, Any], echo: Echo) -> None:
        password = postgres.ensure_initialized(self.settings, self.pg_layout)
        running = self.pid_files.running("postgres")
        if running and "postgres" in state and postgres.healthy(state["postgres"]["dsn"]):
            echo(f"postgres   already running  {redact(state['postgres']['dsn'])}")
            return
        if running:
            postgres.stop(self.pid_files)
        port = processes.free_port(self.settings.postgres_port)
        postgres.start(self.settings, self.pg_layout, self.pid_files, port)
        url = postgres.dsn(password, port, "postgres")
        try:
            processes.wait_until(lambda: postgres.healthy(url), 30, "PostgreSQL to accept connections")
        except TimeoutError as error:
            raise StackError(f"{error}; see {self.pg_layout.log}") from error
        postgres.ensure_database(password, port)
        state["postgres"] = {"port": port, "dsn": postgres.dsn(password, port)}
        echo(f"postgres   started          {redact(state['postgres']['dsn'])}")

    def _apply_ddl(self, state: dict[str, Any], echo: Echo) -> None:
        from flightlake.settings.checkout import ddl_dir
        from flightlake.warehouse.postgres import apply_ddl

        count = apply_ddl(state["postgres"]["dsn"], ddl_dir(self.settings))
        echo(f"           warehouse DDL applied ({count} statements from postgres_init/)")

    # --- lifecycle -------------------------------------------------------------------------
    def up(self, echo: Echo = print, airflow_ui: bool = False) -> dict[str, str]:
        """Start what is not running; harmless when everything already is."""
        started = time.monotonic()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        ensure_jars(self.settings)  # Spark's S3A connector: a no-op once cached
        state = self.read_state()
        self._emulator_up(state, echo)
        self._write_state(state)
        self._init_lake(echo)
        self._postgres_up(state, echo)
        self._write_state(state)
        self._apply_ddl(state, echo)
        if airflow_ui:
            from flightlake.local.stack import airflow_services

            state["airflow"] = airflow_services.up(self, echo)
            self._write_state(state)
        echo(f"stack ready in {time.monotonic() - started:.1f} s; state in {self.state_dir}")
        return self.environment()

    def down(self, echo: Echo = print) -> list[str]:
        """Stop what `up` started (the emulator saves its snapshot first); returns their names."""
        stopped = []
        from flightlake.local.stack import airflow_services

        stopped.extend(airflow_services.down(self))
        tracked = self.pid_files.running("emulator")
        if tracked:
            echo("emulator   saving snapshot and stopping ...")
            processes.stop(tracked, timeout=600)
            self.pid_files.remove("emulator")
            stopped.append("emulator")
            log = self.emulator_dir / "emulator.log"
            last = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
            for line in last:
                echo(f"           {line}")
        if postgres.stop(self.pid_files):
            stopped.append("postgres")
        (self.emulator_dir / READY_FILE).unlink(missing_ok=True)
        echo(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")
        return stopped

    def status(self) -> list[ServiceStatus]:
        state = self.read_state()
        result = []
        emulator = self.pid_files.running("emulator")
        url = state.get("emulator", {}).get("url", "-")
        healthy = bool(emulator) and (self.emulator_dir / READY_FILE).exists() and _emulator_healthy(url)
        result.append(ServiceStatus("emulator", bool(emulator), healthy, url, "S3 + Glue Data Catalog (moto)"))
        pg = self.pid_files.running("postgres")
        dsn = state.get("postgres", {}).get("dsn")
        result.append(
            ServiceStatus(
                "postgres", bool(pg), bool(pg) and bool(dsn) and postgres.healthy(dsn), redact(dsn or "-"), "warehouse"
            )
        )
        from flightlake.local.stack import airflow_services

        result.extend(airflow_services.status(self))
        return result

    def is_up(self) -> bool:
        core = [s for s in self.status() if s.name in ("emulator", "postgres")]
        return all(s.healthy for s in core)


def _emulator_healthy(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=2) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def redact(dsn: str) -> str:
    """A DSN fit for printing: the password replaced by ***."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    if not parts.password:
        return dsn
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def activate(settings: Settings | None = None) -> Settings:
    """Point this process at the running embedded stack unless the environment already names
    an endpoint; returns settings re-read from the updated environment."""
    settings = settings or load_settings()
    if os.environ.get("AWS_ENDPOINT_URL") or settings.runtime == "glue":
        return settings
    env = Stack(settings).environment()
    if env:
        for key, value in env.items():
            os.environ.setdefault(key, value)
        return load_settings()
    return settings
