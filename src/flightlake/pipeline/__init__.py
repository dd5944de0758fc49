"""The pipeline: one module per task of the `flights_etl` DAG, each the whole story of its step.

    check_raw           is the raw year in the lake, and does it meet the contract?
    raw_to_stage        (Spark) raw CSV -> typed Parquet, every bad line kept with its reason
    stage_to_analytics  (Spark) flights -> daily figures per origin airport
    detect_anomalies    flags the days out of the ordinary, per airport, with a reason
    load_warehouse      the flagged days into the warehouse: one transaction, idempotent
    render_charts       a chart per airport and year, anomalous days marked
    report              counts reconciled across every zone, the dashboard rebuilt

A Python step is `run(settings, year) -> dict` (the dict becomes the task's XCom); a Spark step
is `main(argv)`, started by its script in `spark_jobs/` on the configured runtime. What the DAG
needs to run them is here too:

    runtimes     where a Spark step runs: `local` (spark-submit) or `glue` (an AWS Glue job run)
    retry_rules  which failures are retried and which fail the task at once, on every runtime
    lineage      the Assets each task reads and writes
    alerts       what a failed task reports
 Nothing in this package imports Airflow at module
level, and nothing imports the local stack, the deploy code, the generator or the CLI (an
import-linter contract checks it).
"""
