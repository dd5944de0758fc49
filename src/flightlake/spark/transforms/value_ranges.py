"""The physically possible range of each number in a flight row: outside it, the row is quarantined.

A delay of 99999 minutes (69 days) or -5000 minutes (a departure three and a half days early) is not
a flight but a typing or export error, and one such row turns an airport-day's average into
nonsense. The bounds come from what the fields mean in the Bureau of Transportation Statistics'
"Reporting Carrier On-Time Performance" data, of which the Kaggle files are a copy:

- clock times (CRS_DEP_TIME, DEP_TIME, WHEELS_OFF, WHEELS_ON, CRS_ARR_TIME, ARR_TIME) are local
  times as hhmm, 0000 to 2400 (BTS writes midnight as 2400), with minutes under 60;
- departure and arrival delays (DEP_DELAY, ARR_DELAY) are minutes against the schedule, negative
  when early: a flight leaves at most a day early (earlier would be another day's flight) and is
  cancelled long before it is two days late; the real files stay within -250 and 2,700;
- durations (TAXI_OUT, TAXI_IN, CRS_ELAPSED_TIME, ACTUAL_ELAPSED_TIME, AIR_TIME) are minutes
  from 0 to a day; the longest scheduled US flights are under 12 hours;
- DISTANCE is 1 to 6,000 statute miles (the longest US route, Honolulu to New York, is 4,983);
- delay causes (CARRIER_DELAY, WEATHER_DELAY, NAS_DELAY, SECURITY_DELAY, LATE_AIRCRAFT_DELAY)
  are minutes of the arrival delay, 0 to two days;
- OP_CARRIER_FL_NUM is a flight number, 1 to 9999.

Empty values are not checked here (a cancelled flight has no departure time).
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

DAY = 24 * 60
_CAUSES = ("carrier_delay", "weather_delay", "nas_delay", "security_delay", "late_aircraft_delay")

# column -> (lowest, highest, what the number is)
RANGES: dict[str, tuple[float, float, str]] = {
    **dict.fromkeys(
        ("crs_dep_time", "dep_time", "wheels_off", "wheels_on", "crs_arr_time", "arr_time"), (0, 2400, "hhmm")
    ),
    **dict.fromkeys(("dep_delay", "arr_delay"), (-DAY, 2 * DAY, "minutes")),
    **dict.fromkeys(
        ("taxi_out", "taxi_in", "crs_elapsed_time", "actual_elapsed_time", "air_time"), (0, DAY, "minutes")
    ),
    "distance": (1, 6000, "miles"),
    **dict.fromkeys(
        ("carrier_delay", "weather_delay", "nas_delay", "security_delay", "late_aircraft_delay"),
        (0, 2 * DAY, "minutes"),
    ),
    "op_carrier_fl_num": (1, 9999, "flight number"),
}


def _outside(name: str, number: Column) -> Column:
    """True when the number is outside its range; NaN is (Spark orders NaN above every number)."""
    low, high, unit = RANGES[name]
    outside = (number < low) | (number > high)
    if unit == "hhmm":
        outside = outside | (F.pmod(number, F.lit(100)) >= 60)
    return outside


def range_problem(name: str, number: Column, text: Column) -> Column | None:
    """The reason a value is outside its possible range (null when inside, or not checked)."""
    if name not in RANGES:
        return None
    low, high, unit = RANGES[name]
    label = name.upper()
    if unit == "hhmm":
        reason = f"{label} '%s' is not a time of day (hhmm from 0000 to 2400)"
    else:
        reason = f"{label} '%s' is outside the possible range {low:g} to {high:g} {unit}"
    return F.when(number.isNotNull() & _outside(name, number), F.format_string(reason, text))


def within_range(name: str, number: Column) -> Column:
    """True when the number is empty or inside its range: the same rule as `range_problem`, as
    one predicate the fast path can AND with the others."""
    if name not in RANGES:
        return F.lit(True)
    return number.isNull() | ~_outside(name, number)
