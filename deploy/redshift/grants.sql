-- Privileges on the warehouse on Amazon Redshift, applied by `flightlake deploy` after
-- postgres_init/*.sql, in the same Redshift Data API batch (one transaction). Redshift only: it
-- uses Redshift's role-based access control (GRANT ... TO ROLE).
--
-- Nobody may change dw through PUBLIC: any database user created later (a person, a BI tool)
-- gets nothing unless granted a role. The pipeline's database user is the MWAA execution role
-- ("IAMR:<role name>", created by Redshift at its first login through the Data API); that role is
-- tagged RedshiftDbRoles=flightlake_pipeline, so Redshift Serverless grants it the database role
-- flightlake_pipeline at login. Readers (dashboards, analysts) get flightlake_reader. The deploy
-- creates both roles before this batch (CREATE ROLE is not idempotent, so it runs on its own).

REVOKE ALL ON ALL TABLES IN SCHEMA dw FROM PUBLIC;
REVOKE ALL ON SCHEMA dw FROM PUBLIC;
GRANT USAGE ON SCHEMA dw TO ROLE flightlake_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA dw TO ROLE flightlake_pipeline;
ALTER DEFAULT PRIVILEGES IN SCHEMA dw GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ROLE flightlake_pipeline;
GRANT USAGE ON SCHEMA dw TO ROLE flightlake_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA dw TO ROLE flightlake_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA dw GRANT SELECT ON TABLES TO ROLE flightlake_reader
