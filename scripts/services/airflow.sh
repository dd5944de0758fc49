#!/bin/sh
# Starts one Airflow 3.3.1 component. The same script is the entry point of the Airflow
# containers (docker-compose.yml) and what the embedded stack (`flightlake up --airflow-ui`) runs.
#
#   airflow.sh init            migrate the metadata database (idempotent), then exit
#   airflow.sh api-server      UI + REST + execution API (binds AIRFLOW_API_HOST, default 127.0.0.1)
#   airflow.sh scheduler | dag-processor | triggerer
#
# Everything else comes from the environment: AIRFLOW_HOME, AIRFLOW__CORE__DAGS_FOLDER,
# AIRFLOW__DATABASE__SQL_ALCHEMY_CONN, AIRFLOW__API_AUTH__JWT_SECRET, ... Login is Airflow's
# simple auth manager: the admin password is generated into
# $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated on first start.
# Note: the scheduler's and triggerer's task log servers listen on 0.0.0.0:8793 / 8794.
set -eu
component=${1:?usage: airflow.sh init|api-server|scheduler|dag-processor|triggerer}
airflow=${AIRFLOW_BIN:-airflow}
case "$component" in
  init)
    exec "$airflow" db migrate ;;
  api-server)
    exec "$airflow" api-server --host "${AIRFLOW_API_HOST:-127.0.0.1}" --port "${AIRFLOW_API_PORT:-8080}" ;;
  scheduler|dag-processor|triggerer)
    exec "$airflow" "$component" ;;
  *)
    echo "airflow.sh: unknown component '$component'" >&2; exit 2 ;;
esac
