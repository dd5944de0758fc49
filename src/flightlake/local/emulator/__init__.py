"""The AWS emulator of the embedded stack and of Docker Compose: one endpoint, moto's server inside.

    server        the process: `python -m flightlake.local.emulator.server` (also the compose service)
    app           the WSGI application: moto's server wrapped in flightlake's layers, one per concern
    context       what a layer may know of the emulator it runs in (its directory, endpoint, store)
    wsgi          what every layer needs: which AWS action a request is, AWS-shaped answers and errors
    authentication  the outermost layer: every request signed with the stack's credentials, or refused
    sigv4, signed_payload, refusals
                  what it checks (the signature; the body against it) and how it refuses, per API
    dispatch      moto routing each request by the service its signature names
    durable_lake  the layer that records every S3 and catalog write before answering it, and
                  serves object reads (ranges included) from disk
    full_disk     a write that meets a full disk: answered as such, what it left removed at once
    lake_store    where that state lives: object files, a journal of keys, the catalog file
    journal       the SQLite journal of buckets and keys
    object_files  moto's S3 keys re-based on files of the store
    glue_jobs, glue_job_runs, glue_job_launch, glue_job_logs, glue_runtime
                  Glue's jobs API: job runs that really run the script (the AWS rehearsal's Glue),
                  under AWS Glue 5.0's runtime made here
    redshift_data, redshift_statements, redshift_sql, redshift_copy, redshift_namespaces,
    redshift_refusals
                  the Redshift Data API on the warehouse PostgreSQL (a database per workgroup),
                  COPY from S3 included, refusing by name what Redshift refuses
    json_service, own_clients   what those two layers share

moto is the real thing for S3 and the Glue Data Catalog; each layer adds what moto lacks, in the
shape the AWS service has (its actions, its answers, its errors), so that no pipeline code path
can tell it is talking to an emulator. The emulator knows nothing of the stack that starts it
(`local.stack`): what it needs is given to it (its directories, keys and port in its environment,
the warehouse's address in a file of its directory).
"""
