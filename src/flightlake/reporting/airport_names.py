"""Real names for real airport codes, for chart titles and the dashboard.

From `data/airports.csv`: every US airport (territories included) with an IATA code, extracted
from the MIT-licensed PyPI package airportsdata by `scripts/airport-names` (`data/NOTICE` holds
the licence). A shipped file rather than a dependency: the names are all the charts need. A code
not in the file (the generator invents some) is shown as the code alone.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources


@functools.cache
def _places() -> dict[str, tuple[str, str]]:
    with resources.files("flightlake.reporting").joinpath("data/airports.csv").open(encoding="utf-8") as handle:
        return {row["code"]: (row["name"], row["city"]) for row in csv.DictReader(handle)}


def place(code: str) -> str | None:
    """'Chicago O'Hare International Airport, Chicago' for ORD; None for a code not known."""
    known = _places().get(code.upper())
    if known is None:
        return None
    name, city = known
    return f"{name}, {city}" if city else name


def places(codes: list[str]) -> dict[str, str]:
    """The known places of some codes (the dashboard embeds only the airports it shows)."""
    return {code: described for code in codes if (described := place(code))}
