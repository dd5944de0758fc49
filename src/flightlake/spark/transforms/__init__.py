"""Pure Spark transformations: DataFrame in, DataFrame out, no I/O.

The job scripts in `spark_jobs/` do the reading, writing and cataloguing; everything in between
lives here so tests can run it on small in-memory DataFrames without S3. Runs on AWS Glue:
standard library and pyspark only, Python 3.11-valid.
"""
