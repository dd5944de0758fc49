"""AWS Glue job script and spark-submit application of the `stage_to_analytics` step.

    spark-submit spark_jobs/stage_to_analytics.py --year 2013 [--FLIGHTLAKE_<SETTING> value ...]

The step itself is `flightlake.pipeline.stage_to_analytics` (installed from the project's wheel on Glue):
this file only hands it the arguments, so Glue, spark-submit and the in-process local runtime
run exactly the same code.
"""

import sys

from flightlake.pipeline.stage_to_analytics import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
