"""The same two stages as the Spark steps, in DuckDB on one machine: the single-machine limit.

    python -m bench.duckdb_pipeline FILE OUT_DIR

CSV -> typed Parquet (the stage), then the daily figures per origin airport from that Parquet (the
analytics), both with local files and explicit column types. No line numbers, no rejects, no
catalog: what the raw speed of these two stages can be. Its last line is JSON: seconds per stage.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from flightlake.lake.schemas import KAGGLE_COLUMNS, STAGE_COLUMNS

_DUCK_TYPES = {"date": "DATE", "string": "VARCHAR", "int": "DOUBLE", "double": "DOUBLE", "boolean": "DOUBLE"}


def main(path: Path, out_dir: Path) -> dict[str, float]:
    import duckdb

    out_dir.mkdir(parents=True, exist_ok=True)
    stage, daily = out_dir / "stage.parquet", out_dir / "daily.parquet"
    types = {raw: _DUCK_TYPES[kind] for raw, (_, kind) in zip(KAGGLE_COLUMNS, STAGE_COLUMNS, strict=False)}
    types[KAGGLE_COLUMNS[-1]] = "VARCHAR"
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in types.items())
    select = ", ".join(f'"{raw}" AS {name}' for raw, (name, _) in zip(KAGGLE_COLUMNS, STAGE_COLUMNS, strict=False))
    seconds: dict[str, float] = {}
    db = duckdb.connect()
    started = time.perf_counter()
    db.execute(
        f"COPY (SELECT {select} FROM read_csv('{path}', header=true, columns={{{columns}}})) "
        f"TO '{stage}' (FORMAT parquet)"
    )
    seconds["csv_to_typed_parquet"] = time.perf_counter() - started
    started = time.perf_counter()
    db.execute(
        f"""COPY (
            SELECT fl_date AS flight_date, origin AS origin_airport, count(*) AS scheduled_flights,
                   sum(cancelled) AS cancelled_flights, sum(diverted) AS diverted_flights,
                   sum(1 - cancelled) AS departed_flights, avg(cancelled) AS cancellation_rate,
                   avg(CASE WHEN cancelled = 0 THEN dep_delay END) AS avg_dep_delay,
                   quantile_cont(CASE WHEN cancelled = 0 THEN dep_delay END, 0.5) AS median_dep_delay,
                   quantile_cont(CASE WHEN cancelled = 0 THEN dep_delay END, 0.9) AS p90_dep_delay,
                   avg(CASE WHEN cancelled = 0 THEN (dep_delay >= 15)::INT END) AS share_delayed_15,
                   avg(arr_delay) AS avg_arr_delay
            FROM '{stage}' GROUP BY 1, 2
        ) TO '{daily}' (FORMAT parquet)"""
    )
    seconds["daily_figures"] = time.perf_counter() - started
    return seconds


if __name__ == "__main__":
    figures = main(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps({name: round(value, 2) for name, value in figures.items()}))
