"""Where each dataset lives in the lake: one table per zone folder, partitioned by year.

Every reader and writer (Spark jobs, ingest, anomaly detector, charts, deploy, tests) asks this
module for locations, so the layout is written down once:

    raw        <raw>/airline_delays/year=YYYY/YYYY.csv
    stage      <stage>/flights/year=YYYY/part-*.parquet
               <stage>/flights_rejects/year=YYYY/part-*.parquet
    analytics  <analytics>/airport_daily/year=YYYY/part-*.parquet
               <analytics>/airport_daily_anomalies/year=YYYY/part-*.parquet
    reports    <reports>/charts/year=YYYY/airport=XXX/daily.png, index.json, index.html
               <reports>/dashboard/index.html (and series/year=YYYY.json, its pieces),
               <reports>/runs/year=YYYY/report.json
    manifests  <zone>/_manifests/<table>/year=YYYY.json   (one per table and year written)
    outcomes   <zone>/_outcomes/<step>/year=YYYY/<job run id>.json   (what a Spark step returned)

Manifests and outcomes live outside the tables' folders on purpose: whatever reads a partition's
prefix (Redshift's COPY, Athena, a crawler) reads every object under it, and a JSON file among
the Parquet files would break it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flightlake.lake import schemas
from flightlake.settings import Settings, Zone

MANIFESTS_FOLDER = "_manifests"
OUTCOMES_FOLDER = "_outcomes"


@dataclass(frozen=True)
class Table:
    """A year-partitioned dataset: its zone, folder and columns (without the partition column)."""

    zone: str
    name: str
    columns: tuple[tuple[str, str], ...]
    data_format: str  # "csv" or "parquet"
    description: str

    def location(self, settings: Settings, scheme: str = "s3") -> str:
        return self._zone(settings).uri(self.name, scheme=scheme) + "/"

    def catalog_name(self, settings: Settings) -> str:
        """`<glue database>.<table>`, as the Glue Data Catalog, Athena and `flightlake sql` name it."""
        return f"{settings.glue_databases[self.zone]}.{self.name}"

    def partition_key(self, settings: Settings, year: int) -> str:
        """Key prefix of one year's partition, ending in '/'."""
        return self._zone(settings).key(self.name, f"year={year}") + "/"

    def partition_uri(self, settings: Settings, year: int, scheme: str = "s3") -> str:
        return self._zone(settings).uri(self.name, f"year={year}", scheme=scheme) + "/"

    def manifest_key(self, settings: Settings, year: int) -> str:
        return self._zone(settings).key(MANIFESTS_FOLDER, self.name, f"year={year}.json")

    def outcome_key(self, settings: Settings, step: str, year: int, job_run_id: str) -> str:
        """Where a Spark step that writes this table leaves what it returned (or why it failed)
        for the process that started it: a spark-submit or a Glue job run has no other channel."""
        return self._zone(settings).key(OUTCOMES_FOLDER, step, f"year={year}", f"{job_run_id}.json")

    def clear_partition(self, settings: Settings, year: int) -> int:
        """Delete a year's objects and its manifest before the year is written again (Spark's
        dynamic partition overwrite only replaces partitions it writes, so an empty result would
        leave old files; a write that fails halfway must not leave the old manifest vouching for
        what is no longer there); returns how many data objects were deleted."""
        from flightlake.lake.aws import client, delete_prefix

        s3 = client("s3", settings)
        s3.delete_object(Bucket=self.bucket(settings), Key=self.manifest_key(settings, year))
        return delete_prefix(s3, self.bucket(settings), self.partition_key(settings, year))

    def bucket(self, settings: Settings) -> str:
        return self._zone(settings).bucket

    def _zone(self, settings: Settings) -> Zone:
        return settings.zone(self.zone)


RAW_FLIGHTS = Table(
    "raw",
    "airline_delays",
    tuple((name, "string") for name in schemas.KAGGLE_COLUMNS),
    "csv",
    "Kaggle airline delay CSV files as delivered, one per year",
)
STAGE_FLIGHTS = Table("stage", "flights", schemas.STAGE_COLUMNS, "parquet", "Typed flights, one row per flight")
STAGE_REJECTS = Table(
    "stage", "flights_rejects", schemas.REJECT_COLUMNS, "parquet", "Raw rows that could not be parsed, with the reason"
)
AIRPORT_DAILY = Table(
    "analytics", "airport_daily", schemas.DAILY_COLUMNS, "parquet", "Daily figures per origin airport"
)
AIRPORT_DAILY_ANOMALIES = Table(
    "analytics",
    "airport_daily_anomalies",
    schemas.DAILY_ANOMALY_COLUMNS,
    "parquet",
    "Daily figures per origin airport with the anomaly score, flag and reason",
)
CATALOG_TABLES: tuple[Table, ...] = (RAW_FLIGHTS, STAGE_FLIGHTS, STAGE_REJECTS, AIRPORT_DAILY, AIRPORT_DAILY_ANOMALIES)


def raw_object_key(settings: Settings, year: int) -> str:
    """The raw file of a year; always named YYYY.csv whatever the uploaded file was called."""
    return RAW_FLIGHTS.partition_key(settings, year) + f"{year}.csv"


def object_uri(settings: Settings, zone: str, key: str) -> str:
    """The s3:// address of an object key of a zone (a key from the functions of this module)."""
    return f"s3://{settings.zone(zone).bucket}/{key}"


def raw_object_uri(settings: Settings, year: int) -> str:
    return object_uri(settings, RAW_FLIGHTS.zone, raw_object_key(settings, year))


@dataclass(frozen=True)
class Reports:
    """Files a step publishes in the reports zone for people to open (charts, the dashboard)."""

    name: str
    path: str  # under the zone; a folder ends in '/'

    def uri(self, settings: Settings) -> str:
        folder = "/" if self.path.endswith("/") else ""
        return object_uri(settings, "reports", settings.zone("reports").key(self.path) + folder)


CHARTS = Reports("charts", "charts/")
DASHBOARD = Reports("dashboard", "dashboard/index.html")


def chart_key(settings: Settings, year: int, airport: str) -> str:
    return settings.zone("reports").key("charts", f"year={year}", f"airport={airport}", "daily.png")


def charts_prefix(settings: Settings, year: int) -> str:
    """Everything rendered for a year lives under this prefix (ends in '/')."""
    return settings.zone("reports").key("charts", f"year={year}") + "/"


def chart_index_key(settings: Settings, year: int, name: str) -> str:
    """Per-year chart index, name is 'index.json' or 'index.html'."""
    return settings.zone("reports").key("charts", f"year={year}", name)


def charts_uri(settings: Settings, year: int) -> str:
    return object_uri(settings, "reports", charts_prefix(settings, year))


def dashboard_key(settings: Settings) -> str:
    return settings.zone("reports").key(DASHBOARD.path)


def run_report_key(settings: Settings, year: int) -> str:
    """The year's reconciliation report (`pipeline.steps.report`)."""
    return settings.zone("reports").key("runs", f"year={year}", "report.json")


def dashboard_series_key(settings: Settings, year: int) -> str:
    """A year's packed daily figures, the piece of the dashboard its report writes."""
    return settings.zone("reports").key("dashboard", "series", f"year={year}.json")
