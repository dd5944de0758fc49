"""`flightlake deploy`: releases of this checkout on AWS (MWAA, Glue, Redshift), per environment.

An environment (dev, staging, prod, ...) is a committed file in deploy/environments/; every
resource name derives from it, so environments live side by side in one account. A release is
the artifact set of one commit, stored once under releases/<version>/ and never overwritten;
MWAA and the Glue jobs run exactly one. Every command is a plan first: `--plan` prints it and
changes nothing; `--apply` prints it, carries it out step by step, and ends with a summary.

Modules, one job each:
    environments         the environment files: read, checked
    names                every name derived from an environment; the bucket's key layout
    target               one environment in its account: clients, stacks, facts, the account check
    wheel                builds the flightlake wheel from the checkout, reproducibly
    mwaa_files           requirements.txt, plugins.zip and startup.sh, byte-reproducible
    runtime_env          the FLIGHTLAKE_* settings an environment carries to MWAA and Glue
    release              a release: its files, manifest, version and content id
    release_store        releases in the artifacts bucket: stored once, copied with hashes checked
    sources              where a rollout's release comes from (built, copied, stored)
    stacks               the stacks, their templates and parameters
    cloudformation       stack state, change sets, create, update, delete, termination protection
    glue_jobs            the Glue job definitions of each release
    redshift_ddl         the release's DDL through the Redshift Data API, applied when it changes
    warehouse            facts about the Redshift Serverless workgroup
    alert_subscriptions  the e-mail subscriptions of the environment's alert topic
    history              which release runs, since when, by whom (state/deployments.json)
    orchestrate          one release onto one environment: the order; plan and apply
    rollouts             deploy, promote and rollback as rollouts
    status               the release, drift, MWAA and the DAG's runs per year
    drift                CloudFormation drift detection
    airflow_api          MWAA's environment and Airflow's REST API (DAG runs)
    destroy              an environment removed in reverse order, the data kept unless asked
    ci                   the account's CI stack: GitHub OIDC provider and roles
    preflight            checks worth failing a plan for (bucket names taken)
    clients              the boto3 clients, replaceable in tests
    plan                 the action list and how it prints
"""
