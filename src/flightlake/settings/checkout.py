"""Where the project's own files are: DAGs, Spark job scripts, DDL, init hooks.

The embedded stack runs the very files that the containers mount and that `deploy/` uploads, so
it needs the checkout they live in: `FLIGHTLAKE_PROJECT_DIR`, else the first parent of the
current directory or of this package that holds `dags/flights_etl.py`.

The stack's state lives in that checkout too (`.flightlake`, unless `FLIGHTLAKE_STATE_DIR` says
otherwise), found from the current directory only: a command started outside any checkout has no
stack to talk to, and says so rather than starting a second one wherever it happens to be.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flightlake.errors import FlightlakeError

if TYPE_CHECKING:
    from flightlake.settings import Settings

_MARKER = Path("dags") / "flights_etl.py"


class ProjectNotFound(FlightlakeError):
    """The checkout (with dags/, spark_jobs/, postgres_init/) could not be found."""


def find_checkout(start: Path) -> Path | None:
    """The first of `start` and its parents that holds the project's files."""
    for candidate in (start, *start.parents):
        if (candidate / _MARKER).exists():
            return candidate
    return None


def stack_state_dir(settings: Settings) -> Path:
    """The state directory of the embedded stack a command works on; outside any checkout (and
    without FLIGHTLAKE_STATE_DIR) a ProjectNotFound that says where to go instead."""
    if settings.state_dir_known:
        return settings.state_dir
    own = find_checkout(Path(__file__).resolve().parent)
    where = f"cd {own}, the checkout of this flightlake, or another" if own else "cd into your checkout"
    raise ProjectNotFound(
        f"{Path.cwd()} is not inside a flightlake checkout (no {_MARKER} here or above), so it has no stack. "
        f"Fix: {where}; or set FLIGHTLAKE_STATE_DIR to the stack's state directory."
    )


def project_root(settings: Settings) -> Path:
    if settings.project_dir is not None:
        if not (settings.project_dir / _MARKER).exists():
            raise ProjectNotFound(f"FLIGHTLAKE_PROJECT_DIR={settings.project_dir} has no {_MARKER}.")
        return settings.project_dir
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        found = find_checkout(start)
        if found is not None:
            return found
    raise ProjectNotFound(
        f"Cannot find the flightlake checkout (a directory with {_MARKER}); run from inside it "
        "or set FLIGHTLAKE_PROJECT_DIR."
    )


def dags_dir(settings: Settings) -> Path:
    return project_root(settings) / "dags"


def spark_jobs_dir(settings: Settings) -> Path:
    return project_root(settings) / "spark_jobs"


def ddl_dir(settings: Settings) -> Path:
    return project_root(settings) / "postgres_init"


def lake_init_hook(settings: Settings) -> Path:
    return project_root(settings) / "localstack" / "init" / "ready.d" / "10-flightlake-init.sh"


def services_dir(settings: Settings) -> Path:
    """Entry points shared by the containers and the embedded stack (emulator, Airflow, Spark)."""
    return project_root(settings) / "scripts" / "services"
