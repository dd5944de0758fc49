-- Warehouse schema `dw`: one row per (flight_date, origin_airport), plus one row per load.
--
-- Applied by flightlake.warehouse.postgres (embedded stack), by the postgres container
-- (/docker-entrypoint-initdb.d) and by `flightlake deploy` on Amazon Redshift through the
-- Redshift Data API. It must therefore stay valid on PostgreSQL 15+ and on Redshift: no SERIAL or
-- IDENTITY, no Postgres-only types, and every statement idempotent (IF NOT EXISTS), because the
-- embedded stack applies it on every `flightlake up`.

CREATE SCHEMA IF NOT EXISTS dw;

CREATE TABLE IF NOT EXISTS dw.airport_daily_delays (
    flight_date        DATE             NOT NULL,
    origin_airport     VARCHAR(8)       NOT NULL,
    year               INTEGER          NOT NULL,
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
    status             VARCHAR(20)      NOT NULL,
    anomaly_score      DOUBLE PRECISION,
    is_anomaly         BOOLEAN          NOT NULL,
    method             VARCHAR(32)      NOT NULL,
    reason             VARCHAR(512),
    run_id             VARCHAR(64)      NOT NULL,
    loaded_at          TIMESTAMP        NOT NULL,
    PRIMARY KEY (flight_date, origin_airport)
);

CREATE TABLE IF NOT EXISTS dw.pipeline_runs (
    run_id             VARCHAR(64)      NOT NULL,
    year               INTEGER          NOT NULL,
    source_uri         VARCHAR(1024)    NOT NULL,
    rows_staged        BIGINT           NOT NULL,
    rows_inserted      BIGINT           NOT NULL,
    rows_updated       BIGINT           NOT NULL,
    rows_deleted       BIGINT           NOT NULL,
    rows_for_year      BIGINT           NOT NULL,
    anomalies_for_year BIGINT           NOT NULL,
    airflow_run_id     VARCHAR(256),
    started_at         TIMESTAMP        NOT NULL,
    finished_at        TIMESTAMP        NOT NULL,
    PRIMARY KEY (run_id)
);
