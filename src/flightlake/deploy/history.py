"""Which release an environment runs, since when, and who put it there: state/deployments.json.

One small JSON document in the environment's artifacts bucket, appended to by every deploy,
promotion and rollback once MWAA runs the release. The current release is the last entry; a
rollback goes to the release of the entry before the current release was first switched to.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from flightlake.deploy.names import HISTORY_KEY
from flightlake.lake.aws import object_exists


@dataclass(frozen=True)
class Deployed:
    version: str
    release_id: str
    action: str  # deploy | promote | rollback
    at: str  # ISO 8601, UTC
    by: str  # the caller's ARN
    source: str = ""  # promote: the environment it came from; deploy: the git label

    def line(self) -> str:
        origin = f" from {self.source}" if self.source else ""
        return f"{self.version}  {self.action}{origin}  {self.at}  by {self.by}"


def read(s3: Any, bucket: str) -> list[Deployed]:
    if object_exists(s3, bucket, HISTORY_KEY) is None:
        return []
    document = json.loads(s3.get_object(Bucket=bucket, Key=HISTORY_KEY)["Body"].read())
    return [Deployed(**entry) for entry in document.get("deployments", [])]


def current(entries: list[Deployed]) -> Deployed | None:
    return entries[-1] if entries else None


def previous(entries: list[Deployed]) -> Deployed | None:
    """The release that ran before the current one (skipping repeats of the current release)."""
    if not entries:
        return None
    running = entries[-1].version
    for entry in reversed(entries[:-1]):
        if entry.version != running:
            return entry
    return None


def kept_release_ids(entries: list[Deployed], keep: int, also: str) -> set[str]:
    """The ids of the latest `keep` distinct releases, `also` (the one being switched to) among them.

    At least two: the release running until the switch keeps its jobs for the runs still in flight.
    """
    ids: list[str] = [also]
    for entry in reversed(entries):
        if entry.release_id not in ids:
            ids.append(entry.release_id)
    return set(ids[: max(keep, 2)])


def record(s3: Any, bucket: str, environment: str, entry: Deployed) -> list[Deployed]:
    entries = [*read(s3, bucket), entry]
    document = {"environment": environment, "deployments": [asdict(e) for e in entries]}
    s3.put_object(Bucket=bucket, Key=HISTORY_KEY, Body=(json.dumps(document, indent=2) + "\n").encode(),
                  ContentType="application/json")  # fmt: skip
    return entries


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def caller(sts: Any) -> str:
    """Who deploys: the ARN of the credentials in use."""
    return sts.get_caller_identity()["Arn"]
