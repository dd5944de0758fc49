"""Checks worth failing a plan for, before CloudFormation fails half-way through a stack.

S3 bucket names are global: the defaults (`flightlake-raw`, ...) are almost certainly taken by
someone, and CloudFormation would only say so after creating and rolling back everything else
in the storage stack. A HEAD per bucket says it up front, with the setting to change.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from flightlake.errors import FlightlakeError
from flightlake.settings import ZONES, Settings


class BucketNameTaken(FlightlakeError):
    """A zone bucket the storage stack would create already exists."""


def check_new_buckets(s3: Any, settings: Settings) -> None:
    """Before the storage stack is created: every zone bucket name must still be free."""
    problems = []
    for zone in ZONES:
        bucket = settings.zone(zone).bucket
        try:
            s3.head_bucket(Bucket=bucket)
            owner = "exists already in this account"
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchBucket", "NotFound"):
                continue
            foreign = code in ("403", "AccessDenied", "Forbidden")
            owner = "belongs to another account" if foreign else f"HEAD says {code}"
        problems.append(f"FLIGHTLAKE_{zone.upper()}_BUCKET={bucket} {owner}")
    if problems:
        raise BucketNameTaken(
            "the storage stack creates the lake buckets, but: "
            + "; ".join(problems)
            + ". Bucket names are global: set these variables to new names (e.g. with your account id in them)."
        )
