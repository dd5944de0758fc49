"""Carriers: which ones fly in a year, where their hubs are, and how punctual they are.

The active set changes over 2009-2018 the way the real one did (Northwest, Continental, AirTran,
US Airways merge away; Virgin America, Spirit, Allegiant, Republic appear), so each year's file has
15-20 carriers with real codes. Each carrier dominates its hubs, regionals fill the small airports.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from flightlake.datagen.airports import Catalogue, catalogue
from flightlake.datagen.sampling import AliasTable, alias_table

# A carrier schedules this many times more of an airport's departures at its hubs than elsewhere.
_HUB_BOOST = 10.0
# Below this many departures a day (full scale), an airport is served mostly by regionals.
_SMALL_AIRPORT_DAILY = 15.0
_REGIONAL_SMALL_BOOST = 4.0
# Flight numbers: mainline carriers below 3000, regional operations 3000-6999 (as in the real data).
MAINLINE_FLIGHT_NUMBERS = (1, 3000)
REGIONAL_FLIGHT_NUMBERS = (3000, 7000)


@dataclass(frozen=True)
class Carrier:
    code: str
    first_year: int
    last_year: int
    share: float  # of national departures while active (renormalised over the year's carriers)
    hubs: tuple[str, ...]
    regional: bool = False
    delay_offset: float = 0.0  # minutes of extra mean departure delay relative to the network
    only_at_hubs_and: tuple[str, ...] | None = None  # set for carriers with a closed network (Hawaiian)


CARRIERS: tuple[Carrier, ...] = (
    Carrier("WN", 2009, 2018, 0.18, ("MDW", "DAL", "HOU", "BWI", "LAS", "DEN", "PHX", "OAK", "MCO"), delay_offset=1),
    Carrier("DL", 2009, 2018, 0.13, ("ATL", "DTW", "MSP", "SLC", "JFK", "LGA", "SEA", "BOS"), delay_offset=-3),
    Carrier("AA", 2009, 2018, 0.12, ("DFW", "ORD", "MIA", "CLT", "PHL", "PHX", "LAX", "JFK"), delay_offset=1),
    Carrier("OO", 2009, 2018, 0.10, ("SLC", "DEN", "ORD", "LAX", "SFO", "DTW", "MSP"), regional=True),
    Carrier("UA", 2009, 2018, 0.09, ("ORD", "DEN", "IAH", "EWR", "SFO", "IAD", "LAX"), delay_offset=1),
    Carrier("EV", 2009, 2018, 0.07, ("ATL", "IAH", "EWR", "ORD"), regional=True, delay_offset=3),
    Carrier("MQ", 2009, 2018, 0.05, ("DFW", "ORD", "MIA", "LGA"), regional=True, delay_offset=1),
    Carrier("9E", 2009, 2018, 0.04, ("MSP", "DTW", "JFK", "LGA", "ATL"), regional=True, delay_offset=-1),
    Carrier("B6", 2009, 2018, 0.04, ("JFK", "BOS", "FLL", "MCO"), delay_offset=4),
    Carrier("AS", 2009, 2018, 0.03, ("SEA", "PDX", "ANC", "SFO"), delay_offset=-3),
    Carrier("YV", 2009, 2018, 0.03, ("PHX", "IAH", "DFW", "IAD"), regional=True, delay_offset=2),
    Carrier("F9", 2009, 2018, 0.015, ("DEN", "LAS", "MCO"), delay_offset=3),
    Carrier("HA", 2009, 2018, 0.01, ("HNL", "OGG", "KOA", "LIH"), delay_offset=-6,
            only_at_hubs_and=("LAX", "SFO", "SEA", "PDX", "OAK", "SJC", "SAN", "LAS", "PHX", "JFK")),
    Carrier("US", 2009, 2015, 0.07, ("CLT", "PHL", "PHX", "DCA")),
    Carrier("CO", 2009, 2011, 0.05, ("IAH", "EWR", "CLE"), delay_offset=1),
    Carrier("NW", 2009, 2009, 0.05, ("MSP", "DTW", "MEM")),
    Carrier("FL", 2009, 2014, 0.04, ("ATL", "MCO", "BWI", "MKE"), delay_offset=1),
    Carrier("XE", 2009, 2011, 0.04, ("IAH", "EWR", "CLE"), regional=True, delay_offset=2),
    Carrier("OH", 2009, 2011, 0.03, ("CVG", "JFK", "DTW"), regional=True, delay_offset=1),
    Carrier("VX", 2012, 2018, 0.01, ("SFO", "LAX"), delay_offset=1),
    Carrier("NK", 2015, 2018, 0.025, ("FLL", "LAS", "DTW", "MCO"), delay_offset=3),
    Carrier("G4", 2018, 2018, 0.013, ("LAS", "SFB", "PIE"), delay_offset=3),
    Carrier("YX", 2018, 2018, 0.045, ("IND", "LGA", "DCA", "EWR"), regional=True, delay_offset=-1),
)  # fmt: skip


@dataclass(frozen=True)
class YearCarriers:
    """The carriers of one year and, per origin airport, how likely each is to fly a departure."""

    codes: tuple[str, ...]
    choice: AliasTable  # one row per origin airport
    delay_offset: np.ndarray  # per carrier
    regional: np.ndarray  # bool per carrier


def active(year: int) -> tuple[Carrier, ...]:
    """Carriers flying in `year`, in alphabetical order of code (the order rows are sorted by)."""
    return tuple(sorted((c for c in CARRIERS if c.first_year <= year <= c.last_year), key=lambda c: c.code))


def _weights(cat: Catalogue, carriers: tuple[Carrier, ...]) -> np.ndarray:
    small = cat.daily_departures < _SMALL_AIRPORT_DAILY
    weights = np.empty((len(cat), len(carriers)))
    for j, carrier in enumerate(carriers):
        column = np.full(len(cat), carrier.share)
        hub_idx = [cat.index(code) for code in carrier.hubs]
        column[hub_idx] *= _HUB_BOOST
        if carrier.regional:
            column[small] *= _REGIONAL_SMALL_BOOST
        if carrier.only_at_hubs_and is not None:
            allowed = np.zeros(len(cat), dtype=bool)
            allowed[hub_idx + [cat.index(code) for code in carrier.only_at_hubs_and]] = True
            column[~allowed] = 0.0
        weights[:, j] = column
    return weights


@lru_cache(maxsize=16)
def for_year(year: int) -> YearCarriers:
    carriers = active(year)
    return YearCarriers(
        codes=tuple(c.code for c in carriers),
        choice=alias_table(_weights(catalogue(), carriers)),
        delay_offset=np.array([c.delay_offset for c in carriers]),
        regional=np.array([c.regional for c in carriers]),
    )
