-- Views the dashboard reads (Superset in compose, QuickSight in AWS). Valid on PostgreSQL and
-- Redshift; CREATE OR REPLACE keeps re-application harmless.

CREATE OR REPLACE VIEW dw.airport_year_summary AS
SELECT
    year,
    origin_airport,
    COUNT(*)                                                  AS days_reported,
    SUM(CASE WHEN status = 'gap' THEN 1 ELSE 0 END)           AS gap_days,
    SUM(CASE WHEN is_anomaly THEN 1 ELSE 0 END)               AS anomaly_days,
    SUM(scheduled_flights)                                    AS scheduled_flights,
    SUM(cancelled_flights)                                    AS cancelled_flights,
    AVG(avg_dep_delay)                                        AS mean_daily_avg_dep_delay,
    MAX(anomaly_score)                                        AS max_anomaly_score
FROM dw.airport_daily_delays
GROUP BY year, origin_airport;

CREATE OR REPLACE VIEW dw.anomalous_days AS
SELECT flight_date, year, origin_airport, scheduled_flights, cancelled_flights, cancellation_rate,
       avg_dep_delay, anomaly_score, method, reason
FROM dw.airport_daily_delays
WHERE is_anomaly;
