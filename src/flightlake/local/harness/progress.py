"""Visible progress for long work: rich bars on a terminal, periodic lines elsewhere (CI, logs)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class ByteProgress:
    """A callback `(label, done, total)` that drives one rich bar per label."""

    def __init__(self, progress: Any) -> None:
        self._progress = progress
        self._tasks: dict[str, Any] = {}
        self._last_line = 0.0

    def __call__(self, label: str, done: int, total: int) -> None:
        if self._progress is None:
            now = time.monotonic()
            if done >= total or now - self._last_line > 5:
                print(f"  {label}: {done / 1e6:,.0f} of {total / 1e6:,.0f} MB", file=sys.stderr, flush=True)
                self._last_line = now
            return
        if label not in self._tasks:
            self._tasks[label] = self._progress.add_task(label, total=total)
        self._progress.update(self._tasks[label], completed=done)


@contextmanager
def byte_progress() -> Iterator[ByteProgress]:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield ByteProgress(None)
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield ByteProgress(progress)
