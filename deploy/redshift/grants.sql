-- Privileges of the pipeline's database user on Amazon Redshift, applied by `flightlake deploy`
-- after postgres_init/*.sql, in the same Redshift Data API batch.
--
-- The DDL runs as the namespace admin (its secret is managed by Redshift). The DAG's warehouse
-- load connects through the Data API with the MWAA execution role, as the database user
-- "IAMR:<role name>", which Redshift creates on first login, so it cannot be named in a GRANT
-- beforehand. The grants go to PUBLIC instead: the namespace belongs to flightlake alone and who
-- may log in at all is decided in IAM (redshift-serverless:GetCredentials on this workgroup, or
-- the admin secret). Idempotent, valid on PostgreSQL and Redshift.

GRANT USAGE ON SCHEMA dw TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA dw TO PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA dw GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO PUBLIC;
