"""One year of raw Kaggle CSV -> typed Parquet in the stage zone, every bad line kept with its reason.

A Spark step (`pipeline.registry`): it runs wherever the execution mode puts it (in the task's
process, a spark-submit application or the AWS Glue 5.0 job `<prefix>-raw-to-stage`), always as
`run(settings, year)`. Every raw line ends up either in `stage.flights` (typed) or in
`stage.flights_rejects` with its line number and reason (a malformed field, an impossible value,
a duplicate of an earlier line); rows in = staged + rejects is checked and recorded in the
manifest, with the identity of the raw file (`lake.provenance`). The parsing itself is
`flightlake.spark.transforms.raw_to_stage`.

The year's stage and rejects come from this raw file only: both partitions are emptied first,
and each write states `partitionOverwriteMode=dynamic` itself, so no session setting decides
whether a run of 2013 wipes 2012. A file costs two reads: one survey (line numbers, duplicates),
one parse that writes the typed rows and notes the rejects' line numbers as it goes. The rejects
are then written from those lines alone, parsed again; only a file with more than REPARSE_LIMIT
rejects is parsed whole a second time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flightlake.lake.tables import RAW_FLIGHTS, STAGE_FLIGHTS, STAGE_REJECTS, Table, raw_object_uri
from flightlake.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from flightlake.spark.job import SparkJob
    from flightlake.spark.transforms.raw_lines import Survey

REPARSE_LIMIT = 100_000  # rejects re-parsed by line number; beyond, the whole file is parsed again


def _write_year(rows: DataFrame, table: Table, job: SparkJob) -> None:
    (
        rows.write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy("year")
        .parquet(table.location(job.settings, job.scheme))
    )


def run(settings: Settings, year: int, run_id: str | None = None) -> dict[str, Any]:
    """The step: stage the year's raw file, publish both tables, return the stage manifest."""
    from pyspark.sql import Observation
    from pyspark.sql import functions as F

    from flightlake.lake.provenance import raw_identity
    from flightlake.spark.job import JobInputError, SparkJob, required_input
    from flightlake.spark.transforms import raw_to_stage as transform
    from flightlake.spark.transforms.raw_lines import survey

    job = SparkJob.start("raw_to_stage", settings, year, run_id)
    spark = job.spark
    source = RAW_FLIGHTS.partition_uri(settings, year, job.scheme)
    source_file = raw_object_uri(settings, year)
    identity = raw_identity(settings, year)  # before the first read: a file replaced later shows as stale
    with required_input(f"no raw file for {year} at {source}: run `flightlake ingest {year}.csv`"):
        lines = spark.read.text(source)
        with job.step("surveyed the lines (numbering, duplicates)"):
            lines_survey = survey(lines)
    rows_in = lines_survey.data_lines
    if rows_in == 0:
        raise JobInputError(f"{source} holds no data rows: re-ingest the {year} file")
    for table in (STAGE_FLIGHTS, STAGE_REJECTS):
        table.clear_partition(settings, year)
    parsed = transform.parse(lines, lines_survey, year)
    counted = Observation(f"raw_to_stage_{year}")
    rejected = F.col("is_data") & F.col("reason").isNotNull()
    observed = parsed.observe(
        counted,
        F.sum((F.col("is_data") & F.col("reason").isNull()).cast("long")).alias("good"),
        F.sum(rejected.cast("long")).alias("bad"),
        # as text: an observed array comes back to Python as an opaque JVM object
        F.array_join(
            F.slice(F.collect_list(F.when(rejected, F.col("line_number"))), 1, REPARSE_LIMIT + 1).cast("array<string>"),
            ",",
        ).alias("bad_lines"),
    )
    with job.step("wrote typed rows to stage"):
        _write_year(transform.good_rows(observed, year), STAGE_FLIGHTS, job)
    metrics = counted.get
    rows_out, bad = (int(metrics.get(name) or 0) for name in ("good", "bad"))
    kinds: dict[str, int] = {}
    if bad:
        with job.step(f"wrote {bad} rejects"):
            bad_lines = [int(n) for n in (metrics.get("bad_lines") or "").split(",") if n]
            reparsed = _reparsed(lines, lines_survey, year, bad_lines, bad) or parsed
            _write_year(transform.rejects(reparsed, year, source_file), STAGE_REJECTS, job)
        reject_rows = spark.read.parquet(STAGE_REJECTS.partition_uri(settings, year, job.scheme))
        kinds = {r["kind"]: r["count"] for r in transform.reason_kinds(reject_rows).collect()}
    reject_count = sum(kinds.values())  # every reject has a reason, so the kinds count them all
    if rows_in != rows_out + reject_count:
        raise RuntimeError(f"{year}: {rows_in} raw rows but {rows_out} staged + {reject_count} rejected")
    provenance = {"raw_identity": identity, "source": source_file}
    job.finish(STAGE_REJECTS, {"rows_in": rows_in, "rejects": reject_count, **provenance})
    manifest = job.finish(
        STAGE_FLIGHTS,
        {"rows_in": rows_in, "rows_out": rows_out, "rejects": reject_count, "reject_reasons": kinds, **provenance},
    )
    if rows_out == 0:
        rejects_at = STAGE_REJECTS.partition_uri(settings, year)
        raise JobInputError(f"none of the {rows_in} rows of {source_file} is valid; their reasons are in {rejects_at}")
    reasons = manifest["reject_reasons"] or ""
    job.say(f"{rows_in} raw rows -> {rows_out} staged, {reject_count} rejected {reasons}")
    return manifest


def _reparsed(lines: DataFrame, lines_survey: Survey, year: int, bad_lines: list[int], bad: int) -> DataFrame | None:
    """The rejected lines alone, parsed again with their numbers; None when there are too many
    to name (the caller parses the whole file again)."""
    from flightlake.spark.transforms import raw_to_stage as transform

    if len(bad_lines) != bad or bad > REPARSE_LIMIT:
        return None
    return transform.parse(transform.numbered_lines(lines, lines_survey, bad_lines), lines_survey, year)
