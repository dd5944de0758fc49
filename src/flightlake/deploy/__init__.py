"""`flightlake deploy`: the same DAG, Spark scripts and DDL, pushed to MWAA, Glue and Redshift.

A deploy is a plan first: a list of actions (a CloudFormation stack to create or update, an S3
object to upload or delete, the warehouse DDL to apply, an MWAA environment to point at new
object versions), each with its reason. `--plan` prints it and changes nothing; `--apply`
prints it, then carries it out step by step, recomputing each step with what the steps before it
produced (stack outputs, object versions), and ends with a summary.

Modules, one job each:
    plan            the action list and how it prints
    names           deployment and stack names, the artifact key layout
    wheel           builds the flightlake wheel from the checkout, reproducibly
    runtime_env     the FLIGHTLAKE_* settings MWAA and Glue carry
    mwaa_files      requirements.txt, plugins.zip and startup.sh, byte-reproducible
    artifacts       every object to upload, with its sha256
    uploads         S3 sync by content hash (sha256 in object metadata)
    stacks          the five stacks, their templates and parameters
    cloudformation  stack state, change sets, create and update
    warehouse       facts about the Redshift Serverless workgroup
    redshift_ddl    postgres_init/ through the Redshift Data API, applied when its hash changes
    mwaa            UpdateEnvironment with the new plugins/requirements/startup versions
    preflight       checks worth failing a plan for (bucket names taken)
    clients         the boto3 clients, replaceable in tests
    orchestrate     the order of the steps; plan and apply
"""
