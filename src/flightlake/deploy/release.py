"""A release: the artifact set built from one commit, the unit that is deployed, promoted and rolled back.

It holds the DAG files and the Spark scripts as they are in the checkout, the wheel (for Glue, and
inside plugins.zip for MWAA), requirements.txt, startup.sh, the warehouse DDL, and a manifest
listing every file with its sha256. Every file is the same bytes in every environment: startup.sh
carries one block of settings per committed environment and MWAA picks its own (`mwaa_files`).

Its version is `<git describe>-<release id>`: the commit it came from, for people, and the first
12 hex digits of a hash over the content, for the machine. The id names the release's Glue jobs
and decides identity: the same content built from another commit is the same release.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flightlake.deploy import mwaa_files
from flightlake.deploy.environments import Environment
from flightlake.deploy.names import (
    DAGS_DIR,
    DDL_DIR,
    GLUE_DIR,
    MANIFEST,
    PLUGINS,
    REQUIREMENTS,
    SPARK_APPLICATION,
    SPARK_JOBS_DIR,
    STARTUP,
    Names,
    release_key,
)  # fmt: skip
from flightlake.deploy.runtime_env import mwaa_environment
from flightlake.errors import FlightlakeError
from flightlake.warehouse.sql_files import ddl_files

# The DAG MWAA schedules, and the script every Glue job runs: a release without them is broken.
REQUIRED_FILES: tuple[str, ...] = (f"{DAGS_DIR}/flights_etl.py", SPARK_APPLICATION)
_CONTENT_TYPES = {
    ".py": "text/x-python", ".zip": "application/zip", ".whl": "application/zip", ".sh": "text/x-shellscript",
    ".txt": "text/plain", ".json": "application/json", ".sql": "text/plain",
}  # fmt: skip
_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
_PLACEHOLDER_ID = "0" * 12  # the release id inside startup.sh while the content hash is computed


class MissingProjectFile(FlightlakeError):
    """A file the deployed pipeline needs is not in the checkout."""


@dataclass(frozen=True)
class ReleaseFile:
    path: str  # inside the release, e.g. dags/flights_etl.py
    body: bytes
    source: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES.get(Path(self.path).suffix, "application/octet-stream")


@dataclass(frozen=True)
class Release:
    version: str
    release_id: str
    git: str
    files: tuple[ReleaseFile, ...]  # the manifest last

    def key(self, path: str) -> str:
        return release_key(self.version, path)

    def file(self, path: str) -> ReleaseFile:
        return next(f for f in self.files if f.path == path)

    @property
    def wheel_path(self) -> str:
        return next(f.path for f in self.files if f.path.startswith(f"{GLUE_DIR}/") and f.path.endswith(".whl"))


def git_label(root: Path) -> str:
    """`git describe --tags --always --dirty`, made safe for keys and names; `nogit` outside a checkout."""
    try:
        described = subprocess.run(
            ["git", "-C", str(root), "describe", "--tags", "--always", "--dirty"],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "nogit"
    return _UNSAFE.sub("-", described).strip("-")[:40] or "nogit"


def code_files(root: Path, wheel: Path) -> list[ReleaseFile]:
    """Everything but startup.sh and the manifest: the checkout's files and what is built from them."""
    missing = [name for name in REQUIRED_FILES if not (root / name).is_file()]
    if missing:
        raise MissingProjectFile(f"the checkout at {root} lacks {', '.join(missing)}")
    files = _tree(root, DAGS_DIR) + _tree(root, SPARK_JOBS_DIR)
    wheel_bytes = wheel.read_bytes()
    files.append(ReleaseFile(f"{GLUE_DIR}/{wheel.name}", wheel_bytes, f"{wheel.name} (built from src/)"))
    files.append(ReleaseFile(PLUGINS, mwaa_files.plugins_zip(wheel), f"generated: {wheel.name} for MWAA"))
    pins = mwaa_files.runtime_pins(root / "pyproject.toml", root / "requirements" / "lock.txt")
    requirements = mwaa_files.requirements_txt(wheel.name, hashlib.sha256(wheel_bytes).hexdigest(), pins)
    files.append(ReleaseFile(REQUIREMENTS, requirements, "generated: constraints, the wheel, pinned dependencies"))
    sql = [*ddl_files(root / "postgres_init"), root / "deploy" / "redshift" / "grants.sql"]
    for index, path in enumerate(sql):
        relative = path.relative_to(root).as_posix()
        files.append(ReleaseFile(f"{DDL_DIR}/{index:02d}-{path.name}", path.read_bytes(), f"{relative} (checkout)"))
    return files


def build_release(root: Path, wheel: Path, environments: list[Environment], git: str | None = None) -> Release:
    """The release of this checkout: content first, then its id, then the files that name it."""
    files = code_files(root, wheel)
    template = (root / "deploy" / "mwaa" / "startup.sh.template").read_text()

    def startup(release_id: str, version: str) -> bytes:
        blocks = {Names(env).mwaa_environment: mwaa_environment(Names(env), release_id) for env in environments}
        return mwaa_files.startup_script(template, version, blocks)

    content = hashlib.sha256()
    for item in sorted(files, key=lambda f: f.path):
        content.update(f"{item.path}\0{item.sha256}\n".encode())
    content.update(startup(_PLACEHOLDER_ID, _PLACEHOLDER_ID))
    release_id = content.hexdigest()[:12]
    git = git or git_label(root)
    version = f"{git}-{release_id}"
    files.append(ReleaseFile(STARTUP, startup(release_id, version), "generated: FLIGHTLAKE_* per environment"))
    manifest = {
        "version": version,
        "release_id": release_id,
        "git": git,
        "content_sha256": content.hexdigest(),
        "environments": sorted(env.name for env in environments),
        "files": {f.path: {"sha256": f.sha256, "bytes": len(f.body)} for f in files},
        "ddl": [f.path for f in files if f.path.startswith(f"{DDL_DIR}/")],
    }
    body = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    files.append(ReleaseFile(MANIFEST, body, "generated: every file of the release with its sha256"))
    return Release(version, release_id, git, tuple(files))


def parse_manifest(body: bytes) -> dict[str, Any]:
    return json.loads(body)


def _tree(root: Path, directory: str) -> list[ReleaseFile]:
    """The files under dags/ or spark_jobs/, as they are (caches and dotfiles left out)."""
    base = root / directory
    files = []
    for path in sorted(base.rglob("*")) if base.is_dir() else []:
        relative = path.relative_to(root)
        skipped = any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
        if path.is_file() and path.suffix != ".pyc" and not skipped:
            files.append(ReleaseFile(relative.as_posix(), path.read_bytes(), f"{relative.as_posix()} (checkout)"))
    return files
