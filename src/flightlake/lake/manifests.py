"""The small JSON file that says a year's write finished and what it held (see `tables` for where).

Dynamic partition overwrite writes no `_SUCCESS` marker, so the manifest is the completion
record: rows in and out, rejects, duration. Readers (the run report, tests) use `read_manifest`.
"""

from __future__ import annotations

import json
from typing import Any

from flightlake.lake.aws import client, object_exists
from flightlake.lake.tables import Table
from flightlake.settings import Settings


def write_manifest(settings: Settings, table: Table, year: int, manifest: dict[str, Any]) -> None:
    client("s3", settings).put_object(
        Bucket=table.bucket(settings),
        Key=table.manifest_key(settings, year),
        Body=json.dumps(manifest, indent=2, default=str).encode(),
        ContentType="application/json",
    )


def read_manifest(settings: Settings, table: Table, year: int) -> dict[str, Any] | None:
    s3 = client("s3", settings)
    key = table.manifest_key(settings, year)
    if object_exists(s3, table.bucket(settings), key) is None:
        return None
    return json.loads(s3.get_object(Bucket=table.bucket(settings), Key=key)["Body"].read())
