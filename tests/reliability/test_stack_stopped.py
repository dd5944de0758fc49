"""Commands whose stack stops under them, on a private stack: each ends in one line that names
the cause and the fix, never an EndpointConnectionError or ConnectionRefusedError traceback, and
never a bare `not run`.

- `sql` and `ingest` with the stack stopped;
- `ingest` with the emulator killed in the middle of a multipart upload: the lake keeps the
  year's earlier file;
- `flightlake down` while `flightlake run` is in raw_to_stage: the run stops, its year says to run
  `flightlake up`, then `flightlake backfill`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager

import pytest

from flightlake.cli import main
from flightlake.datagen import generate
from flightlake.local.stack import processes
from tests.reliability.private_stack import PrivateStack, private_stack

pytestmark = pytest.mark.integration
YEAR = 2013


@pytest.fixture(scope="module")
def lake():
    with private_stack("flightlake-test-stopped-") as handle:
        yield handle


@pytest.fixture(scope="module")
def big_year(tmp_path_factory):
    """A year file past the 64 MB multipart threshold."""
    folder = tmp_path_factory.mktemp("big")
    generate([YEAR], rows_per_year=600_000, seed=1, out_dir=folder)
    return folder / f"{YEAR}.csv"


def command_env(lake: PrivateStack, *, stack_variables: bool = True) -> dict[str, str]:
    """The environment of a `flightlake` started by hand for the private stack: with `flightlake
    env`'s variables, or with only its state directory (the command finds the rest itself)."""
    env = {**os.environ, "FLIGHTLAKE_PROJECT_DIR": str(lake.settings.project_dir)}
    env["FLIGHTLAKE_JARS_DIR"] = str(lake.settings.s3a_jars_dir)
    env["FLIGHTLAKE_STATE_DIR"] = str(lake.settings.state_dir)
    for name in ("AWS_ENDPOINT_URL", "FLIGHTLAKE_WAREHOUSE_DSN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(name, None)
    return {**env, **lake.env} if stack_variables else env


def flightlake(lake: PrivateStack, *argv: str, **kwargs) -> subprocess.CompletedProcess:
    env = command_env(lake, stack_variables=False)
    return subprocess.run(
        [sys.executable, "-m", "flightlake", *argv], env=env, capture_output=True, text=True, **kwargs
    )


def raw_etag(lake: PrivateStack) -> str:
    from flightlake.lake.tables import RAW_FLIGHTS, raw_object_key

    key = raw_object_key(lake.settings, YEAR)
    return lake.client("s3").head_object(Bucket=RAW_FLIGHTS.bucket(lake.settings), Key=key)["ETag"]


def test_sql_and_ingest_on_a_stopped_stack_say_to_run_flightlake_up(lake, tmp_path):
    url = lake.env["AWS_ENDPOINT_URL"]
    generate([YEAR], rows_per_year=500, seed=2, out_dir=tmp_path)
    lake.stack.down(echo=lambda line: None)
    try:
        for argv in (["sql", "select 1"], ["ingest", str(tmp_path / f"{YEAR}.csv")]):
            done = flightlake(lake, *argv, timeout=120)
            assert done.returncode == 1, done.stderr
            assert done.stderr.strip().splitlines()[-1] == (
                f"flightlake: the embedded stack is stopped (its emulator at {url} does not answer): run "
                "`flightlake up` (or pass `--env NAME` for AWS)"
            )
    finally:
        lake.up()


@contextmanager
def killing_the_emulator_when_the_upload_starts(lake: PrivateStack):
    """`flightlake ingest`'s progress display, which kills the emulator (SIGKILL) as the first
    bytes of the upload go out: the upload's next request finds no emulator."""
    pid = lake.stack.pid_files.read("emulator").pid

    def progress(label: str, done: int, total: int) -> None:
        if label.startswith("uploading") and processes.pid_alive(pid):
            os.kill(pid, signal.SIGKILL)

    yield progress


def test_the_emulator_killed_mid_upload_is_one_line_and_the_earlier_file_stays(
    lake, big_year, tmp_path, monkeypatch, capsys
):
    from flightlake.local.harness import progress

    generate([YEAR], rows_per_year=500, seed=3, out_dir=tmp_path)
    for name, value in command_env(lake).items():
        monkeypatch.setenv(name, value)
    assert main(["ingest", str(tmp_path / f"{YEAR}.csv")]) == 0
    earlier = raw_etag(lake)
    capsys.readouterr()
    monkeypatch.setattr(progress, "byte_progress", lambda: killing_the_emulator_when_the_upload_starts(lake))
    assert main(["ingest", str(big_year)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "flightlake: the stack was stopped (emulator not running): run `flightlake up`, then `flightlake ingest` "
        "again (a file cut off mid-upload left the lake's earlier one as it was)"
    )
    lake.up()
    assert raw_etag(lake) == earlier


@pytest.mark.airflow
def test_flightlake_down_during_a_run_stops_it_saying_up_then_backfill(lake):
    log = lake.settings.state_dir / "run-then-down.log"
    with open(log, "w") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "flightlake", "run", "--years", str(YEAR), "--generate", "20000"],
            env=command_env(lake), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        processes.wait_until(lambda: "raw_to_stage         running" in log.read_text(), 300, "raw_to_stage to start")
        down = flightlake(lake, "down", timeout=180)
        assert down.returncode == 0, down.stderr
        run.wait(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    printed = log.read_text()
    assert run.returncode == 1, printed[-3000:]
    assert "Traceback" not in printed and "ConnectionRefusedError" not in printed
    assert (
        f"{YEAR} failed: the stack was stopped (emulator and postgres not running): run `flightlake up`, then "
        f"`flightlake backfill --years {YEAR}`"
    ) in printed
    lake.up()
