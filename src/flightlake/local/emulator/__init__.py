"""The AWS emulator of the embedded stack and of Docker Compose: one endpoint, moto's server inside.

    server    the process: `python -m flightlake.local.emulator.server` (also the compose service)
    app       the WSGI application: moto's server wrapped in flightlake's layers, one per concern
    wsgi      what every layer needs: which AWS action a request is, AWS-shaped answers and errors
    snapshot  the lake and catalog saved on the way down and restored on the way up
    glue_jobs, glue_job_runs, glue_job_launch, glue_job_logs
              Glue's jobs API: job runs that really run the script (the AWS rehearsal's Glue)
    redshift_data, redshift_statements, redshift_sql, redshift_copy
              the Redshift Data API on the warehouse PostgreSQL, COPY from S3 included
    json_service, own_clients   what those two layers share

moto is the real thing for S3 and the Glue Data Catalog; each layer adds what moto lacks, in the
shape the AWS service has (its actions, its answers, its errors), so that no pipeline code path
can tell it is talking to an emulator.
"""
