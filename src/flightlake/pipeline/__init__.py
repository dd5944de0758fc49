"""The pipeline: its steps, declared once, and how the DAG runs them wherever it runs.

    registry           STEPS: each step's name, engine, the data it reads and writes, what comes
                       before it, and its function; the DAG, the Spark applications and the Glue
                       jobs are derived from it. Also DAG_ID and the Glue job naming rule.
    steps/             one module per step, each `run(settings, year, run_id=None) -> dict`
    operators/         the task of a step, by engine and execution mode: `python`, `local`, `glue`
    spark_application  the Spark application every Spark step runs in (spark-submit, AWS Glue)
    outcomes           a Spark step's result (or refusal) carried back from its application
    retry_rules        which failures are retried and which fail the task at once
    lineage            the Airflow Assets of the data the steps read and write
    alerts             what a failed task reports (and publishes on AWS)

Only `operators` imports Airflow at module level; nothing here imports the local stack, the
deploy code, the generator or the CLI (import-linter contracts check both, and the layers
within: operators > spark_application > the task helpers > registry > steps).
"""
