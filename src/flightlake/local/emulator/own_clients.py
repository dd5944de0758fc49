"""boto3 clients for the emulator itself, for the layers that need another AWS service to do
their work: a Glue job run reads its script from S3 and writes its driver log to CloudWatch
Logs; a Redshift COPY reads Parquet from S3. They go through the emulator's own endpoint, with
the credentials and region it was started with, exactly as any other client would.
"""

from __future__ import annotations

from typing import Any

from flightlake.settings import load_settings


def own_client(service: str, endpoint: str) -> Any:
    """A client of `service` at the emulator's endpoint (`EmulatorContext.endpoint`)."""
    import boto3
    from botocore.config import Config

    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"})
    region = load_settings().region
    return boto3.session.Session().client(service, endpoint_url=endpoint, region_name=region, config=config)


def split_s3_uri(uri: str) -> tuple[str, str]:
    """s3://bucket/key/prefix -> (bucket, key/prefix)."""
    if not uri.startswith("s3://"):
        raise ValueError(f"{uri!r} is not an s3:// URI")
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key
