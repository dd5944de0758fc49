"""Flights -> Kaggle columns: local clock times, derived delays and the real files' null patterns.

- cancelled: no departure, taxi, wheels, arrival, elapsed, air time or cause fields;
- diverted: departed (DEP_*, TAXI_OUT, WHEELS_OFF filled), no arrival, elapsed, air time, TAXI_IN
  or causes, and WHEELS_ON only sometimes;
- causes only when ARR_DELAY >= 15, and then they add up to it.
"""

from __future__ import annotations

import numpy as np

from flightlake.datagen import carriers as carriers_mod
from flightlake.datagen.airports import catalogue
from flightlake.datagen.csvformat import Field, float_field, int_field, text_field
from flightlake.datagen.flight_parameters import CANCEL_CODES, CAUSE_THRESHOLD, MINUTES_PER_DAY
from flightlake.datagen.flights import Flights
from flightlake.datagen.plan import YearPlan

_MIDNIGHT_HHMM = 2400  # the files write a time of exactly midnight as 2400, never 0

CAUSE_COLUMNS = ("CARRIER_DELAY", "WEATHER_DELAY", "NAS_DELAY", "SECURITY_DELAY", "LATE_AIRCRAFT_DELAY")


def hhmm(minutes: np.ndarray) -> np.ndarray:
    """Minutes (any integer, wrapping at midnight either way) -> local clock time as hhmm, with
    midnight written 2400 like the source files."""
    wrapped = np.mod(minutes, MINUTES_PER_DAY)
    clock = (wrapped // 60) * 100 + wrapped % 60
    return np.where(clock == 0, _MIDNIGHT_HHMM, clock)


def kaggle_fields(plan: YearPlan, flights: Flights) -> dict[str, Field]:
    f = flights
    flown = ~f.cancelled
    arrived = flown & ~f.diverted
    wheels_on_valid = arrived | (f.diverted & f.wheels_on_known)

    dep = f.crs_dep + f.dep_delay
    wheels_off = dep + f.taxi_out
    wheels_on = wheels_off + f.air_time + f.tz_shift
    arr = wheels_on + f.taxi_in
    actual_elapsed = f.taxi_out + f.air_time + f.taxi_in
    arr_delay = f.dep_delay + actual_elapsed - f.crs_elapsed
    with_causes = arrived & (arr_delay >= CAUSE_THRESHOLD)

    codes = catalogue().codes
    fields: dict[str, Field] = {
        "FL_DATE": text_field(f.day, plan.calendar.labels),
        "OP_CARRIER": text_field(f.carrier, carriers_mod.for_year(plan.year).codes),
        "OP_CARRIER_FL_NUM": int_field(f.flight_number),
        "ORIGIN": text_field(f.origin, codes),
        "DEST": text_field(f.dest, codes),
        "CRS_DEP_TIME": int_field(hhmm(f.crs_dep)),
        "DEP_TIME": float_field(hhmm(dep), flown),
        "DEP_DELAY": float_field(f.dep_delay, flown),
        "TAXI_OUT": float_field(f.taxi_out, flown),
        "WHEELS_OFF": float_field(hhmm(wheels_off), flown),
        "WHEELS_ON": float_field(hhmm(wheels_on), wheels_on_valid),
        "TAXI_IN": float_field(f.taxi_in, arrived),
        "CRS_ARR_TIME": int_field(hhmm(f.crs_dep + f.crs_elapsed + f.tz_shift)),
        "ARR_TIME": float_field(hhmm(arr), arrived),
        "ARR_DELAY": float_field(arr_delay, arrived),
        "CANCELLED": float_field(f.cancelled.astype(np.int64)),
        "CANCELLATION_CODE": text_field(f.cancel_code, CANCEL_CODES, f.cancelled),
        "DIVERTED": float_field(f.diverted.astype(np.int64)),
        "CRS_ELAPSED_TIME": float_field(f.crs_elapsed),
        "ACTUAL_ELAPSED_TIME": float_field(actual_elapsed, arrived),
        "AIR_TIME": float_field(f.air_time, arrived),
        "DISTANCE": float_field(f.distance),
    }
    for i, column in enumerate(CAUSE_COLUMNS):
        fields[column] = float_field(f.causes[i], with_causes)
    return fields
