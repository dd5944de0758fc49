"""The local side: what runs on a laptop or in CI, never on AWS (and never in the AWS wheel).

harness/    `flightlake run` and `backfill` (and `--rehearse-aws`): data in, the DAG through
            Airflow year by year, watched from outside through an Airflow listener, a summary
stack/      the embedded stack with no Docker: it starts the emulator, PostgreSQL, the Airflow
            UI, and fetches the S3A jars (`flightlake up | down | status | env`)
emulator/   the AWS emulator (S3, the Glue Data Catalog, Glue jobs, the Redshift Data API); also
            the `emulator` service of Docker Compose
aws_checks/ `make check-aws`: what would fail on AWS (Glue 5.0's Python and modules, MWAA's
            Python, Redshift's grammar and the Data API's rules), found in seconds

Layered top-down, harness | aws_checks > stack > emulator: an import-linter contract keeps it so.
"""
