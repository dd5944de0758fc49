"""Spark: the session, the job harness, the pure transformations, and where jobs run.

    session     the one way to get a SparkSession (local S3A, a standalone master, or Glue's own)
    job         the harness every Spark step shares: arguments, settings, timing, publishing
    transforms  pure DataFrame -> DataFrame functions, tested without S3

The steps that use them are `flightlake.pipeline.raw_to_stage` and `...stage_to_analytics`; how
the DAG runs them (spark-submit or an AWS Glue job) is `flightlake.pipeline.runtimes`. All of
this runs on AWS Glue 5.0 (Spark 3.5, Python 3.11): standard library, boto3 and pyspark only.
"""
