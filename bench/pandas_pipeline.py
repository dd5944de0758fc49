"""The single-script way the original solution works, on one year file, timed step by step.

    python -m bench.pandas_pipeline FILE DSN OUT_DIR

read_csv of the whole file, groupby per origin airport and day, an IsolationForest (5 %
contamination) per airport, COPY of the daily table into PostgreSQL, one matplotlib chart per
airport. No typing beyond pandas' guesses, no rejects, no lake: the yardstick the pipeline is
measured against. Its last line is JSON: seconds per step.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

CONTAMINATION = 0.05
FEATURES = ["scheduled_flights", "cancellation_rate", "avg_dep_delay"]


def main(path: Path, dsn: str, out_dir: Path) -> dict[str, float]:
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    flights = pd.read_csv(path)
    seconds["read_csv"] = time.perf_counter() - started

    started = time.perf_counter()
    grouped = flights.groupby(["FL_DATE", "ORIGIN"])
    daily = pd.DataFrame(
        {
            "scheduled_flights": grouped.size(),
            "cancelled_flights": grouped["CANCELLED"].sum(),
            "avg_dep_delay": grouped["DEP_DELAY"].mean(),
        }
    ).reset_index()
    daily["cancellation_rate"] = daily["cancelled_flights"] / daily["scheduled_flights"]
    seconds["groupby"] = time.perf_counter() - started

    started = time.perf_counter()
    from sklearn.ensemble import IsolationForest

    daily["is_anomaly"] = False
    for _, rows in daily.groupby("ORIGIN"):
        features = rows[FEATURES].fillna(0.0).to_numpy()
        if len(features) >= 10:
            model = IsolationForest(contamination=CONTAMINATION, random_state=0).fit(features)
            daily.loc[rows.index, "is_anomaly"] = model.predict(features) == -1
    seconds["isolation_forest"] = time.perf_counter() - started

    started = time.perf_counter()
    import psycopg

    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS bench")
        conn.execute("DROP TABLE IF EXISTS bench.pandas_daily")
        conn.execute(
            "CREATE TABLE bench.pandas_daily (fl_date date, origin varchar(8), scheduled_flights bigint, "
            "cancelled_flights double precision, avg_dep_delay double precision, cancellation_rate double precision, "
            "is_anomaly boolean)"
        )
        columns = ["FL_DATE", "ORIGIN", "scheduled_flights", "cancelled_flights", "avg_dep_delay", "cancellation_rate"]
        with conn.cursor().copy("COPY bench.pandas_daily FROM STDIN") as copy:
            for row in daily[[*columns, "is_anomaly"]].itertuples(index=False):
                copy.write_row([None if isinstance(v, float) and np.isnan(v) else v for v in row])
    seconds["copy_to_postgres"] = time.perf_counter() - started

    started = time.perf_counter()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    for airport, rows in daily.groupby("ORIGIN"):
        figure, axes = plt.subplots(figsize=(12, 4.5))
        dates = pd.to_datetime(rows["FL_DATE"])
        axes.bar(dates, rows["scheduled_flights"])
        marked = rows["is_anomaly"].to_numpy(dtype=bool)
        axes.scatter(dates[marked], rows["scheduled_flights"][marked], color="red", marker="v")
        axes.set_title(f"{airport}")
        figure.savefig(out_dir / f"{airport}.png")
        plt.close(figure)
    seconds["charts"] = time.perf_counter() - started
    return seconds


if __name__ == "__main__":
    figures = main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
    print(json.dumps({name: round(value, 2) for name, value in figures.items()}))
