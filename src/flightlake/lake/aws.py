"""AWS clients that follow the settings: one place that knows how to reach S3 and Glue.

boto3 reads `AWS_ENDPOINT_URL` (and per-service variants) by itself, so the emulator needs no
code path of its own here. pyarrow does not, so its filesystem takes the endpoint from settings.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any

from flightlake.settings import Settings

if TYPE_CHECKING:
    import pyarrow.fs


def client(service: str, settings: Settings) -> Any:
    """A boto3 client in the configured region; its endpoint comes from the environment.

    One client per service, region, endpoint and credentials in a process: building one costs
    0.1-0.3 s (botocore loads the service model), and a DagRun asks for dozens. A changed endpoint
    or key (a restarted stack, a retry that re-read the settings) gets a new client; boto3 clients
    are safe to share between threads."""
    # Everything boto3 may read from the environment (endpoints, keys, profile) is in the key.
    environment = tuple(sorted((name, value) for name, value in os.environ.items() if name.startswith("AWS_")))
    return _client(service, settings.region, bool(settings.s3_endpoint), environment)


@functools.lru_cache(maxsize=32)
def _client(service: str, region: str, path_style: bool, environment: tuple[tuple[str, str], ...]) -> Any:
    import boto3
    from botocore.config import Config

    # Path-style addressing only for an emulator (bucket names as host names need DNS it lacks).
    s3 = {"addressing_style": "path"} if path_style else {}
    config = Config(retries={"max_attempts": 5, "mode": "standard"}, s3=s3)
    return boto3.session.Session().client(service, region_name=region, config=config)


def arrow_filesystem(settings: Settings) -> pyarrow.fs.S3FileSystem:
    """pyarrow's S3 filesystem, pointed at the emulator when `AWS_ENDPOINT_URL` says so."""
    import pyarrow.fs

    kwargs: dict[str, Any] = {"region": settings.region}
    if settings.s3_endpoint:
        scheme, _, rest = settings.s3_endpoint.partition("://")
        kwargs.update(endpoint_override=rest, scheme=scheme, force_virtual_addressing=False)
    return pyarrow.fs.S3FileSystem(**kwargs)


def object_exists(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    """head_object's answer, or None when the key is absent (not an error for callers)."""
    from botocore.exceptions import ClientError

    try:
        return s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def list_keys(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    """Every object under a prefix (all pages)."""
    objects: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        objects.extend(page.get("Contents", []))
    return objects


def delete_prefix(s3: Any, bucket: str, prefix: str) -> int:
    """Delete every object under a prefix; returns how many went."""
    keys = [{"Key": obj["Key"]} for obj in list_keys(s3, bucket, prefix)]
    for start in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True})
    return len(keys)
