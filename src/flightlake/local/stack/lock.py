"""One at a time per state directory: `up` and `down` on `<state>/stack.lock`, and `run` and
`backfill` on `<state>/run.lock` (`flightlake.local.harness.run_lock`).

Two `flightlake up` at once would start two emulators, one of which nothing would ever stop. So
`up` and `down` hold an exclusive lock on `<state>/stack.lock` for their whole run; a second one
waits, saying so, and then finds the stack already up (or down).

The holder writes who it is into the lock file, so that a process that has to wait can say what
it waits for. The lock is the kernel's (flock): it goes with the process that held it, however
that process ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flightlake.local.stack.service import Echo, StackError

WAIT_S = 600


@contextmanager
def exclusive(
    path: Path,
    me: str,
    on_busy: Callable[[str], None],
    refusal: Callable[[str], Exception],
    wait_s: float | None = None,
) -> Iterator[None]:
    """Hold an exclusive lock on `path`, with `me` written in it. If another process holds it,
    `on_busy(what it wrote)` is called once and the lock is waited for: `wait_s` seconds at
    most (None: as long as it takes; 0: not at all), then `refusal(what it wrote)` is raised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b", buffering=0) as handle:  # unbuffered: nothing left to flush on a full disk
        deadline = None if wait_s is None else time.monotonic() + wait_s
        holder = ""
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not holder:
                    handle.seek(0)
                    holder = handle.read().decode(errors="replace").strip() or "another process"
                    if wait_s != 0:
                        on_busy(holder)
                if deadline is not None and time.monotonic() >= deadline:
                    raise refusal(holder) from None
                time.sleep(0.2)
        with contextlib.suppress(OSError):  # who holds it is for others to read; a full disk must not stop it
            handle.truncate(0)
            handle.write(me.encode())
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def stack_lock(state_dir: Path, echo: Echo, wait_s: float = WAIT_S) -> Iterator[None]:
    path = state_dir / "stack.lock"

    def busy(holder: str) -> None:
        echo(f"stack      another `flightlake up` or `down` is running ({holder}); waiting for it ...")

    def refusal(holder: str) -> StackError:
        return StackError(f"gave up after {wait_s:.0f} s waiting for {path} (held by {holder})")

    with exclusive(path, f"PID {os.getpid()}", busy, refusal, wait_s):
        yield
