"""The embedded stack: every AWS service the pipeline needs, as local processes, no Docker.

    manager           `up | down | status | env`: starts what is not running, stops what it started
    postgres          PostgreSQL from the machine's binaries (the warehouse)
    airflow_services  the Airflow UI: api-server, scheduler, dag-processor
    airflow_env       the environment every embedded Airflow process gets (also `flightlake run`'s)
    emulator          the emulator as a service: started, watched, its restore reported, told
                      where the warehouse is
    postgres_service  PostgreSQL as a service: kept on its port, the warehouse DDL applied
    lake_init         the zones' buckets and Glue databases (also run by the containers)
    jars              Spark's S3A jars, fetched once from PyPI and checked
    processes         detached processes tracked by PID file, free ports, strays
    ports, lock       a service keeps its port; one `up` or `down` at a time (and the lock `run` uses)
    state, service    stack.json; what the services share
    connection_lost   a stack lost mid-command, said in one line with what to run again
    disk              whether the disk under the stack is full, so failures caused by it say so

The emulator it starts (S3, the Glue Data Catalog, and what moto lacks) is `flightlake.local.emulator`.
"""
