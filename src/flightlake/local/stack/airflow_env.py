"""The environment every Airflow process of the embedded stack gets.

Airflow reads its configuration from AIRFLOW__* variables when it is imported, so the CLI never
imports Airflow itself: it starts Airflow processes (runner, api-server, scheduler, ...) with
this environment. Metadata is SQLite in the state directory; DAGs are read from the checkout.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from flightlake.settings import Settings
from flightlake.settings.checkout import dags_dir, project_root


def airflow_home(settings: Settings) -> Path:
    return settings.state_dir / "airflow"


def _jwt_secret(home: Path) -> str:
    """One secret shared by the api-server and the task runners; generated once."""
    path = home / "jwt_secret"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"


def private_file(path: Path) -> Path:
    """The file, created empty if missing, readable by its owner only: Airflow's auth manager
    writes the generated admin password into it, and keeps whatever mode the file has."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    path.chmod(0o600)
    return path


def airflow_environment(settings: Settings, extra: dict[str, str] | None = None) -> dict[str, str]:
    home = airflow_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_dir(settings)),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            # One DAG run at a time, one task after another: four worker slots, not Airflow's 32.
            "AIRFLOW__CORE__PARALLELISM": os.environ.get("AIRFLOW__CORE__PARALLELISM", "4"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__API_AUTH__JWT_SECRET": _jwt_secret(home),
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
            # The scheduler's health check answers anyone, without login: loopback only.
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(private_file(home / PASSWORDS_FILE)),
            "FLIGHTLAKE_PROJECT_DIR": str(project_root(settings)),
            "PYTHONUNBUFFERED": "1",
        }
    )
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.update(extra or {})
    return env


def ensure_migrated(settings: Settings, echo=print, env: dict[str, str] | None = None) -> None:  # noqa: ANN001
    """`airflow db migrate` once per Airflow version and metadata database (a few seconds;
    idempotent anyway). `env`: an Airflow environment with a database of its own (the AWS
    rehearsal's, as MWAA has its own); by default the embedded stack's."""
    from importlib.metadata import version

    env = env or airflow_environment(settings)
    home = airflow_home(settings)
    database = Path(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///")).stem
    marker = home / f".migrated-{version('apache-airflow')}{'' if database == 'airflow' else f'-{database}'}"
    if marker.exists():
        return
    echo("airflow    migrating the metadata database (first run) ...")
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise _migrate_failed(home, result.stdout + result.stderr)
    marker.write_text("ok")


def _migrate_failed(home: Path, output: str) -> Exception:
    """One line for a failed `airflow db migrate`; its whole output goes to a log beside it."""
    from flightlake.errors import FlightlakeError
    from flightlake.local.stack import disk

    if disk.says_full(output) or disk.is_full(home):
        return FlightlakeError(
            f"the disk holding {home} is full: Airflow cannot set up its database. Fix: free some space, then run "
            "the command again"
        )
    log = home / "db-migrate.log"
    log.write_text(output)
    last = next((line for line in reversed(output.strip().splitlines()) if line.strip()), "no output")
    return FlightlakeError(f"airflow db migrate failed: {last.strip()[:300]} (its output: {log})")
