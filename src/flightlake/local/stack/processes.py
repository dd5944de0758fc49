"""Background processes the embedded stack owns: start detached, track by PID file, stop by PID.

`down` must stop exactly what `up` started and nothing else, so every service is started in its
own session (process group) and its PID is written to `<state>/run/<name>.pid` together with
the command line; a PID whose command line no longer matches is treated as stale, never killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Tracked:
    """A process recorded by a PID file."""

    name: str
    pid: int
    marker: str  # a string that must appear in /proc/<pid>/cmdline for the PID to be ours


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


_handed_out: set[int] = set()


def free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """The preferred port when it is free, else a free one below the kernel's ephemeral range.

    A port is chosen some time before its service binds it. A port the kernel hands out for
    bind(0) is an ephemeral one, and in that gap any other process binding port 0 or opening a
    connection may be given the same port (a Spark worker took the port chosen for its master's
    UI that way, and the master's UI moved one up). Below the ephemeral range the kernel hands
    out nothing by itself; and a port this process already handed out is not handed out twice.
    """
    if preferred and port_is_free(preferred, host):
        return preferred
    low, high = unassigned_ports()
    chooser = random.SystemRandom()
    for _ in range(200 if low <= high else 0):
        port = chooser.randint(low, high)
        if port not in _handed_out and port_is_free(port, host):
            _handed_out.add(port)
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # all of them taken: let the kernel choose
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def unassigned_ports() -> tuple[int, int]:
    """Ports the kernel never hands out by itself: those below its ephemeral range (Linux:
    /proc/sys/net/ipv4/ip_local_port_range, 32768 by default; elsewhere IANA's 49152)."""
    try:
        first_ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        first_ephemeral = 49152
    high = min(first_ephemeral, 32768) - 1
    return max(1024, high - 12000), high


def port_accepts(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    """Poll until check() is true; raise TimeoutError naming what we waited for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def command_line(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        pass
    try:  # macOS and other systems without /proc
        out = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


def is_running(tracked: Tracked) -> bool:
    cmdline = command_line(tracked.pid)
    if cmdline is None or tracked.marker not in cmdline:
        return False
    try:
        status = Path(f"/proc/{tracked.pid}/status").read_text()
        if "\nState:\tZ" in status:
            return False
    except OSError:
        pass
    return True


class PidFiles:
    """PID files under `<state>/run`, one JSON file per service."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir

    def path(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def read(self, name: str) -> Tracked | None:
        try:
            data = json.loads(self.path(name).read_text())
        except (OSError, ValueError):
            return None
        return Tracked(name, int(data["pid"]), str(data["marker"]))

    def write(self, tracked: Tracked) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.path(tracked.name).write_text(json.dumps({"pid": tracked.pid, "marker": tracked.marker}))

    def remove(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def running(self, name: str) -> Tracked | None:
        """The tracked process when it is alive and still ours; a stale file is removed."""
        tracked = self.read(name)
        if tracked is None:
            return None
        if is_running(tracked):
            return tracked
        self.remove(name)
        return None


def spawn(
    name: str,
    argv: Sequence[str],
    log_path: Path,
    pid_files: PidFiles,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    marker: str | None = None,
    user: str | None = None,
) -> Tracked:
    """Start argv detached in its own session, output to log_path, and record its PID.

    `user` runs the process as that OS user (only root can ask for it); the log file is
    opened here, before the switch, so it stays ours.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            user=user,
            group=_primary_group(user) if user else None,
            extra_groups=[] if user else None,
        )
    tracked = Tracked(name, process.pid, marker or argv[0])
    pid_files.write(tracked)
    # Until exec() completes, /proc shows the parent's command line: wait for it, so that a
    # later is_running() does not mistake a starting process for a dead one.
    try:
        wait_until(lambda: process.poll() is not None or is_running(tracked), 10, f"{name} to start")
    except TimeoutError:
        pass
    return tracked


def _primary_group(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_gid


def stop(tracked: Tracked, timeout: float = 60.0, sig: int = signal.SIGTERM) -> bool:
    """Signal the process group, wait, then SIGKILL what is left; True when it was running."""
    if not is_running(tracked):
        return False
    try:
        os.killpg(tracked.pid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        os.kill(tracked.pid, sig)
    try:
        wait_until(lambda: not _group_alive(tracked.pid), timeout, f"{tracked.name} to stop")
    except TimeoutError:
        try:
            os.killpg(tracked.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        wait_until(lambda: not _group_alive(tracked.pid), 10, f"{tracked.name} to die")
    return True


def _group_alive(pgid: int) -> bool:
    """True while any process of the group is alive (reaping our own zombie children)."""
    try:
        os.waitpid(pgid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _group_has_live_member(pgid)


def _group_has_live_member(pgid: int) -> bool:
    proc = Path("/proc")
    if not proc.exists():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # fields[0] is the state, fields[2] the process group
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def strays(state_dir: Path) -> list[int]:
    """Processes of this stack that no PID file tracks: their command line names the state
    directory (an emulator or Postgres started by hand, a second emulator from a race), or their
    environment is this stack's Airflow home (a `flightlake run` worker, its JVM, its chart
    processes). Never this process or its ancestors, and never a process that only loads the S3A
    jars cached here: the test suite's stacks and other checkouts share them (FLIGHTLAKE_JARS_DIR),
    so their Spark JVMs name this directory too."""
    mine = _ancestors(os.getpid())
    airflow_home = b"AIRFLOW_HOME=" + str(state_dir / "airflow").encode() + b"\0"
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").exists() else []:
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes() + b"\0"
        except OSError:
            continue
        if cmdline and (names_state_dir(cmdline, state_dir) or airflow_home in environ):
            found.append(int(entry.name))
    return sorted(found)


def names_state_dir(cmdline: bytes, state_dir: Path) -> bool:
    """Whether a command line names the state directory or something in it, the shared jars aside."""
    root, jars = str(state_dir).encode(), str(state_dir / "jars").encode()
    for argument in cmdline.split(b"\0"):
        for path in argument.replace(b"=", b":").split(b":"):  # classpaths, --opt=value
            if path == root or (path.startswith(root + b"/") and not path.startswith(jars + b"/")):
                return True
    return False


def _ancestors(pid: int) -> set[int]:
    chain = set()
    while pid > 1 and pid not in chain:
        chain.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return chain


def kill_all(pids: list[int], timeout: float = 10.0) -> list[int]:
    """SIGTERM, a moment, then SIGKILL for what is left; returns those that were running."""
    alive = []
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
            alive.append(pid)
        except (ProcessLookupError, PermissionError):
            continue
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(pid_alive(pid) for pid in alive):
        time.sleep(0.1)
    for pid in alive:
        if pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    return alive


def pid_alive(pid: int) -> bool:
    """True until the process has exited (a zombie counts as gone: it holds nothing any more)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
