"""One `up` or `down` at a time per state directory.

Two `flightlake up` at once would start two emulators, one of which nothing would ever stop. So
`up` and `down` hold an exclusive lock on `<state>/stack.lock` for their whole run; a second one
waits, saying so, and then finds the stack already up (or down).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flightlake.local.stack.service import Echo, StackError

WAIT_S = 600


@contextmanager
def stack_lock(state_dir: Path, echo: Echo, wait_s: float = WAIT_S) -> Iterator[None]:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "stack.lock"
    with open(path, "a+") as handle:
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    echo(f"stack      another `flightlake up` or `down` is running ({holder}); waiting for it ...")
                    told = True
                if time.monotonic() > deadline:
                    raise StackError(f"gave up after {wait_s:.0f} s waiting for {path} (held by {holder})") from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"PID {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
