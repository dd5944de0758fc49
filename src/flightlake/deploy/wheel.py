"""Build the flightlake wheel for AWS from the checkout, reproducibly and without touching it.

Glue installs it with pip (`--additional-python-modules`), MWAA from plugins.zip through
requirements.txt. It holds only what runs there: the pipeline and what it imports (settings,
lake, warehouse, spark, anomalies, reporting), not the embedded stack, the deploy code, the data
generator or the CLI (`LOCAL_ONLY`), and it installs no `flightlake` command.

The deploy compares content hashes, so the same sources must give the same bytes: the build runs
on a clean copy of the package sources (no stale `build/` directory can leak a deleted module
into the wheel) with SOURCE_DATE_EPOCH fixed, which pins the timestamps inside the zip. No build
isolation: the project's own setuptools builds it, so no index is needed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from flightlake.errors import FlightlakeError

# 1980-01-01, the earliest time a zip entry can hold.
REPRODUCIBLE_EPOCH = "315532800"
_SOURCES = ("pyproject.toml", "setup.cfg", "setup.py", "MANIFEST.in", "README.md", "LICENSE")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*")
# Packages and modules of src/flightlake that never run on AWS.
LOCAL_ONLY: tuple[str, ...] = ("local", "deploy", "datagen", "explore", "cli", "__main__.py")
_SCRIPTS_TABLE = re.compile(r"^\[project\.scripts\]\n(?:[^\[\n].*\n|\n)*", re.MULTILINE)


class WheelBuildError(FlightlakeError):
    """The wheel could not be built; the message carries the build tool's output."""


def build_wheel(project_root: Path, out_dir: Path) -> Path:
    """Build `flightlake-<version>-py3-none-any.whl` into out_dir and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="flightlake-wheel-") as tmp:
        source = Path(tmp) / "src-copy"
        source.mkdir()
        for name in _SOURCES:
            if (project_root / name).is_file():
                shutil.copy2(project_root / name, source / name)
        pyproject = source / "pyproject.toml"
        pyproject.write_text(runtime_pyproject(pyproject.read_text()))
        shutil.copytree(project_root / "src", source / "src", ignore=_runtime_only)
        before = set(out_dir.glob("*.whl"))
        result = subprocess.run(
            _command(source, out_dir),
            env={**os.environ, "SOURCE_DATE_EPOCH": REPRODUCIBLE_EPOCH},
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise WheelBuildError(f"building the flightlake wheel failed:\n{result.stdout}{result.stderr}")
    built = sorted(set(out_dir.glob("*.whl")) - before) or sorted(out_dir.glob("flightlake-*.whl"))
    if len(built) != 1:
        raise WheelBuildError(f"expected one wheel in {out_dir}, found {[p.name for p in built]}")
    return built[0]


def runtime_pyproject(text: str) -> str:
    """pyproject.toml without its console scripts: the CLI is not in the AWS wheel."""
    return _SCRIPTS_TABLE.sub("", text)


def _runtime_only(directory: str, names: list[str]) -> set[str]:
    """copytree's ignore: caches everywhere, and the local-only parts of the package."""
    ignored = set(_IGNORED(directory, names))
    if Path(directory).name == "flightlake" and Path(directory).parent.name == "src":
        ignored |= {name for name in names if name in LOCAL_ONLY}
    return ignored


def _command(source: Path, out_dir: Path) -> list[str]:
    """uv when it is there (fast), else pip: both build with the project's setuptools."""
    uv = shutil.which("uv") or _sibling("uv")
    if uv:
        return [uv, "build", "--wheel", "--no-build-isolation", "--python", sys.executable, "-q",
                "--out-dir", str(out_dir), str(source)]  # fmt: skip
    return [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out_dir),
            str(source)]  # fmt: skip


def _sibling(name: str) -> str | None:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else None
