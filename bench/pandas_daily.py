"""The single-script way: `python -m bench.pandas_daily FILE` reads the CSV with pandas and
computes the daily figures per airport with groupby (run in its own process so its memory is
measured alone)."""

from __future__ import annotations

import sys
from pathlib import Path

from flightlake.anomalies.daily_reference import daily_from_csv

if __name__ == "__main__":
    daily = daily_from_csv(Path(sys.argv[1]))
    print(f"pandas: {len(daily):,} airport-days at {daily['origin_airport'].nunique()} airports")
