"""Spark: the session, what every Spark step shares, and the pure transformations.

    session     the one way to get a SparkSession (local S3A, a standalone master, or Glue's own),
                and the Spark installation spark-submit comes from
    job         `SparkJob`: a Spark step's session, progress lines and publishing; `JobInputError`
    transforms  pure DataFrame -> DataFrame functions, tested without S3

The steps that use them are `flightlake.pipeline.steps.raw_to_stage` and `...stage_to_analytics`;
where they run is `flightlake.pipeline.operators`. All of this runs on AWS Glue 5.0 (Spark 3.5,
Python 3.11): standard library, boto3 and pyspark only.
"""
