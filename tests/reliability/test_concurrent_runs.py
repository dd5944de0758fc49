"""Two `flightlake run` at once on one stack (a private one), each with its own generated data.

They used to share the raw zone and Airflow's database: the first reported the second's rows as
its own, the second died with DetachedInstanceError. Now the second waits for the first, saying
which run it waits for, and each reports its own data; `--no-wait` refuses at once instead, for
`run` and `backfill` alike.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from flightlake.local.stack import processes
from tests.reliability.private_stack import private_stack
from tests.reliability.test_stack_stopped import command_env

pytestmark = [pytest.mark.integration, pytest.mark.airflow]
YEAR = 2013


@pytest.fixture(scope="module")
def lake():
    with private_stack("flightlake-test-concurrent-") as handle:
        yield handle


def start(lake, log: Path, *argv: str) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flightlake", *argv], env=command_env(lake), stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def test_two_runs_at_once_run_one_after_the_other_each_on_its_own_data(lake, tmp_path):
    lock = lake.settings.state_dir / "run.lock"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start(lake, first_log, "run", "--years", str(YEAR), "--generate", "20000", "--seed", "1")
    second = None
    try:
        holder = f"pid {first.pid}, `flightlake run` of year {YEAR}, started "
        processes.wait_until(lambda: lock.exists() and lock.read_text().startswith(holder), 120, "the first run's lock")
        for command in ("run", "backfill"):
            refused = subprocess.run(
                [sys.executable, "-m", "flightlake", command, "--years", str(YEAR), "--no-wait"],
                env=command_env(lake), capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert refused.returncode == 1, refused.stderr
            line = refused.stderr.strip().splitlines()[-1]
            assert line.startswith(f"flightlake: another run is using this stack ({holder}"), line
            assert line.endswith("). Fix: wait for it to end, or leave out --no-wait to start when it does"), line
        second = start(lake, second_log, "run", "--years", str(YEAR), "--generate", "12000", "--seed", "2")
        first.wait(timeout=900)
        second.wait(timeout=900)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    one, two = first_log.read_text(), second_log.read_text()
    assert (first.returncode, second.returncode) == (0, 0), (one[-3000:], two[-3000:])
    for printed in (one, two):
        assert not re.search(r"Traceback|DetachedInstanceError|IntegrityError", printed)
    assert f"run        another run is using this stack ({holder}" in two
    assert re.search(rf"│ {YEAR} │ success │\s+20,000 │", one), one[-3000:]
    assert re.search(rf"│ {YEAR} │ success │\s+12,000 │", two), two[-3000:]
    first_sha = re.search(rf"{YEAR} data: generated, 20,000 rows, seed 1: {YEAR}.csv \(sha256 (\w+)\)", one)
    assert first_sha, one[-3000:]
    assert f"{YEAR} data: generated, 12,000 rows, seed 2: {YEAR}.csv (sha256 " in two
    # the second run's data went in only after the first run was over
    assert f"data       {YEAR}: replaced the lake's earlier raw file, {YEAR}.csv (sha256 {first_sha[1]})" in two
