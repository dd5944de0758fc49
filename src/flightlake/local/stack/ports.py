"""Which port a service of the stack listens on, and who holds a port it wants.

A service keeps the port it had: clients that already read it (a run in progress, a shell that ran
`flightlake env`) must find the service where it was after a restart. Only a service that never
ran here takes the preferred port of the settings, or a free one when that is taken.
"""

from __future__ import annotations

import os
from pathlib import Path

from flightlake.local.stack.processes import free_port, port_is_free
from flightlake.local.stack.service import StackError


def service_port(name: str, remembered: int | None, preferred: int) -> int:
    """The port `name` must listen on; a StackError naming the holder when it is taken."""
    if not remembered:
        return free_port(preferred)
    if port_is_free(remembered):
        return remembered
    raise StackError(
        f"{name} cannot come back on port {remembered}, the port it had: {describe_owner(remembered)} holds it. "
        f"Stop that process and run `flightlake up` again; or run `flightlake down --new-ports` and then "
        f"`flightlake up` to start on free ports (then re-read them with `flightlake env`)."
    )


def describe_owner(port: int) -> str:
    pid = listening_pid(port)
    if pid is None:
        return "another process"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = "?"
    return f"process {pid} ({command[:120]})"


def listening_pid(port: int) -> int | None:
    """The process listening on 127.0.0.1/0.0.0.0:port, from /proc (Linux); None elsewhere."""
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
