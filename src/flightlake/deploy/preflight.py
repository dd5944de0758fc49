"""Checks worth failing a plan for, before CloudFormation fails half-way through a stack.

S3 bucket names are global: another account may hold `<bucket_prefix>-<env>-<zone>` already, and
CloudFormation would only say so after creating and rolling back everything else in the storage
stack. A HEAD per bucket says it up front, with what to change.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from flightlake.errors import FlightlakeError


class BucketNameTaken(FlightlakeError):
    """A zone bucket the storage stack would create already exists."""


def check_new_buckets(s3: Any, buckets: dict[str, str], source: str) -> None:
    """Before the storage stack is created: every zone bucket name must still be free."""
    problems = []
    for zone, bucket in buckets.items():
        try:
            s3.head_bucket(Bucket=bucket)
            owner = "exists already in this account"
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchBucket", "NotFound"):
                continue
            foreign = code in ("403", "AccessDenied", "Forbidden")
            owner = "belongs to another account" if foreign else f"HEAD says {code}"
        problems.append(f"the {zone} bucket {bucket} {owner}")
    if problems:
        raise BucketNameTaken(
            "the storage stack creates the lake buckets, but: " + "; ".join(problems) + ". Bucket names are "
            f"global: set another bucket_prefix in {source}; or, if these are the lake an earlier `destroy` kept, "
            "delete them with their data (`destroy --delete-data`) or restore the storage stack over them with a "
            "CloudFormation resource import."
        )
