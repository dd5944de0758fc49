-- Loading one year into dw.airport_daily_delays: ONE transaction, steps in this order.
-- Runs on PostgreSQL 15+ (psycopg) and on Amazon Redshift (Data API batch_execute_statement, which
-- runs a batch as a single transaction), so only syntax both accept: MERGE without a target
-- alias, both WHEN clauses, :name parameters (bound by the driver, never formatted in). The Data
-- API sends every value as a string that Redshift converts where the statement says which type
-- it is; a parameter standing alone in a select list says nothing, so it is CAST to its column's type.
-- Between create_stage and record_run the loader fills stage_airport_daily: COPY FROM STDIN
-- locally, COPY FROM the analytics zone's Parquet on Redshift.
-- {placeholders} are column lists, filled in from flightlake.warehouse.columns (never values).

-- step: create_stage
CREATE TEMP TABLE stage_airport_daily (
    {stage_columns}
);

-- step: record_run
-- Counts are taken before the changes, so the run row says what this load did.
INSERT INTO dw.pipeline_runs (
    run_id, year, source_uri, rows_staged, rows_inserted, rows_updated, rows_deleted,
    rows_for_year, anomalies_for_year, airflow_run_id, started_at, finished_at
)
SELECT
    CAST(:run_id AS VARCHAR(64)),
    CAST(:year AS INTEGER),
    CAST(:source_uri AS VARCHAR(1024)),
    (SELECT COUNT(*) FROM stage_airport_daily),
    (SELECT COUNT(*) FROM stage_airport_daily s
      WHERE NOT EXISTS (SELECT 1 FROM dw.airport_daily_delays t
                         WHERE t.flight_date = s.flight_date AND t.origin_airport = s.origin_airport)),
    (SELECT COUNT(*) FROM stage_airport_daily s
      WHERE EXISTS (SELECT 1 FROM dw.airport_daily_delays t
                     WHERE t.flight_date = s.flight_date AND t.origin_airport = s.origin_airport)),
    (SELECT COUNT(*) FROM dw.airport_daily_delays t
      WHERE t.year = :year
        AND NOT EXISTS (SELECT 1 FROM stage_airport_daily s
                         WHERE s.flight_date = t.flight_date AND s.origin_airport = t.origin_airport)),
    0,
    0,
    CAST(:airflow_run_id AS VARCHAR(256)),
    CAST(:started_at AS TIMESTAMP),
    CAST(:started_at AS TIMESTAMP);

-- step: delete_vanished
-- Rows of this year the new figures no longer have (an airport-day dropped by a data fix).
DELETE FROM dw.airport_daily_delays
WHERE year = :year
  AND NOT EXISTS (SELECT 1 FROM stage_airport_daily s
                   WHERE s.flight_date = dw.airport_daily_delays.flight_date
                     AND s.origin_airport = dw.airport_daily_delays.origin_airport);

-- step: merge
MERGE INTO dw.airport_daily_delays
USING stage_airport_daily s
ON dw.airport_daily_delays.flight_date = s.flight_date
   AND dw.airport_daily_delays.origin_airport = s.origin_airport
WHEN MATCHED THEN UPDATE SET
    year = :year,
    {update_set},
    run_id = :run_id,
    loaded_at = :started_at
WHEN NOT MATCHED THEN INSERT (
    {insert_columns}, year, run_id, loaded_at
) VALUES (
    {insert_values}, :year, :run_id, :started_at
);

-- step: finish_run
UPDATE dw.pipeline_runs
SET rows_for_year = (SELECT COUNT(*) FROM dw.airport_daily_delays WHERE year = :year),
    anomalies_for_year = (SELECT COUNT(*) FROM dw.airport_daily_delays WHERE year = :year AND is_anomaly),
    finished_at = :finished_at
WHERE run_id = :run_id;

-- step: drop_stage
DROP TABLE stage_airport_daily;
