"""The `flightlake run` harness: runs the DAG through Airflow and watches it from outside.

main_job        run / backfill: stack up, data in, the DAG year by year, the summary
run_data        which data each year runs on (the lake's file, --data, generated), named in the summary
run_lock        one run or backfill at a time per stack
dag_runs        the child process that runs DagRuns with `DAG.test()`
task_events     the Airflow listener it registers (the DAG knows nothing of it)
events          the one-line JSON events from the child to `flightlake run`
child           what the Airflow child shares with `flightlake run`: stop signals, interruption
reports_mirror  a local copy of the reports zone, for the dashboard
progress        progress bars for long copies and checks
dag_path        which way the DAG's tasks go: the local path, or the rehearsal's
rehearsal       `run --rehearse-aws`: the DAG as MWAA runs it (Glue jobs, Redshift Data API), offline
rehearsal_deploy  the environment `rehearsal` deployed to the emulator by the deploy's code: its
                lake, a release, the release's Glue jobs, the DDL; what startup.sh gives MWAA
"""
