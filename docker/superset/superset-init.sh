#!/bin/sh
# One-shot start-up of the Superset profile: metadata schema, admin user, roles, the dashboard.
# Idempotent: re-running it migrates nothing new, resets the admin password to the one in .env
# and re-imports the committed bundle over the previous copy.
set -eu
: "${SUPERSET_ADMIN_USER:=admin}"
: "${SUPERSET_ADMIN_PASSWORD:?set it in .env (docker/gen-env.sh generates it)}"
superset db upgrade
# create-admin leaves an existing user alone; reset-password then makes .env authoritative.
superset fab create-admin --username "$SUPERSET_ADMIN_USER" --password "$SUPERSET_ADMIN_PASSWORD" \
  --firstname Flightlake --lastname Admin --email "$SUPERSET_ADMIN_USER@localhost"
superset fab reset-password --username "$SUPERSET_ADMIN_USER" --password "$SUPERSET_ADMIN_PASSWORD"
superset init
exec python "$(dirname "$0")/import_dashboards.py" "${SUPERSET_DASHBOARDS_DIR:-/app/dashboards}"
