"""A full disk, on small tmpfs mounts (skipped where the machine does not allow mounting): each
command names the full disk and the fix in one line, and leaves nothing half-written.

- `run` generating its data: "the disk holding ... is full", no partial year file;
- `sql --output`: nothing written;
- `backfill` with 0 bytes free under a stack's state directory: why, not a bare `not run`;
- a run whose Airflow worker died of a full disk: the year says so.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flightlake.cli import main
from flightlake.errors import FlightlakeError
from flightlake.local.harness.main_job import YearOutcome, _name_interruption
from flightlake.local.harness.run_data import DataChoice, prepare_data
from flightlake.local.stack.manager import Stack
from flightlake.settings import load_settings
from tests.conftest import stack_environment

pytestmark = pytest.mark.integration


@contextmanager
def tmpfs(megabytes: int) -> Iterator[Path]:
    """A fresh tmpfs of that size, world-enterable (the unprivileged PostgreSQL must enter it)."""
    where = Path(tempfile.mkdtemp(prefix="flightlake-test-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=755", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


def fill(folder: Path) -> None:
    """Write until nothing more fits."""
    with open(folder / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * (1024 * 1024))
                filler.flush()
        except OSError:
            pass


def test_generating_data_on_a_full_disk_says_so_and_keeps_nothing_half_written(settings):
    with tmpfs(5) as small:
        on_small = dataclasses.replace(settings, state_dir=small)
        folder = small / "data" / "generated-200000-seed1"
        with pytest.raises(FlightlakeError) as raised:
            prepare_data(on_small, (2018,), DataChoice(rows_per_year=200_000, seed=1), lambda line: None)
        assert str(raised.value) == (
            f"the disk holding {folder} is full: the generated data did not fit (nothing half-written is kept). "
            "Fix: free some space, or generate fewer rows (--generate), then run again"
        )
        assert list(folder.iterdir()) == []


def test_sql_output_on_a_full_disk_writes_nothing(embedded_stack, capsys):
    with tmpfs(1) as small:
        path = small / "result.csv"
        assert main(["sql", "select * from range(1000000)", "--output", str(path)]) == 1
        assert capsys.readouterr().err.strip().splitlines()[-1] == (
            f"flightlake: --output {path}: the disk holding it is full; nothing was written. Fix: free some space, "
            "or write the result elsewhere"
        )
        assert list(small.iterdir()) == []


def test_backfill_with_no_space_left_under_the_stack_says_the_disk_is_full():
    with tmpfs(150) as small:
        state = small / "state"
        environment = {**os.environ, **stack_environment(state)}
        for name in ("AWS_ENDPOINT_URL", "FLIGHTLAKE_WAREHOUSE_DSN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            environment.pop(name, None)
        stack = Stack(load_settings(environment))
        stack.up(echo=lambda line: None)
        try:
            fill(small)
            done = subprocess.run(
                [sys.executable, "-m", "flightlake", "backfill", "--years", "2013"],
                env=environment, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
        finally:
            (small / "filler").unlink(missing_ok=True)
            stack.down(echo=lambda line: None)
        printed = done.stdout + done.stderr
        assert done.returncode == 1, printed[-3000:]
        assert "Traceback" not in printed
        assert re.search(rf"the disk holding {re.escape(str(state))}\S* is full\b.* free some space", printed), printed[
            -3000:
        ]


def test_a_worker_that_died_of_a_full_disk_says_so(embedded_stack, tmp_path):
    log = tmp_path / "run.log"
    log.write_text("sqlite3.OperationalError: database or disk is full\n")
    outcomes = [YearOutcome(2013), YearOutcome(2014)]
    _name_interruption(embedded_stack.settings, embedded_stack.stack, outcomes, False, 1, log)
    assert [(o.state, o.error) for o in outcomes] == [
        (
            "failed",
            f"the disk holding {embedded_stack.settings.state_dir} is full: free some space, then "
            "`flightlake backfill --years 2013,2014`",
        ),
        ("not run", None),
    ]


def test_a_worker_that_died_of_something_else_points_at_its_log(embedded_stack, tmp_path):
    log = tmp_path / "run.log"
    log.write_text("Segmentation fault\n")
    outcome = YearOutcome(2013)
    _name_interruption(embedded_stack.settings, embedded_stack.stack, [outcome], False, -9, log)
    assert (outcome.state, outcome.error) == (
        "failed",
        f"the Airflow worker ended (killed by SIGKILL) before finishing: its log {log} says why; then "
        "`flightlake backfill --years 2013`",
    )


def test_the_free_space_check_looks_at_the_nearest_existing_folder(tmp_path):
    from flightlake.local.stack import disk

    assert disk.is_full(tmp_path / "not" / "there") == (shutil.disk_usage(tmp_path).free < disk.FULL_BYTES)
