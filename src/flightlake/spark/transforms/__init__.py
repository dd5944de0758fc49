"""Pure Spark transformations: DataFrame in, DataFrame out, no I/O.

The Spark steps (`flightlake.pipeline.steps.raw_to_stage`, `...stage_to_analytics`) do the reading,
writing and cataloguing; everything in between lives here so tests can run it on small in-memory
DataFrames without S3. Runs on AWS Glue: standard library and pyspark only, Python 3.11-valid.

    raw_lines           line numbers and exact duplicate lines, from one survey of the raw text
    value_ranges        the physically possible range of every number in a flight row
    line_verdicts       the fast path: well-formed lines typed by Spark's CSV parser, the rest flagged
    fast_lines          the whole-line checks of that fast path, as one combined predicate
    raw_to_stage        the slow path: field by field, a reason for every rejected line
    stage_to_analytics  flights -> daily figures per origin airport
"""
