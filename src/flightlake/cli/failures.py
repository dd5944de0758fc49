"""The last word of a command that failed in a way no handler foresaw: one line, never a traceback.

Every failure a command can expect has its own message where it happens (a refused file, a
stopped stack, a bad query). What is left is a defect, or a failure of the machine: the user
gets one line saying what it was and where the traceback is kept, and exit code 1.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

from flightlake.settings import Settings


def disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


def report(error: BaseException, settings: Settings | None) -> int:
    """Print one line about `error`; keep its traceback in a log file."""
    if disk_full(error):
        where = f"the disk holding {error.filename}" if isinstance(error, OSError) and error.filename else "the disk"
        print(f"flightlake: {where} is full. Fix: free some space, then run the command again.", file=sys.stderr)
        return 1
    kept = _keep_traceback(error, settings)
    summary = " ".join(str(error).split())[:300] or "(no message)"
    print(f"flightlake: unexpected {type(error).__name__}: {summary} ({kept})", file=sys.stderr)
    return 1


def reader_gone() -> int:
    """stdout's reader went away (`flightlake sql ... | head`): nothing more to say, to anyone."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit would fail again
    return 1


def _keep_traceback(error: BaseException, settings: Settings | None) -> str:
    folder = settings.state_dir / "logs" if settings is not None and settings.state_dir_known else None
    name = f"error-{datetime.now().strftime('%Y%m%d-%H%M%S')}-{id(error):x}.log"
    text = "".join(traceback.format_exception(error))
    for candidate in (folder, Path(tempfile.gettempdir())):
        if candidate is None:
            continue
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            path = candidate / name
            path.write_text(f"{' '.join(sys.argv)}\n\n{text}")
            return f"a flightlake defect; the traceback is in {path}: please report it"
        except OSError:
            continue
    return "a flightlake defect; its traceback could not be written anywhere"
