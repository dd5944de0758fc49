"""Helpers for the compose tests: the file, compose's variable interpolation, service processes.

There is no Docker engine here, so these tests prove what can be proved without one: the file
against the Compose Specification's schema and our rules, and the containers' entry points
(scripts/services/) run natively on loopback.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
SERVICES_DIR = REPO / "scripts" / "services"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, $NAME; $$ is a literal $.
_VARIABLE = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class MissingVariable(LookupError):
    """A ${NAME:?message} variable is unset or empty, as `docker compose` would report it."""


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's interpolation (the subset the spec defines), applied to one string."""

    def replace(match: re.Match[str]) -> str:
        escaped, name, operator, argument, bare = match.groups()
        if escaped:
            return "$"
        if bare:
            return env.get(bare, "")
        value = env.get(name)
        present = bool(value) if operator in (":-", ":?") else value is not None
        if operator in (":-", "-"):
            return value if present else argument
        if operator in (":?", "?"):
            if not present:
                raise MissingVariable(f"{name}: {argument}")
            return value
        return value or ""

    return _VARIABLE.sub(replace, text)


def interpolate_tree(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [interpolate_tree(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env) for key, value in node.items()}
    return node


def variables_in(text: str) -> set[str]:
    return {m.group(2) or m.group(5) for m in _VARIABLE.finditer(text) if not m.group(1)}


def load_compose(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """docker-compose.yml as compose sees it: YAML anchors merged, then (optionally) interpolated."""
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    return interpolate_tree(document, env) if env is not None else document


def env_example_names() -> tuple[set[str], set[str]]:
    """(secrets: uncommented empty assignments, documented: every NAME= line, commented or not)."""
    secrets_, documented = set(), set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            documented.add(match.group(2))
            if not match.group(1) and not match.group(3):
                secrets_.add(match.group(2))
    return secrets_, documented


def generated_env(tmp_path: Path) -> dict[str, str]:
    """Run docker/gen-env.sh into tmp_path/.env and return its variables."""
    target = tmp_path / ".env"
    subprocess.run(
        ["sh", str(REPO / "docker" / "gen-env.sh"), str(ENV_EXAMPLE), str(target)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable},
    )
    values = {}
    for line in target.read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


# --- processes -------------------------------------------------------------------------------
class Service:
    """A script from scripts/services/ running in its own process group, logging to a file."""

    def __init__(self, argv: list[str], env: Mapping[str, str], log: Path) -> None:
        self.log = log
        self._handle = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            argv, env=dict(env), stdout=self._handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Signal the whole group; returns the exit code (SIGKILL after `timeout`)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._handle.close()
        return self.process.returncode


def wait_for(check: Callable[[], bool], timeout: float, what: str, service: Service | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if service is not None and service.process.poll() is not None:
            pytest.fail(f"{what}: the process exited ({service.process.returncode}):\n{service.output()[-3000:]}")
        time.sleep(0.3)
    tail = service.output()[-3000:] if service else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")


def script_ok(argv: list[str], env: Mapping[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False)


def base_env() -> dict[str, str]:
    """The test process's environment minus anything that points at another stack."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRFLOW", "SPARK_", "FLIGHTLAKE_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHON"] = sys.executable
    return env


@pytest.fixture
def services() -> Iterator[list[Service]]:
    """Started services are stopped (process group, SIGTERM then SIGKILL) even when a test fails."""
    started: list[Service] = []
    yield started
    for service in reversed(started):
        service.stop()
