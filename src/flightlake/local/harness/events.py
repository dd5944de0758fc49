"""The channel from the Airflow child process to `flightlake run`: one JSON object per line.

The child writes on a pipe of its own (its file descriptor is passed as `--events-fd`), not on
stdout, so Airflow's log lines, written from several threads, can never break an event. Events:

    {"event": "dag", "tasks": [...]}                          the DAG's tasks, in run order
    {"event": "task", "year", "task", "state", "seconds"}     a task instance changed state
    {"event": "failure", "year", "task", "error"}             a task attempt failed, and why
    {"event": "year", "year", "state", "seconds", "result"}   a DagRun finished
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

_LOCK = threading.Lock()
_FD: int | None = None


def open_channel(fd: int) -> None:
    """Send this process's events to `fd` (the write end of the parent's pipe)."""
    global _FD
    _FD = fd


def emit(**event: Any) -> None:
    """One event, as one line, in one write (a no-op when no channel is open)."""
    if _FD is None:
        return
    line = (json.dumps(event, default=str) + "\n").encode()
    with _LOCK:
        os.write(_FD, line)
