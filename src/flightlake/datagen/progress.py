"""Progress of a generation run on stderr: a rich bar per year on a terminal, a line per finished
year elsewhere (CI logs, pipes), nothing when quiet. stdout stays free for the summary."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Bars:
    def __init__(self, progress: Any) -> None:
        self._progress = progress
        self._tasks: dict[int, Any] = {}

    def start_year(self, year: int, rows: int) -> None:
        self._tasks[year] = self._progress.add_task(f"{year}.csv", total=rows)

    def advance(self, year: int, rows: int) -> None:
        self._progress.advance(self._tasks[year], rows)


class _Lines:
    def __init__(self) -> None:
        self._left: dict[int, int] = {}

    def start_year(self, year: int, rows: int) -> None:
        self._left[year] = rows

    def advance(self, year: int, rows: int) -> None:
        self._left[year] -= rows
        if self._left[year] <= 0:
            print(f"  {year}.csv written", file=sys.stderr, flush=True)


class Silent:
    """Reports nothing (the API's default, and `--quiet`)."""

    def start_year(self, year: int, rows: int) -> None:
        pass

    def advance(self, year: int, rows: int) -> None:
        pass


@contextmanager
def generation_progress(quiet: bool = False) -> Iterator[_Bars | _Lines | Silent]:
    """A `flightlake.datagen.Progress` for the CLI and the benchmark."""
    if quiet:
        yield Silent()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield _Lines()
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        yield _Bars(progress)
