"""The Airflow child process of `flightlake run`: it and everything it starts live and die together.

The child runs every task in-process, so its process group holds the Spark JVM and the chart
workers too. It is started in a group of its own; when `flightlake run` is interrupted (Ctrl-C,
SIGTERM, its terminal closing) the whole group is stopped, and when `flightlake run` dies
without a word (SIGKILL) the kernel tells the child (parent-death signal, Linux), which takes its
group down with it. Otherwise a killed run would leave the worker and the JVM finishing the year
and writing to the warehouse.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from typing import IO, Any

_PR_SET_PDEATHSIG = 1
STOP_GRACE_S = 10
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# The signal that tells the child to take its group down: a real-time one, because Airflow's task
# runner installs its own SIGTERM handler inside the child, where our tasks run.
STOP_SIGNAL = getattr(signal, "SIGRTMIN", signal.SIGTERM) + (3 if hasattr(signal, "SIGRTMIN") else 0)


class Interrupted(Exception):
    """`flightlake run` was told to stop; its child and what it started are gone."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}: the Airflow worker, its JVM and workers too")
        self.signum = signum


def _die_with_parent() -> None:  # runs in the child, between fork and exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, STOP_SIGNAL)


def start(argv: Sequence[str], env: dict[str, str], log: IO[Any], pass_fds: tuple[int, ...]) -> subprocess.Popen:
    return subprocess.Popen(
        list(argv), env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, pass_fds=pass_fds,
        start_new_session=True, preexec_fn=_die_with_parent,
    )  # fmt: skip


def stop_group(process: subprocess.Popen) -> None:
    """STOP_SIGNAL to the child (it then SIGKILLs its group), SIGKILL to the group if it lingers."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(process.pid, STOP_SIGNAL)
    try:
        process.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def stopped_on_signals(process: subprocess.Popen) -> Iterator[None]:
    """While the child runs, a stop signal to `flightlake run` stops the child's whole group."""

    def stop(signum: int, frame: Any) -> None:
        stop_group(process)
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, stop) for sig in _FORWARDED}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def take_group_down_on_stop_signal() -> None:
    """In the child: on STOP_SIGNAL (from `flightlake run`, or from the kernel when it died), kill
    the whole group at once, this process, the JVM and the chart workers included."""
    signal.signal(STOP_SIGNAL, lambda signum, frame: os.killpg(os.getpgrp(), signal.SIGKILL))
