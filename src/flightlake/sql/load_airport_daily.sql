-- Loading one year into dw.airport_daily_delays: ONE transaction, steps in this order.
-- Runs on PostgreSQL 15+ (psycopg) and on Amazon Redshift (Data API batch_execute_statement, which
-- runs a batch as a single transaction), so only syntax both accept: MERGE without a target
-- alias, both WHEN clauses, :name parameters (bound by the driver, never formatted in), no casts.
-- Between create_stage and record_run the loader fills stage_airport_daily: COPY FROM STDIN
-- locally, COPY FROM the analytics zone's Parquet on Redshift.

-- step: create_stage
CREATE TEMP TABLE stage_airport_daily (
    flight_date        DATE,
    origin_airport     VARCHAR(8),
    scheduled_flights  BIGINT,
    cancelled_flights  BIGINT,
    diverted_flights   BIGINT,
    departed_flights   BIGINT,
    cancellation_rate  DOUBLE PRECISION,
    avg_dep_delay      DOUBLE PRECISION,
    median_dep_delay   DOUBLE PRECISION,
    p90_dep_delay      DOUBLE PRECISION,
    share_delayed_15   DOUBLE PRECISION,
    avg_arr_delay      DOUBLE PRECISION,
    status             VARCHAR(20),
    anomaly_score      DOUBLE PRECISION,
    is_anomaly         BOOLEAN,
    method             VARCHAR(32),
    reason             VARCHAR(512)
);

-- step: record_run
-- Counts are taken before the changes, so the run row says what this load did.
INSERT INTO dw.pipeline_runs (
    run_id, year, source_uri, rows_staged, rows_inserted, rows_updated, rows_deleted,
    rows_for_year, anomalies_for_year, airflow_run_id, started_at, finished_at
)
SELECT
    :run_id,
    :year,
    :source_uri,
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
    :airflow_run_id,
    :started_at,
    :started_at;

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
    scheduled_flights = s.scheduled_flights,
    cancelled_flights = s.cancelled_flights,
    diverted_flights = s.diverted_flights,
    departed_flights = s.departed_flights,
    cancellation_rate = s.cancellation_rate,
    avg_dep_delay = s.avg_dep_delay,
    median_dep_delay = s.median_dep_delay,
    p90_dep_delay = s.p90_dep_delay,
    share_delayed_15 = s.share_delayed_15,
    avg_arr_delay = s.avg_arr_delay,
    status = s.status,
    anomaly_score = s.anomaly_score,
    is_anomaly = s.is_anomaly,
    method = s.method,
    reason = s.reason,
    run_id = :run_id,
    loaded_at = :started_at
WHEN NOT MATCHED THEN INSERT (
    flight_date, origin_airport, year, scheduled_flights, cancelled_flights, diverted_flights,
    departed_flights, cancellation_rate, avg_dep_delay, median_dep_delay, p90_dep_delay,
    share_delayed_15, avg_arr_delay, status, anomaly_score, is_anomaly, method, reason, run_id, loaded_at
) VALUES (
    s.flight_date, s.origin_airport, :year, s.scheduled_flights, s.cancelled_flights, s.diverted_flights,
    s.departed_flights, s.cancellation_rate, s.avg_dep_delay, s.median_dep_delay, s.p90_dep_delay,
    s.share_delayed_15, s.avg_arr_delay, s.status, s.anomaly_score, s.is_anomaly, s.method, s.reason,
    :run_id, :started_at
);

-- step: finish_run
UPDATE dw.pipeline_runs
SET rows_for_year = (SELECT COUNT(*) FROM dw.airport_daily_delays WHERE year = :year),
    anomalies_for_year = (SELECT COUNT(*) FROM dw.airport_daily_delays WHERE year = :year AND is_anomaly),
    finished_at = :finished_at
WHERE run_id = :run_id;

-- step: drop_stage
DROP TABLE stage_airport_daily;
