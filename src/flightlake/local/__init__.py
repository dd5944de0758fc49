"""The local side: what runs on a laptop or in CI, never on AWS (and never in the AWS wheel).

stack/     the embedded stack with no Docker: the S3 + Glue emulator, PostgreSQL, the Airflow
           UI, the S3A jars (`flightlake up | down | status | env`)
harness/   `flightlake run` and `backfill`: data in, the DAG through Airflow year by year,
           watched from outside through an Airflow listener, and a summary
"""
