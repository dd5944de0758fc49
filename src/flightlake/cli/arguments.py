"""argparse types the commands share, so a bad value is refused by argparse itself.

argparse turns an `ArgumentTypeError` into `flightlake CMD: error: argument --x: ...` with exit
code 2 before the command's handler runs: nothing is created for a value the command cannot use
(no empty `generated--5-seed2009` folder, no stack started for `--years 1999`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from flightlake.settings import Settings, SettingsError, parse_years
from flightlake.settings.values import within_dag


def years(text: str) -> tuple[int, ...]:
    """'2013', '2009-2018' or '2012,2014', each year in the years the data covers (2009-2018)."""
    try:
        return parse_years(text, name="")
    except SettingsError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def row_count(text: str) -> int:
    """Accepts 7200000, 7_200_000 or 7.2M / 200k, because row counts are long to type."""
    cleaned = text.strip().replace("_", "").lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(cleaned[-1:], 1)
    number = cleaned[:-1] if scale > 1 else cleaned
    try:
        rows = round(float(number) * scale)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a row count like 200000, 200k or 7.2M") from None
    if rows < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: the row count must be at least 1")
    return rows


def whole(minimum: int) -> Callable[[str], int]:
    """An argparse type for whole numbers of at least `minimum` (a seed, a number of workers)."""

    def parse(text: str) -> int:
        if not text.strip().isdigit() or int(text) < minimum:
            raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number, {minimum} or more")
        return int(text)

    return parse


def dag_years(parser: argparse.ArgumentParser, chosen: tuple[int, ...] | None, settings: Settings) -> tuple[int, ...]:
    """The years to run: `chosen` (--years) or FLIGHTLAKE_YEARS. A year outside the DAG's range
    would get a DagRun with no task, reported as a success: argparse's error (exit 2) instead."""
    if chosen is None:
        return settings.years
    try:
        return within_dag(chosen, settings.years)
    except SettingsError as error:
        parser.error(str(error))
