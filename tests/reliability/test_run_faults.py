"""`flightlake run` and the warehouse load when things go wrong mid-flight: the run is killed,
Postgres stops during a load, the process doing the load dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from flightlake.anomalies import detect
from flightlake.local.harness.main_job import YearOutcome, _name_interruption
from flightlake.local.stack import processes
from flightlake.warehouse import WarehouseLoadError
from flightlake.warehouse.postgres import load_frame
from tests.anomalies.test_anomalies import airport_year, with_events
from tests.reliability.private_stack import PrivateStack, private_stack

pytestmark = pytest.mark.integration
SOURCE = "s3://flightlake-analytics/airport_daily_anomalies/year=2013/"


@pytest.fixture(scope="module")
def lake():
    with private_stack("flightlake-test-runfaults-") as handle:
        yield handle


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return detect(with_events(airport_year("BIG", 400, 1)), 2013, "robust")


def warehouse(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT origin_airport, flight_date, is_anomaly, reason FROM dw.airport_daily_delays "
            "WHERE year = 2013 ORDER BY 1, 2"
        ).fetchall()


def harness_processes(lake: PrivateStack) -> list[int]:
    """Processes of a `flightlake run` of this stack: its Airflow child, the JVM, chart workers."""
    home = f"AIRFLOW_HOME={lake.settings.state_dir / 'airflow'}".encode()
    found = []
    for pid in processes.strays(lake.settings.state_dir):
        try:
            if home in Path(f"/proc/{pid}/environ").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killing_the_run_stops_its_worker_and_jvm(lake, how):
    env = {**os.environ, **lake.env, "FLIGHTLAKE_PROJECT_DIR": str(lake.settings.project_dir)}
    env["FLIGHTLAKE_JARS_DIR"] = str(lake.settings.s3a_jars_dir)
    log = lake.settings.state_dir / f"run-{how.name}.log"
    with open(log, "w") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "flightlake", "run", "--years", "2013", "--generate", "20000"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        processes.wait_until(lambda: "raw_to_stage         running" in log.read_text(), 300, "raw_to_stage to start")
        assert harness_processes(lake), "the run's worker should be running now"
        os.kill(run.pid, how)
        run.wait(timeout=30)
        processes.wait_until(lambda: not harness_processes(lake), 30, "the worker and its JVM to stop")
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    if how == signal.SIGTERM:
        assert run.returncode == 128 + signal.SIGTERM
        assert "stopped by SIGTERM" in log.read_text()
    time.sleep(2)  # nothing left to write behind our back
    assert warehouse(lake.env["FLIGHTLAKE_WAREHOUSE_DSN"]) == []


def test_postgres_stopped_mid_load_leaves_the_warehouse_as_it_was_and_says_flightlake_up(lake, frame):
    dsn = lake.env["FLIGHTLAKE_WAREHOUSE_DSN"]
    load_frame(dsn, 2013, frame, SOURCE, "first")
    before = warehouse(dsn)
    changed = frame.assign(reason="changed", is_anomaly=False)

    def stop_postgres_at_merge(step: str) -> None:
        if step == "merge":
            pid = lake.stack.pid_files.read("postgres").pid
            os.kill(pid, signal.SIGKILL)
            processes.wait_until(lambda: not processes.pid_alive(pid), 10, "postgres to die")

    with pytest.raises(WarehouseLoadError, match="failed at step 'merge' and was rolled back"):
        load_frame(dsn, 2013, changed, SOURCE, "cut", on_step=stop_postgres_at_merge)
    outcome = YearOutcome(2013, state="failed", error="load_warehouse: connection refused")
    _name_interruption(lake.settings, lake.stack, [outcome])
    assert outcome.error == (
        "load_warehouse: connection refused [the stack was stopped (postgres not running): run `flightlake up`, "
        "then `flightlake backfill --years 2013`]"
    )
    lake.up()
    assert lake.env["FLIGHTLAKE_WAREHOUSE_DSN"] == dsn
    assert warehouse(dsn) == before


def test_the_process_doing_the_load_dies_and_nothing_is_committed(lake, frame, tmp_path):
    dsn = lake.env["FLIGHTLAKE_WAREHOUSE_DSN"]
    before = warehouse(dsn)
    changed = frame.assign(reason="changed by a load that died")
    changed.to_parquet(tmp_path / "frame.parquet")
    script = (
        "import os, signal, pandas as pd\n"
        "from flightlake.warehouse.postgres import load_frame\n"
        "def die(step):\n"
        "    if step == 'merge': os.kill(os.getpid(), signal.SIGKILL)\n"
        f"load_frame({dsn!r}, 2013, pd.read_parquet({str(tmp_path / 'frame.parquet')!r}), {SOURCE!r}, 'x', on_step=die)\n"
    )
    died = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert died.returncode == -signal.SIGKILL
    assert warehouse(dsn) == before
