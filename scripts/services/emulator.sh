#!/bin/sh
# The S3 + Glue Data Catalog emulator: moto's server with a snapshot that outlives it.
# Entry point of the `emulator` service of docker-compose.yml; it runs the very module the
# embedded stack (`flightlake up`) runs, flightlake.local.emulator.server.
#
#   emulator.sh [serve]     start in the foreground (SIGTERM saves the snapshot, then exits)
#   emulator.sh healthcheck exit 0 once the snapshot is restored and the server answers
#
# Environment (defaults are the container's):
#   EMULATOR_HOST (0.0.0.0)  EMULATOR_PORT (4566)  EMULATOR_SNAPSHOT_DIR (/data/snapshot)
#   EMULATOR_STATE_DIR (the snapshot dir's parent: where the `ready` marker goes)
#   PYTHON (python3)
set -eu
host=${EMULATOR_HOST:-0.0.0.0}
port=${EMULATOR_PORT:-4566}
snapshot_dir=${EMULATOR_SNAPSHOT_DIR:-/data/snapshot}
state_dir=${EMULATOR_STATE_DIR:-$(dirname "$snapshot_dir")}
python=${PYTHON:-python3}

case "${1:-serve}" in
  serve)
    # A marker left by a killed run would report "ready" before the snapshot is restored.
    mkdir -p "$state_dir"
    rm -f "$state_dir/ready"
    # Large objects stay in memory below 8 MiB instead of spilling to temp files.
    : "${MOTO_S3_DEFAULT_KEY_BUFFER_SIZE:=8388608}"
    export MOTO_S3_DEFAULT_KEY_BUFFER_SIZE
    exec "$python" -m flightlake.local.emulator.server --host "$host" --port "$port" \
      --snapshot-dir "$snapshot_dir" --state-dir "$state_dir" ;;
  healthcheck)
    test -f "$state_dir/ready" || { echo "emulator: snapshot not restored yet" >&2; exit 1; }
    exec "$(dirname "$0")/healthcheck.sh" http "http://127.0.0.1:$port/moto-api/" ;;
  *)
    echo "usage: emulator.sh [serve|healthcheck]" >&2; exit 2 ;;
esac
