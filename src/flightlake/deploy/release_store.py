"""Releases in an environment's artifacts bucket: stored once under releases/<version>/, never overwritten.

Each object carries the sha256 of its bytes as user metadata (`x-amz-meta-sha256`; ETags are no
content hash under KMS or multipart). A file already there with the same sha256 is left alone;
with another sha256 the deploy stops: a version names exactly one content, and nothing replaces
what an environment may be running. A promotion copies a release between two buckets with
CopyObject, checking every file's bytes against the manifest before and after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from flightlake.deploy.names import MANIFEST, RELEASES_PREFIX, release_key
from flightlake.deploy.plan import NONE, OBJECT, UPLOAD, Pending, PlannedAction
from flightlake.deploy.release import Release, parse_manifest
from flightlake.errors import FlightlakeError
from flightlake.lake.aws import object_exists

SHA_METADATA = "sha256"
Echo = Callable[[str], None]


class ReleaseConflict(FlightlakeError):
    """A release file exists with other bytes than this release's: releases are never overwritten."""


class ReleaseNotFound(FlightlakeError):
    """The release a promotion or rollback names is not in the bucket (or is incomplete)."""


def target(bucket: str | Pending, key: str) -> str:
    return f"s3://{bucket}/{key}" if isinstance(bucket, str) else f"s3://(artifacts bucket)/{key}"


def plan_upload(s3: Any, bucket: str | Pending, release: Release) -> list[PlannedAction]:
    """One action per file: upload (new) or none (there with the same sha256); a conflict raises."""
    actions = []
    for item in release.files:
        key = release.key(item.path)
        details = (f"sha256 {item.sha256}  {len(item.body)} bytes  from {item.source}",)
        if isinstance(bucket, Pending):
            actions.append(PlannedAction(OBJECT, target(bucket, key), UPLOAD, "new bucket (artifacts stack)", details))
            continue
        head = object_exists(s3, bucket, key)
        stored = (head or {}).get("Metadata", {}).get(SHA_METADATA)
        if head is None:
            actions.append(PlannedAction(OBJECT, target(bucket, key), UPLOAD, "new release file", details))
        elif stored != item.sha256:
            raise ReleaseConflict(
                f"s3://{bucket}/{key} holds other bytes (sha256 {stored}) than release {release.version} "
                f"({item.sha256}); releases are never overwritten. Delete the stray object, or commit and build again."
            )
        else:
            actions.append(PlannedAction(OBJECT, target(bucket, key), NONE, f"stored (sha256 {item.sha256[:12]})"))
    return actions


def upload(s3: Any, bucket: str, release: Release, echo: Echo) -> dict[str, str | None]:
    """Put the files not there yet, the manifest last (a release is complete once it exists)."""
    versions: dict[str, str | None] = {}
    for action in plan_upload(s3, bucket, release):
        path = action.target.split(f"/{RELEASES_PREFIX}{release.version}/", 1)[1]
        key = release.key(path)
        if action.change == UPLOAD:
            item = release.file(path)
            response = s3.put_object(Bucket=bucket, Key=key, Body=item.body, ContentType=item.content_type,
                                     Metadata={SHA_METADATA: item.sha256})  # fmt: skip
            versions[path] = response.get("VersionId")
            echo(f"object {target(bucket, key)}: sha256 {item.sha256[:12]}")
        else:
            versions[path] = (object_exists(s3, bucket, key) or {}).get("VersionId")
    return versions


def read_manifest(s3: Any, bucket: str, version: str) -> dict[str, Any] | None:
    key = release_key(version, MANIFEST)
    if object_exists(s3, bucket, key) is None:
        return None
    return parse_manifest(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def versions_in(s3: Any, bucket: str) -> list[str]:
    """Every release version stored in the bucket."""
    found: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=RELEASES_PREFIX, Delimiter="/"):
        found.extend(p["Prefix"][len(RELEASES_PREFIX) : -1] for p in page.get("CommonPrefixes", []))
    return found


def find_same_content(s3: Any, bucket: str | Pending, release: Release) -> str | None:
    """The version under which this content is already stored (built from another commit), if any."""
    if isinstance(bucket, Pending):
        return None
    try:
        stored = versions_in(s3, bucket)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchBucket":
            return None
        raise
    for version in stored:
        if version.endswith(f"-{release.release_id}") and read_manifest(s3, bucket, version):
            return version
    return None


def object_versions(s3: Any, bucket: str, version: str, paths: list[str]) -> dict[str, str | None]:
    """The S3 object version of release files (MWAA pins them)."""
    return {path: (object_exists(s3, bucket, release_key(version, path)) or {}).get("VersionId") for path in paths}


def read_checked(s3: Any, bucket: str, version: str, path: str, sha256: str) -> bytes:
    """A release file's bytes, refused unless they hash to what the manifest says."""
    body = s3.get_object(Bucket=bucket, Key=release_key(version, path))["Body"].read()
    actual = hashlib.sha256(body).hexdigest()
    if actual != sha256:
        raise ReleaseConflict(f"s3://{bucket}/{release_key(version, path)}: sha256 {actual}, manifest says {sha256}")
    return body


def copy_release(s3: Any, source: str, destination: str, version: str, echo: Echo) -> dict[str, str]:
    """Copy a release byte for byte (CopyObject, metadata kept); every file hashed before and after.

    Returns path -> sha256 of what now is in the destination (equal to the source's manifest).
    """
    manifest = read_manifest(s3, source, version)
    if manifest is None:
        raise ReleaseNotFound(f"release {version} is not in s3://{source} (no {MANIFEST})")
    copied: dict[str, str] = {}
    entries: list[tuple[str, dict[str, Any] | None]] = [*sorted(manifest["files"].items()), (MANIFEST, None)]
    for path, entry in entries:
        key = release_key(version, path)
        if entry is not None:
            read_checked(s3, source, version, path, entry["sha256"])
            there = object_exists(s3, destination, key)
            if there is not None and there.get("Metadata", {}).get(SHA_METADATA) != entry["sha256"]:
                raise ReleaseConflict(
                    f"s3://{destination}/{key} exists with other bytes; releases are never overwritten"
                )
        if entry is None or object_exists(s3, destination, key) is None:
            s3.copy_object(Bucket=destination, Key=key, CopySource={"Bucket": source, "Key": key},
                           MetadataDirective="COPY")  # fmt: skip
            echo(f"object s3://{destination}/{key}: copied from s3://{source}")
        if entry is not None:
            read_checked(s3, destination, version, path, entry["sha256"])
            copied[path] = entry["sha256"]
    return copied
