#!/bin/sh
# Spark standalone master and worker, from the pyspark wheel (no separate Spark download).
# Entry point of the `spark-master` / `spark-worker` services of docker-compose.yml; tests run
# it natively on loopback. Both run in the foreground (spark-class execs the JVM), so the
# container's stop signal reaches Spark itself.
#
#   spark.sh master                     master on SPARK_MASTER_HOST:SPARK_MASTER_PORT
#   spark.sh worker [spark://HOST:PORT] worker registering with that master
#                                       (default spark://SPARK_MASTER_HOST:SPARK_MASTER_PORT)
#   spark.sh healthcheck master|worker  exit 0 when the master is ALIVE / the worker UI answers
#
# Environment (defaults are the container's):
#   SPARK_HOME (the installed pyspark package)  SPARK_MASTER_HOST (hostname)  SPARK_MASTER_PORT (7077)
#   SPARK_MASTER_WEBUI_PORT (8080)  SPARK_WORKER_WEBUI_PORT (8081)  SPARK_WORKER_CORES (all)
#   SPARK_WORKER_MEMORY (2g)  SPARK_WORKER_DIR (/tmp/spark-work)  SPARK_LOCAL_IP (unset: the
#   container's address; 127.0.0.1 on a laptop)  PYTHON (python3)
set -eu
python=${PYTHON:-python3}
: "${SPARK_HOME:=$("$python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"
export SPARK_HOME
master_host=${SPARK_MASTER_HOST:-$(hostname)}
master_port=${SPARK_MASTER_PORT:-7077}
master_ui=${SPARK_MASTER_WEBUI_PORT:-8080}
worker_ui=${SPARK_WORKER_WEBUI_PORT:-8081}

case "${1:-}" in
  master)
    exec "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
      --host "$master_host" --port "$master_port" --webui-port "$master_ui" ;;
  worker)
    master_url=${2:-spark://$master_host:$master_port}
    work_dir=${SPARK_WORKER_DIR:-/tmp/spark-work}
    mkdir -p "$work_dir"
    set -- --webui-port "$worker_ui" --work-dir "$work_dir" --memory "${SPARK_WORKER_MEMORY:-2g}"
    if [ -n "${SPARK_WORKER_CORES:-}" ]; then set -- "$@" --cores "$SPARK_WORKER_CORES"; fi
    exec "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker "$@" "$master_url" ;;
  healthcheck)
    here=$(dirname "$0")
    case "${2:-}" in
      master) exec "$here/healthcheck.sh" http "http://127.0.0.1:$master_ui/json/" ALIVE ;;
      worker) exec "$here/healthcheck.sh" http "http://127.0.0.1:$worker_ui/json/" '"masterwebuiurl"' ;;
      *) echo "usage: spark.sh healthcheck master|worker" >&2; exit 2 ;;
    esac ;;
  *)
    echo "usage: spark.sh master | worker [spark://HOST:PORT] | healthcheck master|worker" >&2; exit 2 ;;
esac
