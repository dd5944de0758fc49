"""flightlake: a local-first lake house for the airline delay pipeline (docs/ARCHITECTURE.md).

Folders by role, top-down; each folder's `__init__.py` lists its modules.

    cli        the `flightlake` command (`__main__` makes `python -m flightlake` the same)
    local      the embedded stack, its AWS emulator and the `flightlake run` harness (never on AWS)
    deploy, datagen, explore
               releases to AWS; the Kaggle-format generator; ad-hoc SQL over the lake (never on AWS)
    pipeline   the step registry, the steps, and how the DAG runs them
    reporting  the charts and the dashboard
    spark, warehouse, anomalies
               Spark sessions and transforms; PostgreSQL or Redshift; the detectors
    lake       where every dataset lives, its catalog, ingest
    settings   every setting, from the environment
    errors     the two kinds of failure: worth a retry, or not
"""

__version__ = "0.1.0"
