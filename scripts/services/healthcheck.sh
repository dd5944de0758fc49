#!/bin/sh
# Small health probes for the compose services (the images have Python, not always curl).
#
#   healthcheck.sh http URL [TEXT]   exit 0 when URL answers 2xx (and its body contains TEXT)
#   healthcheck.sh airflow-job TYPE  exit 0 when this host runs a live Airflow job of TYPE
#                                    (SchedulerJob, DagProcessorJob, TriggererJob): a heartbeat
#                                    in the last AIRFLOW_JOB_MAX_AGE seconds (60)
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
    # Without AIRFLOW__DATABASE__SQL_ALCHEMY_CONN, Airflow's own check finds the database.
    if [ -z "${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-}" ]; then
      exec "${AIRFLOW_BIN:-airflow}" jobs check --job-type "$job" --local
    fi
    # What `airflow jobs check --local` asks, asked of the metadata database directly: starting
    # the Airflow CLI costs seconds of CPU per probe and took over 30 s (the probe's timeout) on
    # a busy 2-core machine, so the dag-processor and triggerer never became healthy.
    exec "${PYTHON:-python3}" - "$job" "${AIRFLOW_JOB_MAX_AGE:-60}" <<'PY'
import os
import socket
import sys
from datetime import datetime, timezone

import sqlalchemy

job, max_age = sys.argv[1], int(sys.argv[2])
query = sqlalchemy.text(
    "SELECT latest_heartbeat FROM job WHERE job_type = :job AND state = 'running' AND hostname = :host"
)
engine = sqlalchemy.create_engine(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
try:
    with engine.connect() as connection:
        beats = [row[0] for row in connection.execute(query, {"job": job, "host": socket.getfqdn()})]
except Exception as error:  # no database yet is "unhealthy" too
    sys.exit(f"{job}: {error}")
now = datetime.now(timezone.utc)
for beat in beats:
    if isinstance(beat, str):  # SQLite hands back text
        beat = datetime.fromisoformat(beat)
    if beat.tzinfo is None:
        beat = beat.replace(tzinfo=timezone.utc)
    if (now - beat).total_seconds() < max_age:
        print(f"{job}: alive, last heartbeat {beat.isoformat()}")
        sys.exit(0)
sys.exit(f"No alive jobs found: no running {job} on {socket.getfqdn()} with a heartbeat in the last {max_age} s")
PY
    ;;
  *)
    echo "usage: healthcheck.sh http URL [TEXT] | airflow-job TYPE" >&2; exit 2 ;;
esac
