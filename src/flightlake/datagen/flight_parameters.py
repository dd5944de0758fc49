"""The per-flight model's parameters: shapes, rates and limits, tuned to look like the real files.

Kept apart from the model (`flights`) so the numbers can be read, and argued about, on one page.
"""

from __future__ import annotations

import numpy as np

MINUTES_PER_DAY = 24 * 60

# Scheduled departures by local hour: a morning bank, a long day, a thin night.
HOUR_WEIGHTS = np.array([
    0.2, 0.1, 0.05, 0.05, 0.1, 1.5, 5.5, 6.5, 6.5, 6.0, 6.0, 6.0,
    6.0, 6.0, 5.5, 6.0, 6.0, 6.5, 6.0, 5.5, 4.5, 3.5, 2.0, 1.0,
])  # fmt: skip
# Delays build up during the day as late aircraft propagate (minutes of mean delay by hour).
HOUR_DELAY_SHIFT = np.array([
    4.0, 4.0, 2.0, 0.0, -4.0, -6.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0,
    0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 6.0, 6.0, 5.0, 4.0, 4.0,
])  # fmt: skip

# Departure delay mixture.
EARLY_MEAN, EARLY_SD = -4.0, 4.0  # on-time flights: minutes relative to schedule
TAIL_MEDIAN, TAIL_LOG_SD = 24.0, 1.1  # delayed flights: log-normal minutes
DELAYED_SHARE = 0.25  # share of delayed flights on an average day
DELAYED_SHARE_RANGE = (0.05, 0.85)
MAX_DELAY = 1800  # minutes; the real files' longest delays are around a day
# One minute more of mean delay needs this much more delayed share (difference of the means).
_TAIL_MEAN = TAIL_MEDIAN * np.exp(TAIL_LOG_SD**2 / 2)
_SHARE_PER_MINUTE = 1.0 / (_TAIL_MEAN - EARLY_MEAN)
EXTRA_DELAY_SHAPE = 2.0  # gamma shape of an anomaly's extra delay per flight (mean = planned)

# Timing. Air time grows with distance at cruise speed, plus climb and descent; taxi times grow with
# the airport's size; schedules pad the expected block time a little.
CRUISE_MILES_PER_MIN = 7.7  # ~460 mph
CLIMB_DESCENT_MIN = 12.0
AIR_TIME_NOISE = 0.04  # relative (winds)
AIR_TIME_NOISE_MIN = 2.0
MIN_AIR_TIME = 10
TAXI_OUT_MEAN, TAXI_IN_MEAN = (11.0, 20.0), (4.5, 9.0)  # (smallest, biggest airport)
TAXI_SHAPE = 5.0  # gamma shape: taxi times are skewed but never far from their mean
SCHEDULE_PADDING_MIN = (0, 10)  # inclusive

# Destinations: weighted by size, rarely very short hops, fewer very long routes.
DEST_SIZE_EXPONENT = 1.2  # > 1: small airports mostly feed the hubs, as in the real network
SHORT_HOP_MILES, REGIONAL_MILES, LONG_HAUL_MILES = 100, 250, 800
SHORT_HOP_FACTOR, REGIONAL_FACTOR = 0.15, 0.6
LONG_HAUL_DECAY_MILES = 900.0
MAX_ROUTE_MILES = 5000  # the longest real route (New York - Honolulu) is just under
MIN_ROUTE_MILES = 30

# Cancellation reasons of ordinary cancellations: A carrier, B weather, C NAS, D security.
CANCEL_CODES = ("A", "B", "C", "D")
CANCEL_CODE_WEIGHTS = np.array([0.28, 0.47, 0.245, 0.005])
WEATHER_CODE = 1
DIVERT_RATE = 0.0023
STORM_DIVERT_FACTOR = 3.0
WHEELS_ON_KNOWN_SHARE = 0.5  # diverted flights that still report a wheels-on time

# Delay causes (carrier, weather, NAS, security, late aircraft), by kind of day.
CAUSE_PROFILES = np.array([
    [0.32, 0.04, 0.26, 0.003, 0.377],  # ordinary
    [0.08, 0.55, 0.27, 0.0, 0.10],  # storm
    [0.30, 0.02, 0.33, 0.005, 0.345],  # holiday surge
])  # fmt: skip
_ORDINARY, _STORM, _HOLIDAY = 0, 1, 2
SECOND_CAUSE_SHARE = 0.55  # delayed flights with a second cause sharing the minutes
SECOND_CAUSE_FRACTION = (0.1, 0.6)
CAUSE_THRESHOLD = 15  # causes are reported only for arrivals this late or later
