"""Finishing a step: the one way every writer (Spark job, anomaly detector, ingest) publishes a year.

A partition counts as published once two things are true: its manifest says what was written,
and the Glue Data Catalog points the table's year partition at the data (no crawlers). Doing
both in one call means no step can publish half of it, and every step's manifest has the same
core fields.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from flightlake.lake.catalog import register_partition
from flightlake.lake.manifests import write_manifest
from flightlake.lake.tables import Table
from flightlake.settings import Settings


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def publish_partition(
    settings: Settings,
    table: Table,
    year: int,
    step: str,
    started: float,
    figures: dict[str, Any],
) -> dict[str, Any]:
    """Write the year's manifest and register its catalog partition; returns the manifest.

    `started` is the step's `time.monotonic()` at its start; `figures` are the step's own counts.
    Numeric and text figures also become the partition's parameters in the catalog.
    """
    manifest = {
        "job": step,
        "year": year,
        "table": table.catalog_name(settings),
        "location": table.partition_uri(settings, year),
        "finished_at": now_iso(),
        "duration_s": round(time.monotonic() - started, 2),
        **figures,
    }
    write_manifest(settings, table, year, manifest)
    parameters = {k: str(v) for k, v in figures.items() if isinstance(v, int | float | str)}
    register_partition(table, settings, year, parameters)
    return manifest
