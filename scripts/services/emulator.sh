#!/bin/sh
# The AWS emulator (S3, the Glue Data Catalog, and what moto lacks): moto's server in flightlake's
# layers, with a durable store: every write it acknowledges survives a stop or a crash.
# Entry point of the `emulator` service of docker-compose.yml; it runs the very module the
# embedded stack (`flightlake up`) runs, flightlake.local.emulator.server.
#
#   emulator.sh [serve]     start in the foreground (SIGTERM stops it; there is nothing to save)
#   emulator.sh healthcheck exit 0 once the store is restored and the server answers
#
# It accepts only requests signed with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY of its
# environment (compose: EMULATOR_ACCESS_KEY_ID / EMULATOR_SECRET_ACCESS_KEY from .env).
#
# Environment (defaults are the container's):
#   EMULATOR_HOST (0.0.0.0)  EMULATOR_PORT (4566)  EMULATOR_STORE_DIR (/data/store)
#   EMULATOR_STATE_DIR (the store's parent: where the `ready` marker goes)
#   PYTHON (python3)
set -eu
host=${EMULATOR_HOST:-0.0.0.0}
port=${EMULATOR_PORT:-4566}
store_dir=${EMULATOR_STORE_DIR:-/data/store}
state_dir=${EMULATOR_STATE_DIR:-$(dirname "$store_dir")}
python=${PYTHON:-python3}

case "${1:-serve}" in
  serve)
    # A marker left by a killed run would report "ready" before the store is restored.
    mkdir -p "$state_dir"
    rm -f "$state_dir/ready"
    exec "$python" -m flightlake.local.emulator.server --host "$host" --port "$port" \
      --store-dir "$store_dir" --state-dir "$state_dir" ;;
  healthcheck)
    test -f "$state_dir/ready" || { echo "emulator: store not restored yet" >&2; exit 1; }
    exec "$(dirname "$0")/healthcheck.sh" http "http://127.0.0.1:$port/_flightlake/health" ready ;;
  *)
    echo "usage: emulator.sh [serve|healthcheck]" >&2; exit 2 ;;
esac
