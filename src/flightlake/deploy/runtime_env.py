"""The FLIGHTLAKE_* settings a deployment carries to MWAA (startup.sh) and Glue (job arguments).

On AWS the same variables flightlake reads everywhere configure the pipeline; only their values
differ. They are computed here once, from the deployer's settings and the stacks' outputs, so
that MWAA and the Glue jobs cannot disagree about where the lake is.
"""

from __future__ import annotations

from flightlake.settings import CATALOG_ZONES, ZONES, Settings


def lake_environment(settings: Settings) -> dict[str, str]:
    """Where the lake is: buckets, key prefixes (only when set) and Glue databases."""
    env: dict[str, str] = {}
    for zone in ZONES:
        env[f"FLIGHTLAKE_{zone.upper()}_BUCKET"] = settings.zone(zone).bucket
        if settings.zone(zone).prefix:
            env[f"FLIGHTLAKE_{zone.upper()}_PREFIX"] = settings.zone(zone).prefix
    for zone in CATALOG_ZONES:
        env[f"FLIGHTLAKE_GLUE_DB_{zone.upper()}"] = settings.glue_databases[zone]
    return env


def glue_job_environment(settings: Settings) -> dict[str, str]:
    """What the Spark scripts need on Glue: the lake, and that they run on Glue's own Spark."""
    return {"FLIGHTLAKE_RUNTIME": "glue", **lake_environment(settings)}


def mwaa_environment(settings: Settings, workgroup: str, copy_role_arn: str) -> dict[str, str]:
    """Everything the DAG's tasks read on MWAA: the Glue runtime, the lake, Redshift, the run."""
    return {
        **glue_job_environment(settings),
        "FLIGHTLAKE_WAREHOUSE": "redshift",
        "FLIGHTLAKE_GLUE_JOB_PREFIX": settings.glue_job_prefix,
        "FLIGHTLAKE_REDSHIFT_WORKGROUP": workgroup,
        "FLIGHTLAKE_REDSHIFT_DATABASE": settings.redshift_database,
        "FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN": copy_role_arn,
        "FLIGHTLAKE_ANOMALY_METHOD": settings.anomaly_method,
        "FLIGHTLAKE_YEARS": format_years(settings.years),
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
