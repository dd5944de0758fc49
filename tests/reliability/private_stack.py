"""A stack of its own for a test that breaks things (kills the emulator, stops Postgres): the
session's shared stack is never touched, and everything is stopped and removed afterwards."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flightlake.local.stack.manager import Stack
from flightlake.settings import Settings, load_settings
from tests.conftest import make_state_dir, stack_environment


@dataclass
class PrivateStack:
    stack: Stack
    settings: Settings
    env: dict[str, str]
    lines: list[str]

    def up(self) -> dict[str, str]:
        self.env = self.stack.up(echo=self.lines.append)
        return self.env

    def activated(self, monkeypatch: Any) -> Settings:
        """Point this process (boto3, pyarrow, the pipeline's code) at the private stack."""
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)
        return load_settings()

    def client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"]
        )
        config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
        return session.client(
            service, endpoint_url=self.env["AWS_ENDPOINT_URL"], region_name="us-east-1", config=config
        )


@contextmanager
def private_stack(prefix: str) -> Iterator[PrivateStack]:
    state_dir = make_state_dir(prefix)
    environment = {**os.environ, **stack_environment(state_dir)}
    for name in ("AWS_ENDPOINT_URL", "FLIGHTLAKE_WAREHOUSE_DSN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        environment.pop(name, None)
    settings = load_settings(environment)
    handle = PrivateStack(Stack(settings), settings, {}, [])
    try:
        handle.up()
        yield handle
    finally:
        handle.stack.down(echo=lambda line: None)
        shutil.rmtree(state_dir, ignore_errors=True)
