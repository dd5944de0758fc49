"""Shared fixtures: one embedded stack and one Spark session for the whole test session.

The stack runs in its own state directory (never the developer's `.flightlake/`) on free ports,
so tests can run while a developer's stack is up. The S3A jars and the Glue 5.0 runtime are shared
with the project's cache, because fetching 180 MB (or building a 1 GB virtualenv) per test run
would be silly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flightlake.local.stack import processes
from flightlake.local.stack.manager import Stack
from flightlake.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
_CLIENT_VARS = (
    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_PROFILE", "FLIGHTLAKE_WAREHOUSE_DSN", "FLIGHTLAKE_STATE_DIR",
)  # fmt: skip


@dataclass
class StackHandle:
    settings: Settings
    stack: Stack
    env: dict[str, str]


def make_state_dir(prefix: str = "flightlake-test-") -> Path:
    """A state dir the unprivileged Postgres user can enter (pytest's tmp dirs are 0700)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def stack_environment(state_dir: Path) -> dict[str, str]:
    return {
        "FLIGHTLAKE_STATE_DIR": str(state_dir),
        "FLIGHTLAKE_JARS_DIR": os.environ.get("FLIGHTLAKE_JARS_DIR", str(REPO / ".flightlake" / "jars")),
        "FLIGHTLAKE_GLUE_RUNTIME_DIR": os.environ.get(
            "FLIGHTLAKE_GLUE_RUNTIME_DIR", str(REPO / ".flightlake" / "glue-runtime")
        ),
        "FLIGHTLAKE_EMULATOR_PORT": str(processes.free_port(0)),
        "FLIGHTLAKE_POSTGRES_PORT": str(processes.free_port(0)),
        "FLIGHTLAKE_PROJECT_DIR": str(REPO),
    }


@pytest.fixture(scope="session")
def embedded_stack() -> Iterator[StackHandle]:
    saved = dict(os.environ)
    for name in _CLIENT_VARS:
        os.environ.pop(name, None)
    state_dir = make_state_dir()
    os.environ.update(stack_environment(state_dir))
    stack = Stack(load_settings())
    env = stack.up(echo=lambda line: None)
    os.environ.update(env)
    try:
        yield StackHandle(load_settings(), stack, env)
    finally:
        stack.down(echo=lambda line: None)
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(embedded_stack: StackHandle) -> Settings:
    return embedded_stack.settings


@pytest.fixture(scope="session")
def spark(embedded_stack: StackHandle):
    """One SparkSession for every test (start-up costs 3-10 s)."""
    from flightlake.spark.session import get_session

    session = get_session(embedded_stack.settings, "flightlake-tests")
    yield session
    session.stop()


@pytest.fixture
def s3(settings: Settings):
    from flightlake.lake.aws import client

    return client("s3", settings)


@pytest.fixture
def glue(settings: Settings):
    from flightlake.lake.aws import client

    return client("glue", settings)
