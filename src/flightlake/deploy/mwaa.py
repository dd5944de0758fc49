"""Point the MWAA environment at the new plugins.zip, requirements.txt and startup.sh.

MWAA picks DAG files up from S3 by itself, but the three files it installs from are pinned to
object versions; a new version takes an UpdateEnvironment (which restarts the environment, so it
is only requested when a version actually differs). The CloudFormation template leaves the
versions out on purpose: the deploy owns them, and CloudFormation has nothing to drift from.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from flightlake.deploy.cloudformation import Timing
from flightlake.deploy.names import PLUGINS_KEY, REQUIREMENTS_KEY, STARTUP_KEY
from flightlake.deploy.plan import MWAA, NONE, UPDATE, PlannedAction
from flightlake.deploy.uploads import current_version
from flightlake.errors import FlightlakeError

# UpdateEnvironment field prefix -> object key in the artifacts bucket
FILES: tuple[tuple[str, str], ...] = (
    ("Plugins", PLUGINS_KEY),
    ("Requirements", REQUIREMENTS_KEY),
    ("StartupScript", STARTUP_KEY),
)
_UPDATABLE = ("AVAILABLE", "UPDATE_FAILED")


class MwaaUpdateError(FlightlakeError):
    """The MWAA environment cannot be updated now, or its update failed."""


def get_environment(mwaa: Any, name: str) -> dict[str, Any] | None:
    try:
        return mwaa.get_environment(Name=name)["Environment"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise


def stale_files(environment: Mapping[str, Any], s3: Any, bucket: str, uploading: Collection[str]) -> dict[str, str]:
    """Field prefix -> why it needs a new version: uploaded by this deploy, or the environment
    runs another version than the bucket holds (e.g. an earlier deploy stopped half-way)."""
    stale = {}
    for prefix, key in FILES:
        running = environment.get(f"{prefix}S3ObjectVersion")
        if key in uploading:
            stale[prefix] = f"{key}: new version from this deploy (runs {running or 'none'})"
            continue
        latest = current_version(s3, bucket, key)
        if latest and (latest != running or environment.get(f"{prefix}S3Path") != key):
            stale[prefix] = f"{key}: bucket holds {latest}, environment runs {running or 'none'}"
    return stale


def plan_environment(
    mwaa: Any, s3: Any, name: str, bucket: str, stack_exists: bool, uploading: Collection[str]
) -> PlannedAction:
    if not stack_exists:
        return PlannedAction(MWAA, name, NONE, "created by the airflow stack from the objects uploaded before it")
    environment = _updatable(mwaa, name)
    stale = stale_files(environment, s3, bucket, uploading)
    if not stale:
        return PlannedAction(MWAA, name, NONE, "runs the current plugins, requirements and startup script")
    return PlannedAction(MWAA, name, UPDATE, "new object versions to install", tuple(stale.values()))


def apply_environment(
    mwaa: Any,
    s3: Any,
    name: str,
    bucket: str,
    versions: Mapping[str, str | None],
    timing: Timing,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str]:
    """UpdateEnvironment with the exact versions of the stale files, then wait for AVAILABLE.

    `versions` holds the versions S3 returned for this deploy's uploads; returns the request sent.
    """
    environment = _updatable(mwaa, name)
    stale = stale_files(environment, s3, bucket, versions.keys())
    if not stale:
        return {}
    request: dict[str, str] = {"Name": name}
    for prefix, key in FILES:
        if prefix not in stale:
            continue
        version = versions.get(key) or current_version(s3, bucket, key)
        if not version:
            raise MwaaUpdateError(
                f"s3://{bucket}/{key} has no object version: the artifacts bucket must be versioned for MWAA "
                "(the storage stack enables it)."
            )
        request[f"{prefix}S3Path"] = key
        request[f"{prefix}S3ObjectVersion"] = version
    started = datetime.now(UTC) - timedelta(seconds=60)
    mwaa.update_environment(**request)  # restarts the environment: 20-40 minutes
    _wait_available(mwaa, name, started, timing, sleep)
    return request


def _updatable(mwaa: Any, name: str) -> dict[str, Any]:
    environment = get_environment(mwaa, name)
    if environment is None:
        raise MwaaUpdateError(f"the airflow stack exists but MWAA has no environment {name!r}")
    if environment.get("Status") not in _UPDATABLE:
        status = environment.get("Status")
        raise MwaaUpdateError(f"MWAA environment {name} is {status}; deploy again once it is AVAILABLE.")
    return environment


def _wait_available(mwaa: Any, name: str, started: datetime, timing: Timing, sleep: Callable[[float], None]) -> None:
    for _ in range(timing.attempts):
        environment = mwaa.get_environment(Name=name)["Environment"]
        last = environment.get("LastUpdate", {})
        status = environment.get("Status")
        if status == "UPDATE_FAILED" or last.get("Status") == "FAILED":
            error = last.get("Error", {})
            raise MwaaUpdateError(
                f"MWAA could not update {name}: {error.get('ErrorCode', '')} {error.get('ErrorMessage', '')}".strip()
            )
        created = last.get("CreatedAt")
        if status == "AVAILABLE" and last.get("Status") == "SUCCESS" and (created is None or created >= started):
            return
        sleep(timing.poll_seconds)
    raise MwaaUpdateError(f"MWAA environment {name} did not finish updating in {timing.max_minutes} minutes")
