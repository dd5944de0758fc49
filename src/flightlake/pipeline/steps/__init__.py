"""The pipeline's steps, one module each; `pipeline.registry` declares their order, engine and data
(listed here by name).

    check_raw           is the raw year in the lake, and does it still meet the contract?
    detect_anomalies    the days out of the ordinary, per airport, with a score and a reason
    load_warehouse      the flagged days into the warehouse: one transaction, idempotent
    raw_to_stage        raw CSV -> typed Parquet, every bad line kept with its reason
    render_charts       a chart per airport and year, anomalous days marked
    report              counts reconciled across every zone, the dashboard rebuilt
    stage_to_analytics  flights -> daily figures per origin airport

Each is `run(settings, year, run_id=None) -> dict`, whatever its engine. A module here is cheap to
import (what its step needs is imported inside `run`), imports no Airflow, and knows nothing of
where it runs.
"""
