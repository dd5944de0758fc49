#!/bin/sh
# Creates the lake's buckets (one per zone) and Glue databases; safe to run again.
#
# One script for every place the emulator runs:
#   - LocalStack runs it as a ready.d hook (compose profile `localstack`, src mounted at /opt/flightlake/src);
#   - the moto `emulator-init` compose service runs it from the project image;
#   - the embedded stack (`flightlake up`) runs it with PYTHON and FLIGHTLAKE_SRC set to the checkout.
# Endpoint and credentials come from AWS_ENDPOINT_URL / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
set -eu
: "${AWS_ENDPOINT_URL:=http://localhost:4566}"
: "${AWS_ACCESS_KEY_ID:=emulator}"
: "${AWS_SECRET_ACCESS_KEY:=emulator}"
export AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
PYTHONPATH="${FLIGHTLAKE_SRC:-/opt/flightlake/src}${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
exec "${PYTHON:-python3}" -m flightlake.local.stack.lake_init
