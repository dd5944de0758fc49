"""`make check-aws`: defects that would fail on AWS, found in seconds, before any deploy.

Each check reads the checkout (or a copy of it) and returns `Problem`s, each naming the file,
the line, the construct and the fix:
    glue_code      what ships to Glue: Python 3.11 syntax (Glue 5.0's interpreter), no standard
                   library API newer than 3.11 (vermin), the jobs' entry points imported in the
                   Glue 5.0 runtime from the release wheel (only Glue's modules beside it)
    mwaa_code      the DAG and the wheel compiled with MWAA's Python (3.12 for Airflow 3.3.1)
    redshift_rules every statement the Redshift path sends, read with Redshift's grammar and
                   the committed list of what Redshift refuses, and held to the Data API's
                   rules for parameters (`sql_sources` finds the statements)
    problems       what a check reports: file, line, construct, fix
`python -m flightlake.local.aws_checks` (`__main__`) runs them all and prints what each found and took.
"""
