"""The embedded stack: every AWS service the pipeline needs, as local processes, no Docker.

manager           `up | down | status | env`: starts what is not running, stops what it started
emulator_server   moto's server (S3 + Glue Data Catalog), with a snapshot that outlives it
snapshot          saving and restoring the emulator's lake and catalog
postgres          PostgreSQL from the machine's binaries (the warehouse)
airflow_services  the Airflow UI: api-server, scheduler, dag-processor
lake_init         the zones' buckets and Glue databases (also run by the containers)
jars              Spark's S3A jars, fetched once from PyPI and checked
processes         detached processes tracked by PID file, free ports
"""
