"""Planted defects: each test copies the parts of the checkout that ship to AWS into a scratch
directory, plants one small defect there, and asserts that the fast check (`make check-aws`) or
one direct call to a stand-in (one Data API statement, one Glue job run of a tiny script) fails
with a message naming it. Never a whole rehearsal per defect."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from flightlake.local.emulator.glue_runtime import GlueRuntime, ensure_runtime
from flightlake.settings import load_settings
from tests.conftest import REPO

SHIPPED = ("pyproject.toml", "README.md", "src", "spark_jobs", "dags", "postgres_init", "deploy/redshift")


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of what the release is made of, to plant a defect in."""
    root = tmp_path / "checkout"
    for part in SHIPPED:
        source, target = REPO / part, root / part
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return root


@pytest.fixture(scope="session")
def glue_runtime() -> GlueRuntime:
    """The Glue 5.0 runtime the stand-in runs jobs under (the project's cache, as test stacks use)."""
    settings = load_settings()
    shared = os.environ.get("FLIGHTLAKE_GLUE_RUNTIME_DIR") or str(REPO / ".flightlake" / "glue-runtime")
    return ensure_runtime(replace(settings, glue_runtime_dir=Path(shared), project_dir=REPO))


def plant(root: Path, relative: str, old: str, new: str) -> int:
    """Replace `old` (which must be there once) with `new`; returns the line the defect starts on."""
    path = root / relative
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not in {relative} once"
    path.write_text(text.replace(old, new))
    return text[: text.index(old)].count("\n") + 1
