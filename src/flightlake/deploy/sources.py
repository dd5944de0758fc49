"""Where the release an environment is switched to comes from, and how its files get there.

    Built    deploy: built from this checkout now, uploaded (files already stored are kept)
    Copied   promote: the release another environment runs, copied byte for byte, hashes checked
    Stored   rollback: a release already in the environment's bucket

All three give the same facts: version, release id, the wheel's path, the DDL, the environments
its startup.sh knows, and a plan for its objects; none rebuilds a stored release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flightlake.deploy import release_store
from flightlake.deploy.names import DDL_DIR, GLUE_DIR, MANIFEST, release_key
from flightlake.deploy.plan import COPY, NONE, OBJECT, Pending, PlannedAction
from flightlake.deploy.release import Release, parse_manifest
from flightlake.deploy.release_store import Echo, ReleaseNotFound, target
from flightlake.lake.aws import object_exists


class Built:
    def __init__(self, release: Release, stored_as: str | None = None) -> None:
        self.release = release
        self.version = stored_as or release.version  # the same content stored under an earlier label
        self.release_id = release.release_id
        self.origin = release.git

    @property
    def wheel_path(self) -> str:
        return self.release.wheel_path

    @property
    def environments(self) -> list[str]:
        return list(parse_manifest(self.release.file(MANIFEST).body)["environments"])

    def ddl_texts(self, s3: Any) -> list[str]:
        return [f.body.decode() for f in self.release.files if f.path.startswith(f"{DDL_DIR}/")]

    def plan_objects(self, s3: Any, bucket: str | Pending) -> list[PlannedAction]:
        if self.version != self.release.version:
            reason = f"same content as the stored release {self.version} (built from {self.release.git})"
            return [PlannedAction(OBJECT, target(bucket, release_key(self.version, "")), NONE, reason)]
        return release_store.plan_upload(s3, bucket, self.release)

    def put_objects(self, s3: Any, bucket: str, echo: Echo) -> None:
        if self.version == self.release.version:
            release_store.upload(s3, bucket, self.release, echo)


@dataclass
class _Stored:
    """A release known by its manifest in a bucket."""

    bucket: str
    version: str
    manifest: dict[str, Any]

    @property
    def release_id(self) -> str:
        return self.manifest["release_id"]

    @property
    def wheel_path(self) -> str:
        return next(p for p in self.manifest["files"] if p.startswith(f"{GLUE_DIR}/") and p.endswith(".whl"))

    @property
    def environments(self) -> list[str]:
        return list(self.manifest.get("environments", []))

    def ddl_texts(self, s3: Any) -> list[str]:
        return [
            release_store.read_checked(
                s3, self.bucket, self.version, path, self.manifest["files"][path]["sha256"]
            ).decode()
            for path in self.manifest["ddl"]
        ]


def load(s3: Any, bucket: str, version: str) -> dict[str, Any]:
    manifest = release_store.read_manifest(s3, bucket, version)
    if manifest is None:
        raise ReleaseNotFound(f"release {version} is not in s3://{bucket} (no {release_key(version, MANIFEST)})")
    return manifest


class Copied(_Stored):
    """Promotion: `bucket` is the source environment's; the target's bucket receives the copy."""

    def __init__(self, s3: Any, source_bucket: str, version: str, source_environment: str) -> None:
        super().__init__(source_bucket, version, load(s3, source_bucket, version))
        self.origin = source_environment

    def plan_objects(self, s3: Any, bucket: str | Pending) -> list[PlannedAction]:
        actions = []
        for path, entry in sorted(self.manifest["files"].items()):
            key = release_key(self.version, path)
            head = object_exists(s3, bucket, key) if isinstance(bucket, str) else None
            if head is not None and head.get("Metadata", {}).get(release_store.SHA_METADATA) == entry["sha256"]:
                actions.append(
                    PlannedAction(OBJECT, target(bucket, key), NONE, f"copied (sha256 {entry['sha256'][:12]})")
                )
            else:
                details = (f"sha256 {entry['sha256']}  {entry['bytes']} bytes  from s3://{self.bucket}/{key}",)
                actions.append(PlannedAction(OBJECT, target(bucket, key), COPY, f"from {self.origin}", details))
        return actions

    def put_objects(self, s3: Any, bucket: str, echo: Echo) -> None:
        release_store.copy_release(s3, self.bucket, bucket, self.version, echo)


class Stored(_Stored):
    """Rollback: a release already in the environment's own bucket, checked against its manifest."""

    def __init__(self, s3: Any, bucket: str, version: str) -> None:
        super().__init__(bucket, version, load(s3, bucket, version))
        self.origin = ""  # already in this environment

    def plan_objects(self, s3: Any, bucket: str | Pending) -> list[PlannedAction]:
        for path, entry in self.manifest["files"].items():
            head = object_exists(s3, self.bucket, release_key(self.version, path)) or {}
            if head.get("Metadata", {}).get(release_store.SHA_METADATA) != entry["sha256"]:
                raise ReleaseNotFound(f"release {self.version} in s3://{self.bucket} lacks {path} or holds other bytes")
        reason = f"stored, {len(self.manifest['files'])} files as the manifest lists them"
        return [PlannedAction(OBJECT, target(bucket, release_key(self.version, "")), NONE, reason)]

    def put_objects(self, s3: Any, bucket: str, echo: Echo) -> None:
        return None


Source = Built | Copied | Stored
