"""Every object a deployment puts in the artifacts bucket, with its bytes and sha256.

The DAG files and Spark scripts are the checkout's own files, byte for byte: there is no
"AWS variant" of any of them. The rest is generated reproducibly from the checkout: the wheel
(for Glue, and inside plugins.zip for MWAA), requirements.txt and startup.sh. An artifact whose
content depends on a stack that does not exist yet has no body, and says what it waits for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flightlake.deploy import mwaa_files
from flightlake.deploy.names import (
    DAGS_PREFIX,
    PLUGINS_KEY,
    REQUIREMENTS_KEY,
    SPARK_JOBS_PREFIX,
    STARTUP_KEY,
    glue_wheel_key,
)
from flightlake.deploy.plan import Pending
from flightlake.deploy.runtime_env import mwaa_environment
from flightlake.errors import FlightlakeError
from flightlake.settings import Settings

# The scripts glue.yaml runs, and the DAG MWAA schedules: a deploy without them is broken.
REQUIRED_FILES: tuple[str, ...] = (
    "dags/flights_etl.py",
    "spark_jobs/raw_to_stage.py",
    "spark_jobs/stage_to_analytics.py",
)
_CONTENT_TYPES = {
    ".py": "text/x-python",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".sh": "text/x-shellscript",
    ".txt": "text/plain",
    ".json": "application/json",
}


class MissingProjectFile(FlightlakeError):
    """A file the deployed pipeline needs is not in the checkout."""


@dataclass(frozen=True)
class Artifact:
    key: str
    body: bytes | None
    source: str
    pending: Pending | None = None

    @property
    def sha256(self) -> str | None:
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES.get(Path(self.key).suffix, "application/octet-stream")


def project_files(root: Path, prefix: str) -> list[Artifact]:
    """The files under dags/ or spark_jobs/, as they are (caches and dotfiles left out)."""
    directory = root / prefix.rstrip("/")
    if not directory.is_dir():
        return []
    artifacts = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(root)
        skipped = any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
        if not path.is_file() or path.suffix == ".pyc" or skipped:
            continue
        artifacts.append(Artifact(relative.as_posix(), path.read_bytes(), f"{relative.as_posix()} (checkout)"))
    return artifacts


def build_artifacts(
    root: Path, wheel: Path, settings: Settings, workgroup: str, copy_role_arn: str | Pending
) -> list[Artifact]:
    """Everything to upload, in upload order (code first, then what MWAA installs from)."""
    missing = [name for name in REQUIRED_FILES if not (root / name).is_file()]
    if missing:
        raise MissingProjectFile(f"the checkout at {root} lacks {', '.join(missing)}")
    wheel_bytes = wheel.read_bytes()
    wheel_sha = hashlib.sha256(wheel_bytes).hexdigest()
    pins = mwaa_files.runtime_pins(root / "pyproject.toml", root / "requirements" / "lock.txt")
    artifacts = project_files(root, DAGS_PREFIX) + project_files(root, SPARK_JOBS_PREFIX)
    artifacts.append(Artifact(glue_wheel_key(wheel.name), wheel_bytes, f"{wheel.name} (built from src/)"))
    artifacts.append(Artifact(PLUGINS_KEY, mwaa_files.plugins_zip(wheel), f"generated: {wheel.name} for MWAA"))
    artifacts.append(
        Artifact(
            REQUIREMENTS_KEY,
            mwaa_files.requirements_txt(wheel.name, wheel_sha, pins),
            "generated: constraints, the wheel, pinned dependencies",
        )
    )
    template = (root / "deploy" / "mwaa" / "startup.sh.template").read_text()
    if isinstance(copy_role_arn, Pending):
        artifacts.append(Artifact(STARTUP_KEY, None, "generated: FLIGHTLAKE_* exports", pending=copy_role_arn))
    else:
        env = mwaa_environment(settings, workgroup, copy_role_arn)
        artifacts.append(
            Artifact(STARTUP_KEY, mwaa_files.startup_script(template, env), "generated: FLIGHTLAKE_* exports")
        )
    return artifacts
