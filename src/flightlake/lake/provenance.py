"""Which raw file each year's derived data came from: a year's stage, analytics and anomaly
tables must all come from the raw file now in the lake, or say that they do not.

Every manifest carries `raw_identity`: the sha256 ingest checked and stored (object metadata,
believed only while the object's ETag is the one ingest recorded beside it), or the object's
ETag for a file that arrived another way, or was changed behind ingest's back. raw_to_stage takes
it from the raw object before it reads it; each later step copies it from the manifest of the
table it read. A year is fresh when every table's identity is the raw file's; `stale_tables`
names the ones that are not (a run that failed halfway, or a raw file replaced since), and the
report step fails the run on any.
"""

from __future__ import annotations

from typing import Any

from flightlake.lake.aws import client, object_exists
from flightlake.lake.manifests import read_manifest
from flightlake.lake.raw_upload import content_sha256, etag_of
from flightlake.lake.tables import (
    AIRPORT_DAILY,
    AIRPORT_DAILY_ANOMALIES,
    RAW_FLIGHTS,
    STAGE_FLIGHTS,
    Table,
    raw_object_key,
)
from flightlake.settings import Settings

DERIVED: tuple[Table, ...] = (STAGE_FLIGHTS, AIRPORT_DAILY, AIRPORT_DAILY_ANOMALIES)


def raw_identity(settings: Settings, year: int) -> str | None:
    """The identity of the year's raw file now in the lake; None when there is none."""
    head = object_exists(client("s3", settings), RAW_FLIGHTS.bucket(settings), raw_object_key(settings, year))
    if head is None:
        return None
    return identity_of(head)


def identity_of(head: dict[str, Any]) -> str:
    sha = content_sha256(head)
    return f"sha256:{sha}" if sha else f"etag:{etag_of(head)}"


def table_identity(settings: Settings, table: Table, year: int) -> str | None:
    manifest = read_manifest(settings, table, year)
    return None if manifest is None else manifest.get("raw_identity")


def stale_tables(settings: Settings, year: int) -> list[str]:
    """The year's derived tables that do not hold data of the raw file now in the lake."""
    current = raw_identity(settings, year)
    stale = []
    for table in DERIVED:
        identity = table_identity(settings, table, year)
        if identity is not None and identity != current:
            stale.append(table.catalog_name(settings))
    return stale
