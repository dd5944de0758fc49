"""Sync the artifacts bucket by content hash: upload what changed, delete what was removed.

Each object carries the sha256 of its bytes as user metadata (`x-amz-meta-sha256`), so deciding
whether to upload is one HEAD request and does not depend on ETags (which multipart uploads and
KMS encryption make useless as content hashes). Under dags/ and spark_jobs/ the bucket mirrors
the checkout: a file deleted locally is deleted in S3, or MWAA would keep scheduling it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flightlake.deploy.artifacts import Artifact
from flightlake.deploy.plan import DELETE, NONE, OBJECT, UPLOAD, Pending, PlannedAction
from flightlake.lake.aws import list_keys, object_exists

SHA_METADATA = "sha256"


def target(bucket: str | Pending, key: str) -> str:
    return f"s3://{bucket}/{key}" if isinstance(bucket, str) else f"s3://(artifacts bucket)/{key}"


def key_of(target_uri: str) -> str:
    """The object key of an object action's target (inverse of `target`)."""
    return target_uri.split("/", 3)[3]


def plan_objects(
    s3: Any, bucket: str | Pending, artifacts: list[Artifact], synced_prefixes: Iterable[str]
) -> list[PlannedAction]:
    """One action per artifact (upload or unchanged) and one per stale object to delete."""
    actions = []
    for artifact in artifacts:
        where = target(bucket, artifact.key)
        if artifact.body is None:
            actions.append(PlannedAction(OBJECT, where, UPLOAD, f"content depends on {artifact.pending}"))
            continue
        details = (f"sha256 {artifact.sha256}  {len(artifact.body)} bytes  from {artifact.source}",)
        if isinstance(bucket, Pending):
            actions.append(PlannedAction(OBJECT, where, UPLOAD, "new bucket (storage stack)", details))
            continue
        head = object_exists(s3, bucket, artifact.key)
        current = (head or {}).get("Metadata", {}).get(SHA_METADATA)
        if head is None:
            actions.append(PlannedAction(OBJECT, where, UPLOAD, "new object", details))
        elif current != artifact.sha256:
            was = f"sha256 {current[:12]}" if current else "no sha256 metadata"
            actions.append(PlannedAction(OBJECT, where, UPLOAD, f"content changed (was {was})", details))
        else:
            actions.append(PlannedAction(OBJECT, where, NONE, f"unchanged (sha256 {current[:12]})"))
    if isinstance(bucket, str):
        wanted = {artifact.key for artifact in artifacts}
        for prefix in synced_prefixes:
            for obj in list_keys(s3, bucket, prefix):
                if obj["Key"] not in wanted:
                    actions.append(
                        PlannedAction(OBJECT, target(bucket, obj["Key"]), DELETE, "no longer in the checkout")
                    )
    return actions


def upload(s3: Any, bucket: str, artifact: Artifact) -> str | None:
    """Put one artifact; returns the new object version (None if the bucket is not versioned)."""
    if artifact.body is None:
        raise ValueError(f"{artifact.key} has no content yet ({artifact.pending})")
    response = s3.put_object(
        Bucket=bucket,
        Key=artifact.key,
        Body=artifact.body,
        ContentType=artifact.content_type,
        Metadata={SHA_METADATA: artifact.sha256},
    )
    return response.get("VersionId")


def delete(s3: Any, bucket: str, key: str) -> None:
    s3.delete_object(Bucket=bucket, Key=key)


def current_version(s3: Any, bucket: str, key: str) -> str | None:
    """The version id of the current object, None if absent or the bucket was never versioned."""
    head = object_exists(s3, bucket, key)
    return (head or {}).get("VersionId")
