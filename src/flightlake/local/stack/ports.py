"""Which port a service of the stack listens on, and who holds a port it wants.

A service keeps the port it had: clients that already read it (a run in progress, a shell that ran
`flightlake env`) must find the service where it was after a restart. Only a service that never
ran here takes the preferred port of the settings, or a free one when that is taken.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from flightlake.local.stack.processes import free_port, port_accepts
from flightlake.local.stack.service import StackError


def service_port(name: str, remembered: int | None, preferred: int) -> int:
    """The port `name` must listen on; a StackError naming the holder when it is taken."""
    if not remembered:
        return free_port(preferred)
    if not _listener_stays(remembered):
        # Nobody listens there. Connections of the service's last life may still linger in
        # TIME_WAIT, which a plain bind() test counts as "in use"; the services bind with
        # SO_REUSEADDR and take the port back regardless. (Nor is a connect() test sound: on
        # loopback, a client may be given the very port it dials, and connect to itself.)
        return remembered
    raise StackError(
        f"{name} cannot come back on port {remembered}, the port it had: {describe_owner(remembered)} holds it. "
        f"Stop that process and run `flightlake up` again; or run `flightlake down --new-ports` and then "
        f"`flightlake up` to start on free ports (then re-read them with `flightlake env`)."
    )


def _listener_stays(port: int, grace_s: float = 5.0) -> bool:
    """True when something listens on the port and keeps listening: a process that is still
    exiting (killed a moment ago) lets go of its socket within a second or two."""
    deadline = time.monotonic() + grace_s
    while has_listener(port):
        if time.monotonic() > deadline:
            return True
        time.sleep(0.2)
    return False


def describe_owner(port: int) -> str:
    pid = listening_pid(port)
    if pid is None:
        return "another process"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = "?"
    return f"process {pid} ({command[:120]})"


def _listening_sockets(port: int) -> set[str] | None:
    """The inodes of sockets listening on the port, from /proc (Linux); None without /proc."""
    if not Path("/proc/net/tcp").exists():
        return None
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{inode}]")
    return inodes


def has_listener(port: int) -> bool:
    inodes = _listening_sockets(port)
    return port_accepts(port) if inodes is None else bool(inodes)


def listening_pid(port: int) -> int | None:
    """The process listening on the port, from /proc (Linux); None when unknown."""
    inodes = _listening_sockets(port)
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None
