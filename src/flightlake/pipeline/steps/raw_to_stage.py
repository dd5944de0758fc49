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
one parse that writes the well-formed lines as typed rows and notes the others as it goes; only
those go through the field-by-field checker (`flightlake.spark.transforms.line_verdicts`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flightlake.lake.tables import RAW_FLIGHTS, STAGE_FLIGHTS, STAGE_REJECTS, Table, raw_object_uri
from flightlake.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from flightlake.spark.job import SparkJob


def _write_year(rows: DataFrame, table: Table, job: SparkJob, append: bool = False) -> None:
    """Replace the year's partition of `table` with `rows`, or add them to it."""
    writer = rows.write.mode("append") if append else rows.write.mode("overwrite")
    writer.option("partitionOverwriteMode", "dynamic").partitionBy("year").parquet(
        table.location(job.settings, job.scheme)
    )


def run(settings: Settings, year: int, run_id: str | None = None) -> dict[str, Any]:
    """The step: stage the year's raw file, publish both tables, return the stage manifest."""
    from flightlake.lake.provenance import raw_identity
    from flightlake.spark.job import JobInputError, SparkJob, required_input
    from flightlake.spark.transforms import line_verdicts
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
    with job.step("wrote typed rows to stage, rejects aside"):
        verdicts = line_verdicts.stage(
            lines,
            lines_survey,
            year,
            source_file,
            lambda rows, append: _write_year(rows, STAGE_FLIGHTS, job, append),
            lambda rows: _write_year(rows, STAGE_REJECTS, job),
        )
    if verdicts.flagged:
        job.say(f"{verdicts.flagged} lines went to the field-by-field checker: {verdicts.reread}")
    rows_out = verdicts.staged
    kinds: dict[str, int] = {}
    if verdicts.rejected:
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
