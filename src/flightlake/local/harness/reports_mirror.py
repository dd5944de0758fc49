"""A local copy of the reports zone, so the dashboard opens from a file:// path after a run.

Only what changed is copied, in parallel: ten years hold ~3,600 charts, and one by one the copy
took longer than a year's run.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flightlake.lake.aws import client, list_keys
from flightlake.settings import Settings

COPY_THREADS = 8


def mirror_reports(settings: Settings, target: Path) -> Path:
    """Copy the reports zone to `target`; returns the dashboard's path."""
    s3 = client("s3", settings)
    zone = settings.zone("reports")
    prefix = zone.key("")  # "" without a prefix
    wanted = []
    for obj in list_keys(s3, zone.bucket, prefix):
        relative = obj["Key"][len(prefix) :].lstrip("/")
        path = target / relative
        if path.exists() and path.stat().st_size == obj["Size"] and not relative.endswith((".html", ".json")):
            continue
        wanted.append((obj["Key"], path))

    def fetch(item: tuple[str, Path]) -> None:
        key, path = item
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(zone.bucket, key, str(path))

    with ThreadPoolExecutor(max_workers=COPY_THREADS) as pool:
        list(pool.map(fetch, wanted))
    return target / "dashboard" / "index.html"
