"""AWS Glue job script and spark-submit application of the `raw_to_stage` step.

    spark-submit spark_jobs/raw_to_stage.py --year 2013 [--FLIGHTLAKE_<SETTING> value ...]

The step itself is `flightlake.pipeline.raw_to_stage` (installed from the project's wheel on Glue):
this file only hands it the arguments, so Glue, spark-submit and the in-process local runtime
run exactly the same code.
"""

import sys

from flightlake.pipeline.raw_to_stage import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
