"""Spark job: one year of raw Kaggle CSV -> typed, year-partitioned Parquet in the stage zone.

Runs as `spark-submit spark_jobs/raw_to_stage.py --year 2013` and, unchanged, as the AWS Glue 5.0
job `<prefix>-raw-to-stage`. Every raw line ends up either in stage (typed) or in the rejects
table with its line number and reason; the manifest records rows in = rows out + rejects.
"""

from __future__ import annotations

import sys

from flightlake.jobs import JobInputError, JobRun, job_run, required_input
from flightlake.lake import RAW_FLIGHTS, STAGE_FLIGHTS, STAGE_REJECTS, raw_object_key
from flightlake.transforms import raw_to_stage as transform


def run(job: JobRun) -> dict:
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
        good.write.mode("overwrite").partitionBy("year").parquet(STAGE_FLIGHTS.location(settings, job.scheme))

    source_file = f"s3://{RAW_FLIGHTS.bucket(settings)}/{raw_object_key(settings, year)}"
    STAGE_REJECTS.clear_partition(settings, year)
    rows_out = spark.read.parquet(STAGE_FLIGHTS.partition_uri(settings, year, job.scheme)).count()
    reject_count, kinds = 0, {}
    if rows_out < rows_in:  # a clean file (the usual case) costs one parse, not two
        rejected = transform.rejects(parsed, year, source_file)
        with job.step(f"wrote {rows_in - rows_out} rejects"):
            rejected.write.mode("overwrite").partitionBy("year").parquet(STAGE_REJECTS.location(settings, job.scheme))
        reject_rows = spark.read.parquet(STAGE_REJECTS.partition_uri(settings, year, job.scheme))
        kinds = {r["kind"]: r["count"] for r in transform.reason_kinds(reject_rows).collect()}
        reject_count = sum(kinds.values())  # every reject has a reason, so the kinds count them all
    if rows_in != rows_out + reject_count:
        raise RuntimeError(f"{year}: {rows_in} raw rows but {rows_out} staged + {reject_count} rejected")
    job.finish(STAGE_REJECTS, {"rows_in": rows_in, "rejects": reject_count})
    return job.finish(
        STAGE_FLIGHTS,
        {
            "rows_in": rows_in,
            "rows_out": rows_out,
            "rejects": reject_count,
            "reject_reasons": kinds,
            "source": source_file,
        },
    )


def main(argv: list[str]) -> int:
    with job_run("raw_to_stage", __doc__.splitlines()[0], argv) as job:
        manifest = run(job)
        print(
            f"[raw_to_stage] {manifest['rows_in']} raw rows -> {manifest['rows_out']} staged, "
            f"{manifest['rejects']} rejected {manifest['reject_reasons'] or ''}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
