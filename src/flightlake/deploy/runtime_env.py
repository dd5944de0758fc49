"""The FLIGHTLAKE_* settings an environment carries to MWAA (startup.sh) and Glue (job arguments).

On AWS the same variables flightlake reads everywhere configure the pipeline; only their values
differ, and every value comes from the environment's committed file and the names derived from
it (`names.Names`). They are computed here once, so MWAA, the Glue jobs and `ingest --env` cannot
disagree about where an environment's lake is.
"""

from __future__ import annotations

from flightlake.deploy.names import DATABASE, Names
from flightlake.settings import CATALOG_ZONES, ZONES


def lake_environment(names: Names) -> dict[str, str]:
    """Where the environment's lake is: region, buckets and Glue databases."""
    env = {"FLIGHTLAKE_REGION": names.env.region}
    for zone in ZONES:
        env[f"FLIGHTLAKE_{zone.upper()}_BUCKET"] = names.zone_bucket(zone)
    for zone in CATALOG_ZONES:
        env[f"FLIGHTLAKE_GLUE_DB_{zone.upper()}"] = names.glue_databases[zone]
    return env


def glue_job_environment(names: Names) -> dict[str, str]:
    """What the Spark scripts need on Glue: the lake, the region, and that they run on Glue."""
    return {"FLIGHTLAKE_RUNTIME": "glue", **lake_environment(names)}


def mwaa_environment(names: Names, release_id: str) -> dict[str, str]:
    """Everything the DAG's tasks read on MWAA: the Glue jobs of this release, the lake, Redshift,
    the years, where failures are reported."""
    return {
        **glue_job_environment(names),
        "FLIGHTLAKE_WAREHOUSE": "redshift",
        "FLIGHTLAKE_GLUE_JOB_PREFIX": names.glue_job_prefix(release_id),
        "FLIGHTLAKE_REDSHIFT_WORKGROUP": names.workgroup,
        "FLIGHTLAKE_REDSHIFT_DATABASE": DATABASE,
        "FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN": names.copy_role_arn,
        "FLIGHTLAKE_ANOMALY_METHOD": names.env.anomaly_method,
        "FLIGHTLAKE_YEARS": format_years(names.env.years),
        "FLIGHTLAKE_ALERT_TOPIC_ARN": names.alert_topic_arn,
    }


def format_years(years: tuple[int, ...]) -> str:
    """(2009, ..., 2018) -> '2009-2018'; gaps become a list: '2012,2014'. Inverse of parse_years."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ",".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)
