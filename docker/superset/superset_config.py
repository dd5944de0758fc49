"""Superset configuration of the compose `superset` profile: everything secret comes from the env.

SUPERSET_SECRET_KEY signs sessions and encrypts the stored database passwords; it is generated
into .env by docker/gen-env.sh and never committed. The metadata database is SQLite in the
`superset-home` volume: one user on a laptop, no Redis, no Celery.
"""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
DATA_DIR = os.environ.get("SUPERSET_HOME", "/app/superset_home")
SQLALCHEMY_DATABASE_URI = os.environ.get("SUPERSET_METADATA_URI") or f"sqlite:///{DATA_DIR}/superset.db"

# The dashboard reads the warehouse only: no file uploads, no SQL Lab DML.
FEATURE_FLAGS = {"DASHBOARD_RBAC": False}
SQLLAB_CTAS_NO_LIMIT = False
ROW_LIMIT = 50000
# Published on 127.0.0.1 only, over plain HTTP.
SESSION_COOKIE_SECURE = False
TALISMAN_ENABLED = True
