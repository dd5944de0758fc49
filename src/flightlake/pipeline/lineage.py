"""What each step reads and writes, as Airflow Assets: the Airflow UI draws the lineage from them.

The datasets are the ones `pipeline.registry` declares. Lake tables are named as the Glue Data
Catalog names them (`<database>.<table>`) and located by their S3 folder; the warehouse table and
the reports have names of their own. Built from the settings, so a deployment with other buckets
shows its own locations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flightlake.lake.tables import Reports, Table
from flightlake.settings import Settings

if TYPE_CHECKING:
    from airflow.sdk import Asset

    from flightlake.pipeline.registry import Dataset


def asset(dataset: Dataset, settings: Settings) -> Asset:
    from airflow.sdk import Asset

    if isinstance(dataset, Table):
        return Asset(name=dataset.catalog_name(settings), uri=dataset.location(settings))
    if isinstance(dataset, Reports):
        return Asset(name=f"reports.{dataset.name}", uri=dataset.uri(settings))
    return Asset(name=f"warehouse.{dataset.name}")
