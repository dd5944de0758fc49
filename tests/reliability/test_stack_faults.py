"""The stack when things go wrong: a service dies and comes back where its clients look for it,
a foreign process holds a port, two `up` run at once, stray processes outlive their stack."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading

import pytest

from flightlake.local.stack import processes
from flightlake.local.stack.service import StackError
from tests.reliability.private_stack import private_stack

pytestmark = pytest.mark.integration


def test_a_restarted_postgres_comes_back_on_its_port_and_the_same_dsn_works():
    import psycopg

    with private_stack("flightlake-test-pg-") as lake:
        dsn = lake.env["FLIGHTLAKE_WAREHOUSE_DSN"]
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE dw.kept (x int)")
            conn.execute("INSERT INTO dw.kept VALUES (1)")
        postgres = lake.stack.pid_files.read("postgres")
        os.kill(postgres.pid, signal.SIGKILL)  # a crash, not a clean stop
        processes.wait_until(lambda: not processes.pid_alive(postgres.pid), 10, "postgres to die")
        assert lake.stack.down_services() == ["postgres"]
        lake.up()
        assert lake.env["FLIGHTLAKE_WAREHOUSE_DSN"] == dsn  # a retry with the old DSN reaches it
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT x FROM dw.kept").fetchall() == [(1,)]


def test_a_foreign_process_on_a_remembered_port_fails_the_start_naming_it():
    with private_stack("flightlake-test-port-") as lake:
        port = lake.stack.state.read()["emulator"]["port"]
        lake.stack.down(echo=lambda line: None)
        squatter = socket.socket()
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        try:
            with pytest.raises(StackError) as raised:
                lake.up()
            message = str(raised.value)
            assert f"port {port}" in message and f"process {os.getpid()}" in message
            assert "flightlake down --new-ports" in message
        finally:
            squatter.close()
        lake.stack.down(echo=lambda line: None, new_ports=True)
        lake.up()
        assert lake.stack.is_up()


def test_two_ups_at_once_start_one_emulator_and_both_succeed():
    with private_stack("flightlake-test-race-") as lake:
        lake.stack.down(echo=lambda line: None)
        env = {**os.environ, "FLIGHTLAKE_STATE_DIR": str(lake.settings.state_dir)}
        env.update({k: str(v) for k, v in _ports(lake).items()})
        for name in ("AWS_ENDPOINT_URL", "FLIGHTLAKE_WAREHOUSE_DSN"):
            env.pop(name, None)
        command = [sys.executable, "-m", "flightlake", "up"]
        results: list[subprocess.CompletedProcess] = []

        def up() -> None:
            results.append(subprocess.run(command, env=env, capture_output=True, text=True, timeout=300))

        runners = [threading.Thread(target=up) for _ in range(2)]
        for runner in runners:
            runner.start()
        for runner in runners:
            runner.join()
        assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
        assert not any("Traceback" in r.stderr for r in results)
        assert any("waiting for it" in r.stdout for r in results)
        store = str(lake.settings.state_dir / "emulator" / "store")
        emulators = [
            pid for pid in processes.strays(lake.settings.state_dir) if store in (processes.command_line(pid) or "")
        ]
        assert len(emulators) == 1


def test_down_stops_strays_of_its_stack_and_nothing_else(tmp_path):
    with private_stack("flightlake-test-stray-") as lake:
        state = str(lake.settings.state_dir)
        stray = subprocess.Popen([sys.executable, "-c", "import time, sys; time.sleep(600)", state])
        stranger = subprocess.Popen([sys.executable, "-c", "import time, sys; time.sleep(600)", str(tmp_path)])
        # a Spark JVM of another stack (the tests', another checkout's) loads the jars cached here
        jars = f"{state}/jars/hadoop-aws-3.3.1.jar:{state}/jars/aws-java-sdk-bundle-1.11.901.jar"
        borrower = subprocess.Popen([sys.executable, "-c", "import time, sys; time.sleep(600)", "-cp", jars])
        try:
            stopped = lake.stack.down(echo=lambda line: None)
            assert stray.wait(timeout=20) is not None
            assert any("stray" in item and str(stray.pid) in item for item in stopped)
            assert stranger.poll() is None  # another directory's process is not ours to stop
            assert borrower.poll() is None  # nor one that only borrows the jars cached here
        finally:
            stranger.kill()
            stray.kill()
            borrower.kill()


def _ports(lake) -> dict[str, int]:
    state = lake.stack.state.read()
    return {
        "FLIGHTLAKE_EMULATOR_PORT": state["emulator"]["port"],
        "FLIGHTLAKE_POSTGRES_PORT": state["postgres"]["port"],
    }
