"""The airports the generator flies between: ~130 real ones and a synthetic tail, 360 in all.

Sizes are heavy-tailed like the real network: the biggest airport has ~5% of all departures, the
tail has many airports with a handful of flights a day and some with less than one. Every airport
has coordinates, because storms hit airports that are near each other, and a UTC offset, because
arrival times in the files are local. The catalogue is fixed (built from a constant seed, not the
user's), so airport codes and places are the same whatever seed or scale is generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

CATALOGUE_SIZE = 360
_CATALOGUE_SEED = 20_090_101  # fixed: the catalogue is part of the generator, not of a run

# The synthetic tail: daily departures at full scale run geometrically from the first value down
# to the second, so roughly a quarter of the tail sees less than one departure a day.
_TAIL_MAX_DAILY, _TAIL_MIN_DAILY = 12.0, 0.4
# A synthetic airport sits this far (km) from a real "anchor" airport, in a random direction, so
# the tail clusters around the populated regions instead of being spread uniformly.
_TAIL_OFFSET_KM = (40.0, 350.0)
_EARTH_RADIUS_KM = 6371.0
_KM_PER_MILE = 1.609344
# Synthetic codes start with letters no big US airport code starts with, so they are easy to tell apart.
_SYNTHETIC_FIRST_LETTERS = "QXZ"

# code, latitude, longitude, UTC offset (standard time; DST shifts everyone alike except AZ/HI,
# which the generator ignores), departures per day around 2018 (7.2M flights a year).
_REAL_AIRPORTS: tuple[tuple[str, float, float, int, float], ...] = (
    ("ATL", 33.64, -84.43, -5, 760), ("ORD", 41.98, -87.90, -6, 720), ("DFW", 32.90, -97.04, -6, 620),
    ("DEN", 39.86, -104.67, -7, 580), ("CLT", 35.21, -80.94, -5, 540), ("LAX", 33.94, -118.41, -8, 520),
    ("SFO", 37.62, -122.38, -8, 440), ("PHX", 33.43, -112.01, -7, 420), ("IAH", 29.98, -95.34, -6, 410),
    ("LAS", 36.08, -115.15, -8, 400), ("MSP", 44.88, -93.22, -6, 390), ("DTW", 42.21, -83.35, -5, 380),
    ("SEA", 47.45, -122.31, -8, 370), ("BOS", 42.36, -71.01, -5, 350), ("EWR", 40.69, -74.17, -5, 330),
    ("LGA", 40.78, -73.87, -5, 330), ("MCO", 28.43, -81.31, -5, 320), ("JFK", 40.64, -73.78, -5, 310),
    ("SLC", 40.79, -111.98, -7, 300), ("PHL", 39.87, -75.24, -5, 290), ("BWI", 39.18, -76.67, -5, 280),
    ("DCA", 38.85, -77.04, -5, 270), ("MIA", 25.79, -80.29, -5, 250), ("MDW", 41.79, -87.75, -6, 230),
    ("SAN", 32.73, -117.19, -8, 220), ("FLL", 26.07, -80.15, -5, 210), ("TPA", 27.98, -82.53, -5, 180),
    ("DAL", 32.85, -96.85, -6, 180), ("BNA", 36.12, -86.68, -6, 180), ("IAD", 38.95, -77.46, -5, 170),
    ("PDX", 45.59, -122.60, -8, 170), ("AUS", 30.19, -97.67, -6, 160), ("HOU", 29.65, -95.28, -6, 160),
    ("STL", 38.75, -90.37, -6, 140), ("RDU", 35.88, -78.79, -5, 140), ("HNL", 21.32, -157.92, -10, 130),
    ("MSY", 29.99, -90.26, -6, 120), ("MCI", 39.30, -94.71, -6, 110), ("SJC", 37.36, -121.93, -8, 110),
    ("OAK", 37.72, -122.22, -8, 110), ("SMF", 38.70, -121.59, -8, 100), ("SNA", 33.68, -117.87, -8, 90),
    ("CLE", 41.41, -81.85, -5, 90), ("SAT", 29.53, -98.47, -6, 90), ("IND", 39.72, -86.29, -5, 80),
    ("PIT", 40.49, -80.23, -5, 80), ("CMH", 40.00, -82.89, -5, 80), ("CVG", 39.05, -84.66, -5, 80),
    ("MKE", 42.95, -87.90, -6, 60), ("JAX", 30.49, -81.69, -5, 60), ("BUR", 34.20, -118.36, -8, 60),
    ("ANC", 61.17, -149.99, -9, 60), ("RSW", 26.54, -81.76, -5, 50), ("ABQ", 35.04, -106.61, -7, 50),
    ("OGG", 20.90, -156.43, -10, 50), ("SJU", 18.44, -66.00, -4, 50), ("MEM", 35.04, -89.98, -6, 50),
    ("BDL", 41.94, -72.68, -5, 50), ("ONT", 34.06, -117.60, -8, 40), ("OMA", 41.30, -95.89, -6, 40),
    ("SDF", 38.17, -85.74, -5, 40), ("OKC", 35.39, -97.60, -6, 35), ("PBI", 26.68, -80.10, -5, 35),
    ("RNO", 39.50, -119.77, -8, 35), ("ELP", 31.81, -106.38, -7, 30), ("BOI", 43.56, -116.22, -7, 30),
    ("TUL", 36.20, -95.89, -6, 30), ("BUF", 42.94, -78.73, -5, 30), ("RIC", 37.51, -77.32, -5, 30),
    ("GRR", 42.88, -85.52, -5, 30), ("LGB", 33.82, -118.15, -8, 30), ("TUS", 32.12, -110.94, -7, 25),
    ("DSM", 41.53, -93.66, -6, 25), ("PVD", 41.72, -71.43, -5, 25), ("CHS", 32.90, -80.04, -5, 25),
    ("ALB", 42.75, -73.80, -5, 20), ("SYR", 43.11, -76.11, -5, 20), ("ROC", 43.12, -77.67, -5, 20),
    ("ORF", 36.89, -76.20, -5, 20), ("SAV", 32.13, -81.20, -5, 20), ("LIT", 34.73, -92.22, -6, 20),
    ("BHM", 33.56, -86.75, -6, 20), ("MSN", 43.14, -89.34, -6, 20), ("GEG", 47.62, -117.53, -8, 20),
    ("XNA", 36.28, -94.31, -6, 20), ("KOA", 19.74, -156.05, -10, 20), ("LIH", 21.98, -159.34, -10, 20),
    ("GSP", 34.90, -82.22, -5, 15), ("PNS", 30.47, -87.19, -6, 15), ("ICT", 37.65, -97.43, -6, 15),
    ("FAT", 36.78, -119.72, -8, 15), ("PSP", 33.83, -116.51, -8, 15), ("COS", 38.81, -104.70, -7, 15),
    ("MYR", 33.68, -78.93, -5, 15), ("TYS", 35.81, -83.99, -5, 15), ("SFB", 28.78, -81.24, -5, 15),
    ("HPN", 41.07, -73.71, -5, 15), ("MHT", 42.93, -71.44, -5, 15), ("PWM", 43.65, -70.31, -5, 12),
    ("GSO", 36.10, -79.94, -5, 12), ("DAY", 39.90, -84.22, -5, 12), ("CHA", 35.04, -85.20, -5, 10),
    ("PIE", 27.91, -82.69, -5, 10), ("ISP", 40.80, -73.10, -5, 10), ("BTV", 44.47, -73.15, -5, 10),
    ("SRQ", 27.40, -82.55, -5, 10), ("CAE", 33.94, -81.12, -5, 10), ("LEX", 38.04, -84.61, -5, 10),
    ("MAF", 31.94, -102.20, -6, 10), ("ECP", 30.36, -85.80, -6, 8), ("JAN", 32.31, -90.08, -6, 8),
    ("MOB", 30.69, -88.24, -6, 8), ("AVL", 35.44, -82.54, -5, 8), ("CAK", 40.92, -81.44, -5, 8),
    ("SGF", 37.25, -93.39, -6, 8), ("CID", 41.88, -91.71, -6, 8), ("FSD", 43.58, -96.74, -6, 8),
    ("FAR", 46.92, -96.82, -6, 8), ("SBA", 34.43, -119.84, -8, 8), ("LBB", 33.66, -101.82, -6, 8),
    ("BTR", 30.53, -91.15, -6, 8), ("BIL", 45.81, -108.54, -7, 6), ("BZN", 45.78, -111.15, -7, 6),
    ("EUG", 44.12, -123.22, -8, 6), ("FAI", 64.82, -147.86, -9, 6), ("AMA", 35.22, -101.71, -6, 6),
    ("CRP", 27.77, -97.50, -6, 6), ("TLH", 30.40, -84.35, -5, 6), ("VPS", 30.48, -86.53, -6, 6),
    ("EYW", 24.56, -81.76, -5, 6), ("FNT", 42.97, -83.74, -5, 5), ("ASE", 39.22, -106.87, -7, 5),
    ("MRY", 36.59, -121.84, -8, 5), ("MFR", 42.37, -122.87, -8, 5), ("JNU", 58.35, -134.58, -9, 5),
    ("HRL", 26.23, -97.65, -6, 5), ("MFE", 26.18, -98.24, -6, 5), ("SHV", 32.45, -93.83, -6, 5),
    ("LFT", 30.21, -91.99, -6, 5), ("MSO", 46.92, -114.09, -7, 4), ("JAC", 43.61, -110.74, -7, 4),
    ("SBP", 35.24, -120.64, -8, 4), ("GPT", 30.41, -89.07, -6, 4), ("EGE", 39.64, -106.92, -7, 3),
    ("BRO", 25.91, -97.43, -6, 3), ("DAB", 29.18, -81.06, -5, 3), ("MLB", 28.10, -80.65, -5, 3),
    ("BGR", 44.81, -68.83, -5, 3), ("ITH", 42.49, -76.46, -5, 2), ("ELM", 42.16, -76.89, -5, 2),
)  # fmt: skip

# Airports whose runways are the bottleneck of the network; they run later and cancel more.
CONGESTED = frozenset({"EWR", "LGA", "JFK", "SFO", "ORD", "BOS", "PHL"})
# Mainland bounding box the synthetic tail is anchored in (Alaska, Hawaii, Puerto Rico excluded).
_MAINLAND_LAT, _MAINLAND_LON = (24.0, 50.0), (-125.0, -66.0)


@dataclass(frozen=True)
class Catalogue:
    """Airports as parallel arrays (index = airport id used everywhere in the generator)."""

    codes: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    utc_offset: np.ndarray  # whole hours
    daily_departures: np.ndarray  # at full scale; only the shares matter

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def share(self) -> np.ndarray:
        """Each airport's share of all departures."""
        return self.daily_departures / self.daily_departures.sum()

    def index(self, code: str) -> int:
        return self.codes.index(code)


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2) - np.radians(lon1)
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _destination(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    """The point `km` away from (lat, lon) along `bearing` (radians) on a sphere."""
    p, lam, d = np.radians(lat), np.radians(lon), km / _EARTH_RADIUS_KM
    p2 = np.arcsin(np.sin(p) * np.cos(d) + np.cos(p) * np.sin(d) * np.cos(bearing))
    lam2 = lam + np.arctan2(np.sin(bearing) * np.sin(d) * np.cos(p), np.cos(d) - np.sin(p) * np.sin(p2))
    return float(np.degrees(p2)), float(np.degrees(lam2))


def _synthetic_codes(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    codes: list[str] = []
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    while len(codes) < count:
        first = _SYNTHETIC_FIRST_LETTERS[rng.integers(len(_SYNTHETIC_FIRST_LETTERS))]
        code = first + "".join(rng.choice(letters, 2))
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The fixed airport catalogue, real airports first (ordered by size), then the tail."""
    rng = np.random.default_rng(_CATALOGUE_SEED)
    codes = [a[0] for a in _REAL_AIRPORTS]
    lat = [a[1] for a in _REAL_AIRPORTS]
    lon = [a[2] for a in _REAL_AIRPORTS]
    offset = [a[3] for a in _REAL_AIRPORTS]
    daily = [float(a[4]) for a in _REAL_AIRPORTS]
    tail = CATALOGUE_SIZE - len(codes)
    anchors = [
        i
        for i, a in enumerate(_REAL_AIRPORTS)
        if _MAINLAND_LAT[0] <= a[1] <= _MAINLAND_LAT[1] and _MAINLAND_LON[0] <= a[2] <= _MAINLAND_LON[1]
    ]
    tail_daily = np.geomspace(_TAIL_MAX_DAILY, _TAIL_MIN_DAILY, tail)
    for code, size in zip(_synthetic_codes(rng, tail, set(codes)), tail_daily, strict=True):
        anchor = anchors[rng.integers(len(anchors))]
        a_lat, a_lon = _destination(lat[anchor], lon[anchor], rng.uniform(0, 2 * np.pi), rng.uniform(*_TAIL_OFFSET_KM))
        codes.append(code)
        lat.append(round(a_lat, 2))
        lon.append(round(a_lon, 2))
        offset.append(offset[anchor])
        daily.append(float(size))
    return Catalogue(
        codes=tuple(codes),
        lat=np.array(lat),
        lon=np.array(lon),
        utc_offset=np.array(offset, dtype=np.int64),
        daily_departures=np.array(daily),
    )


@lru_cache(maxsize=1)
def distance_km() -> np.ndarray:
    """Great-circle distances between every pair of airports."""
    cat = catalogue()
    return haversine_km(cat.lat[:, None], cat.lon[:, None], cat.lat[None, :], cat.lon[None, :])


@lru_cache(maxsize=1)
def distance_miles() -> np.ndarray:
    """Route distances as the files give them: whole statute miles."""
    return np.rint(distance_km() / _KM_PER_MILE).astype(np.int64)
