"""Where the project's own files are: DAGs, Spark job scripts, DDL, init hooks.

The embedded stack runs the very files that the containers mount and that `deploy/` uploads, so
it needs the checkout they live in: `FLIGHTLAKE_PROJECT_DIR`, else the first parent of the
current directory or of this package that holds `dags/flights_etl.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

from flightlake.errors import FlightlakeError

_MARKER = Path("dags") / "flights_etl.py"


class ProjectNotFound(FlightlakeError):
    """The checkout (with dags/, spark_jobs/, postgres_init/) could not be found."""


def project_root() -> Path:
    configured = os.environ.get("FLIGHTLAKE_PROJECT_DIR")
    if configured:
        root = Path(configured).expanduser().absolute()
        if not (root / _MARKER).exists():
            raise ProjectNotFound(f"FLIGHTLAKE_PROJECT_DIR={configured} has no {_MARKER}.")
        return root
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for candidate in (start, *start.parents):
            if (candidate / _MARKER).exists():
                return candidate
    raise ProjectNotFound(
        f"Cannot find the flightlake checkout (a directory with {_MARKER}); run from inside it "
        "or set FLIGHTLAKE_PROJECT_DIR."
    )


def dags_dir() -> Path:
    return project_root() / "dags"


def spark_jobs_dir() -> Path:
    return project_root() / "spark_jobs"


def ddl_dir() -> Path:
    return project_root() / "postgres_init"


def lake_init_hook() -> Path:
    return project_root() / "localstack" / "init" / "ready.d" / "10-flightlake-init.sh"


def services_dir() -> Path:
    """Entry points shared by the containers and the embedded stack (emulator, Airflow, Spark)."""
    return project_root() / "scripts" / "services"
