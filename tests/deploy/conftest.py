"""Fixtures for the deploy tests: the real wheel (built once), a throwaway copy of the checkout,
AWS clients the emulator does not implement wrapped in botocore's Stubber, and `answered`, which
answers one operation the emulator lacks (CloudFormation's UpdateTerminationProtection) on an
otherwise real client, recording what was asked."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from flightlake.deploy.clients import Clients
from flightlake.deploy.cloudformation import Timing
from flightlake.deploy.environments import load_environment
from flightlake.deploy.target import Target, environment_settings
from flightlake.deploy.wheel import build_wheel
from flightlake.lake.aws import client
from flightlake.settings import Settings
from tests.conftest import REPO

# The parts of the checkout a deploy reads.
PROJECT_PARTS = ("dags", "spark_jobs", "postgres_init", "deploy", "pyproject.toml", "requirements/lock.txt")
FAST = Timing(poll_seconds=0, max_minutes=1)


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flightlake wheel of this checkout, built once for the whole session (about 1.5 s)."""
    return build_wheel(REPO, tmp_path_factory.mktemp("wheel"))


def copy_project(target: Path) -> Path:
    """A copy of the checkout parts a deploy reads, so a test can edit DAGs without touching the repo."""
    for part in PROJECT_PARTS:
        source = REPO / part
        destination = target / part
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, destination)
    dag = target / "dags" / "flights_etl.py"
    if not dag.exists() or dag.stat().st_size == 0:  # the DAG is being written elsewhere; any content will do
        dag.write_text('"""flights_etl placeholder for the deploy tests."""\n')
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "checkout")


def wheel_builder(wheel: Path):
    """A builder that hands out a prebuilt wheel (a copy, as a real build would make)."""

    def build(out_dir: Path) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheel, out_dir / wheel.name))

    return build


_CLIENTS: dict[tuple[str, str, str], Any] = {}


def cached_client(service: str, settings: Settings) -> Any:
    """One client per service and endpoint for the whole session: making one costs ~0.1 s."""
    key = (service, settings.region, os.environ.get("AWS_ENDPOINT_URL", ""))
    if key not in _CLIENTS:
        _CLIENTS[key] = client(service, settings)
    return _CLIENTS[key]


class Stubs:
    """Stubbed clients for the services moto lacks; every expected call is queued explicitly.

    `clients` also holds the (real, emulator-backed) CloudFormation and S3 clients, so a
    Deployment made with them creates no client of its own."""

    _active: ClassVar[dict[str, Stubber]] = {}

    REAL = ("cloudformation", "s3", "sts", "ec2", "glue", "sns", "logs", "kms", "iam")

    def __init__(self, settings: Settings) -> None:
        self.clients: dict[str, Any] = {s: cached_client(s, settings) for s in self.REAL}
        self.stubbers: dict[str, Stubber] = {}
        for service in ("mwaa", "redshift-serverless", "redshift-data"):
            if service in Stubs._active:  # a test that did not close its stubs
                Stubs._active.pop(service).deactivate()
            self.clients[service] = cached_client(service, settings)
            self.stubbers[service] = Stubs._active[service] = Stubber(self.clients[service])
            self.stubbers[service].activate()

    def __getitem__(self, service: str) -> Stubber:
        return self.stubbers[service]

    def assert_all_used(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()

    def close(self) -> None:
        for service, stubber in self.stubbers.items():
            if Stubs._active.get(service) is stubber:
                Stubs._active.pop(service).deactivate()


@pytest.fixture
def stubs(settings: Settings) -> Iterator[Stubs]:
    stubbed = Stubs(settings)
    yield stubbed
    stubbed.close()


class Captured:
    """An expected Stubber parameter that accepts any value and remembers it, so a test can then
    compare what was sent with what the emulator holds (object versions are not predictable)."""

    def __init__(self) -> None:
        self.value: Any = None

    def __eq__(self, other: object) -> bool:
        self.value = other
        return True

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def make_target(name: str, project: Path, stubs: Stubs) -> Target:
    """The environment `name` of the project copy, with the tests' clients and no waiting."""
    env = load_environment(project, name)
    clients = Clients(environment_settings(env), stubs.clients)
    return Target(env, project, clients, timing=FAST, sleep=lambda seconds: None)


@contextmanager
def answered(client: Any, operation: str, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> Iterator[list]:
    """Answer `operation` on a real client with `answer(params)`; yields the params of every call."""
    calls: list[dict[str, Any]] = []
    service = client.meta.service_model.service_id.hyphenize()

    def record(params: dict[str, Any], **kwargs: Any) -> None:
        calls.append(dict(params))

    def respond(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("", 200, {}, None), answer(calls[-1])

    client.meta.events.register(f"before-parameter-build.{service}.{operation}", record)
    client.meta.events.register(f"before-call.{service}.{operation}", respond)
    try:
        yield calls
    finally:
        client.meta.events.unregister(f"before-parameter-build.{service}.{operation}", record)
        client.meta.events.unregister(f"before-call.{service}.{operation}", respond)
