"""One `flightlake run` or `backfill` at a time per stack.

Two runs at once share one Airflow metadata database and one raw zone: one reported the other's
data as its own, the other died in Airflow's ORM. So a run holds `<state>/run.lock` from before
its data goes in until its summary is written. A second one waits, naming the first (its pid,
command and years), or with `--no-wait` refuses at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flightlake.errors import FlightlakeError
from flightlake.local.stack.lock import exclusive
from flightlake.local.stack.service import Echo
from flightlake.settings import Settings
from flightlake.settings.checkout import stack_state_dir


class RunBusy(FlightlakeError):
    """Another run holds the stack and this one was told not to wait."""


@contextmanager
def one_run_at_a_time(
    settings: Settings, command: str, years: tuple[int, ...], echo: Echo, wait: bool = True
) -> Iterator[None]:
    me = f"pid {os.getpid()}, `flightlake {command}` of {_years(years)}, started {time.strftime('%H:%M:%S')}"

    def busy(holder: str) -> None:
        echo(f"run        another run is using this stack ({holder}); waiting for it to end (--no-wait refuses) ...")

    def refusal(holder: str) -> RunBusy:
        return RunBusy(
            f"another run is using this stack ({holder}). Fix: wait for it to end, or leave out --no-wait to "
            "start when it does"
        )

    path = stack_state_dir(settings) / "run.lock"
    with exclusive(path, me, busy, refusal, wait_s=None if wait else 0):
        yield


def _years(years: tuple[int, ...]) -> str:
    return ("years " if len(years) > 1 else "year ") + ",".join(map(str, years))
