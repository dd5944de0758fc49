"""Column lists of every dataset, written once and turned into Spark, Arrow and Glue schemas.

Kept free of third-party imports: the Spark jobs import it on AWS Glue, the catalog code turns it
into Glue column definitions, and the warehouse DDL is checked against it in the tests.
Types use Glue/Hive names (`string`, `int`, `bigint`, `double`, `boolean`, `date`).
"""

from __future__ import annotations

# The Kaggle "Airline Delay and Cancellation Data 2009-2018" header, in file order.
KAGGLE_COLUMNS: tuple[str, ...] = (
    "FL_DATE", "OP_CARRIER", "OP_CARRIER_FL_NUM", "ORIGIN", "DEST", "CRS_DEP_TIME", "DEP_TIME",
    "DEP_DELAY", "TAXI_OUT", "WHEELS_OFF", "WHEELS_ON", "TAXI_IN", "CRS_ARR_TIME", "ARR_TIME",
    "ARR_DELAY", "CANCELLED", "CANCELLATION_CODE", "DIVERTED", "CRS_ELAPSED_TIME",
    "ACTUAL_ELAPSED_TIME", "AIR_TIME", "DISTANCE", "CARRIER_DELAY", "WEATHER_DELAY", "NAS_DELAY",
    "SECURITY_DELAY", "LATE_AIRCRAFT_DELAY", "Unnamed: 27",
)  # fmt: skip
KAGGLE_HEADER = ",".join(KAGGLE_COLUMNS)  # the header line, as the files from Kaggle have it
EMPTY_TRAILING_COLUMN = "Unnamed: 27"

# Typed stage columns, in the raw order, minus the empty trailing column. The raw name of each is
# its upper-case form; the year partition column is added by the writer.
STAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("fl_date", "date"),
    ("op_carrier", "string"),
    ("op_carrier_fl_num", "int"),
    ("origin", "string"),
    ("dest", "string"),
    ("crs_dep_time", "int"),
    ("dep_time", "int"),
    ("dep_delay", "double"),
    ("taxi_out", "double"),
    ("wheels_off", "int"),
    ("wheels_on", "int"),
    ("taxi_in", "double"),
    ("crs_arr_time", "int"),
    ("arr_time", "int"),
    ("arr_delay", "double"),
    ("cancelled", "boolean"),
    ("cancellation_code", "string"),
    ("diverted", "boolean"),
    ("crs_elapsed_time", "double"),
    ("actual_elapsed_time", "double"),
    ("air_time", "double"),
    ("distance", "double"),
    ("carrier_delay", "double"),
    ("weather_delay", "double"),
    ("nas_delay", "double"),
    ("security_delay", "double"),
    ("late_aircraft_delay", "double"),
)

REJECT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_file", "string"),
    ("line_number", "bigint"),
    ("reason", "string"),
    ("raw_line", "string"),
)

# Daily figures per origin airport: what stage_to_analytics writes.
DAILY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("flight_date", "date"),
    ("origin_airport", "string"),
    ("scheduled_flights", "bigint"),
    ("cancelled_flights", "bigint"),
    ("diverted_flights", "bigint"),
    ("departed_flights", "bigint"),
    ("cancellation_rate", "double"),
    ("avg_dep_delay", "double"),
    ("median_dep_delay", "double"),
    ("p90_dep_delay", "double"),
    ("share_delayed_15", "double"),
    ("avg_arr_delay", "double"),
)

# What the anomaly detector adds to each (airport, day); the warehouse table holds both.
ANOMALY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "string"),  # scored | gap | insufficient_data
    ("anomaly_score", "double"),
    ("is_anomaly", "boolean"),
    ("method", "string"),
    ("reason", "string"),
)

DAILY_ANOMALY_COLUMNS: tuple[tuple[str, str], ...] = DAILY_COLUMNS + ANOMALY_COLUMNS
PARTITION_COLUMN: tuple[str, str] = ("year", "int")


def names(columns: tuple[tuple[str, str], ...]) -> list[str]:
    return [name for name, _ in columns]
