"""Ask the lake: ad-hoc SQL over the Glue tables and the warehouse (the Athena and Spectrum stand-ins).

Locally a query runs in DuckDB over Arrow datasets that pyarrow reads from the emulator's S3 (no
offline httpfs exists), with the warehouse's `dw` tables joinable in the same query; on AWS the
same text goes to Athena. `flightlake sql` is the command; this package is what it calls.

statements       the read-only rule (one SELECT, WITH or EXPLAIN) and the tables a query names
lake_tables      the Glue Data Catalog's tables, opened as partition-aware Arrow datasets
warehouse_tables `dw.*` tables copied into Arrow over a read-only PostgreSQL connection
session          a DuckDB connection that registers what a query names, runs it, explains errors
results          writing a result to CSV, JSON or Parquet, chosen by the file's extension
athena           the same query through Athena, for a deployed environment
"""

from flightlake.explore.statements import QueryError

__all__ = ["QueryError"]
