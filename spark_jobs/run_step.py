"""The one Spark application of flightlake: a Spark step of `flightlake.pipeline.registry`, one year.

    spark-submit spark_jobs/run_step.py --step raw_to_stage --year 2013 [--FLIGHTLAKE_<SETTING> value ...]

The same file is the script of every AWS Glue job of a release (each job passes its own `--step`),
and what the local execution mode starts under spark-submit; both run
`flightlake.pipeline.spark_application`, installed from the project's wheel on Glue.
"""

import sys

from flightlake.pipeline.spark_application import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
