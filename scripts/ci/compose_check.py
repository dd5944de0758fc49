"""Checks of `make compose-check` (scripts/ci/compose-check), run with the project's virtualenv.

    python scripts/ci/compose_check.py rows YEAR     -> "<rows> <md5>" of the year's warehouse rows
    python scripts/ci/compose_check.py charts YEAR   -> the chart keys of the year, one a line

Both read the stack they check from the environment, like the pipeline: FLIGHTLAKE_WAREHOUSE_DSN
for the warehouse, AWS_ENDPOINT_URL and the AWS_* credentials for the lake.

The fingerprint leaves out what differs between two correct runs of the same file (run_id,
loaded_at) and rounds the floating-point columns to 9 significant digits, so the embedded run
and the compose run of one year compare equal exactly when they loaded the same rows.
"""

from __future__ import annotations

import sys

import psycopg

from flightlake.lake.aws import client
from flightlake.lake.tables import charts_prefix
from flightlake.settings import load_settings
from flightlake.warehouse.columns import TABLE

ROWS = f"""
SELECT count(*), coalesce(md5(string_agg(line, E'\\n' ORDER BY line)), '-')
FROM (
  SELECT concat_ws('|', flight_date, origin_airport, year, scheduled_flights, cancelled_flights,
         diverted_flights, departed_flights, status, is_anomaly, method, reason,
         to_char(cancellation_rate, '9.99999999EEEE'), to_char(avg_dep_delay, '9.99999999EEEE'),
         to_char(median_dep_delay, '9.99999999EEEE'), to_char(p90_dep_delay, '9.99999999EEEE'),
         to_char(share_delayed_15, '9.99999999EEEE'), to_char(avg_arr_delay, '9.99999999EEEE'),
         to_char(anomaly_score, '9.99999999EEEE')) AS line
  FROM {TABLE} WHERE year = %s
) AS rows
"""


def rows(year: int) -> str:
    with psycopg.connect(load_settings().require_warehouse_dsn()) as connection:
        count, digest = connection.execute(ROWS, (year,)).fetchone()
    return f"{count} {digest}"


def charts(year: int) -> list[str]:
    settings = load_settings()
    pages = client("s3", settings).get_paginator("list_objects_v2")
    bucket = settings.zone("reports").bucket
    prefix = charts_prefix(settings, year)
    return [item["Key"] for page in pages.paginate(Bucket=bucket, Prefix=prefix) for item in page.get("Contents", [])]


def main(argv: list[str]) -> int:
    what, year = argv[0], int(argv[1])
    if what == "rows":
        print(rows(year))
    elif what == "charts":
        print("\n".join(charts(year)))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
