#!/bin/sh
# Small health probes for the compose services (the images have Python, not always curl).
#
#   healthcheck.sh http URL [TEXT]   exit 0 when URL answers 2xx (and its body contains TEXT)
#   healthcheck.sh airflow-job TYPE  exit 0 when this host runs a live Airflow job of TYPE
#                                    (SchedulerJob, DagProcessorJob, TriggererJob)
set -eu
case "${1:-}" in
  http)
    url=${2:?usage: healthcheck.sh http URL [TEXT]}
    exec "${PYTHON:-python3}" - "$url" "${3:-}" <<'PY'
import sys
import urllib.request

url, text = sys.argv[1], sys.argv[2]
try:
    with urllib.request.urlopen(url, timeout=5) as response:
        body = response.read().decode("utf-8", "replace")
except Exception as error:  # any failure is "unhealthy"; say why for `docker inspect`
    sys.exit(f"{url}: {error}")
if text and text not in body:
    sys.exit(f"{url}: answer lacks {text!r}")
PY
    ;;
  airflow-job)
    job=${2:?usage: healthcheck.sh airflow-job SchedulerJob|DagProcessorJob|TriggererJob}
    exec "${AIRFLOW_BIN:-airflow}" jobs check --job-type "$job" --local ;;
  *)
    echo "usage: healthcheck.sh http URL [TEXT] | airflow-job TYPE" >&2; exit 2 ;;
esac
