"""DAG task `raw_to_stage` (Spark): one year of raw Kaggle CSV -> typed Parquet in the stage zone.

Runs in Spark wherever the runtime says (`flightlake.pipeline.runtimes`): the script
`spark_jobs/raw_to_stage.py` calls `main`, under spark-submit, in-process, or as the AWS Glue 5.0
job `<prefix>-raw-to-stage`. Every raw line ends up either in `stage.flights` (typed) or in
`stage.flights_rejects` with its line number and reason; rows in = staged + rejects is checked
and recorded in the manifest. The parsing itself is `flightlake.spark.transforms.raw_to_stage`.

Both writes replace this year's partition and nothing else: each states
`partitionOverwriteMode=dynamic` itself, so no session setting decides whether a run of 2013
wipes 2012.
"""

from __future__ import annotations

from typing import Any

from flightlake.lake.tables import RAW_FLIGHTS, STAGE_FLIGHTS, STAGE_REJECTS, raw_object_key
from flightlake.spark.job import JobInputError, JobRun, required_input, run_job
from flightlake.spark.transforms import raw_to_stage as transform


def run(job: JobRun) -> dict[str, Any]:
    settings, spark, year = job.settings, job.spark, job.year
    source = RAW_FLIGHTS.partition_uri(settings, year, job.scheme)
    with required_input(f"no raw file for {year} at {source}: run `flightlake ingest {year}.csv`"):
        lines = spark.read.text(source)
        with job.step("counted lines per input split"):
            offsets, rows_in = transform.line_offsets(lines)
    if rows_in == 0:
        raise JobInputError(f"{source} holds no data rows: re-ingest the {year} file")
    parsed = transform.parse(lines, offsets, year)

    good = transform.good_rows(parsed, year)
    with job.step("wrote typed rows to stage"):
        (
            good.write.mode("overwrite")
            .option("partitionOverwriteMode", "dynamic")
            .partitionBy("year")
            .parquet(STAGE_FLIGHTS.location(settings, job.scheme))
        )

    source_file = f"s3://{RAW_FLIGHTS.bucket(settings)}/{raw_object_key(settings, year)}"
    STAGE_REJECTS.clear_partition(settings, year)
    rows_out = spark.read.parquet(STAGE_FLIGHTS.partition_uri(settings, year, job.scheme)).count()
    reject_count, kinds = 0, {}
    if rows_out < rows_in:  # a clean file (the usual case) costs one parse, not two
        rejected = transform.rejects(parsed, year, source_file)
        with job.step(f"wrote {rows_in - rows_out} rejects"):
            (
                rejected.write.mode("overwrite")
                .option("partitionOverwriteMode", "dynamic")
                .partitionBy("year")
                .parquet(STAGE_REJECTS.location(settings, job.scheme))
            )
        reject_rows = spark.read.parquet(STAGE_REJECTS.partition_uri(settings, year, job.scheme))
        kinds = {r["kind"]: r["count"] for r in transform.reason_kinds(reject_rows).collect()}
        reject_count = sum(kinds.values())  # every reject has a reason, so the kinds count them all
    if rows_in != rows_out + reject_count:
        raise RuntimeError(f"{year}: {rows_in} raw rows but {rows_out} staged + {reject_count} rejected")
    job.finish(STAGE_REJECTS, {"rows_in": rows_in, "rejects": reject_count})
    figures = {
        "rows_in": rows_in,
        "rows_out": rows_out,
        "rejects": reject_count,
        "reject_reasons": kinds,
        "source": source_file,
    }
    return job.finish(STAGE_FLIGHTS, figures)


def main(argv: list[str]) -> int:
    """The job's entry point: `--year YYYY` plus Glue's and the settings' arguments."""
    return run_job("raw_to_stage", __doc__.splitlines()[0], argv, run, summary)


def summary(manifest: dict[str, Any]) -> str:
    reasons = manifest["reject_reasons"] or ""
    return f"{manifest['rows_in']} raw rows -> {manifest['rows_out']} staged, {manifest['rejects']} rejected {reasons}"
