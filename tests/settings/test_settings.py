"""Settings: defaults, and a clear error naming the variable for each bad value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flightlake.settings import SettingsError, load_settings, parse_years


def test_defaults_are_local_and_name_every_zone():
    settings = load_settings({})
    assert settings.s3_endpoint is None
    assert {z: settings.zone(z).bucket for z in ("raw", "stage", "analytics", "reports")} == {
        "raw": "flightlake-raw",
        "stage": "flightlake-stage",
        "analytics": "flightlake-analytics",
        "reports": "flightlake-reports",
    }
    assert settings.glue_databases["stage"] == "flightlake_stage"
    assert settings.spark_master == "local[*]"
    assert settings.years == tuple(range(2009, 2019))
    assert settings.warehouse_dsn is None


def test_endpoint_comes_from_aws_endpoint_url_and_prefix_shapes_keys():
    settings = load_settings(
        {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566/", "FLIGHTLAKE_STAGE_PREFIX": "/lake/", "AWS_REGION": "eu-west-1"}
    )
    assert settings.s3_endpoint == "http://127.0.0.1:4566"
    assert settings.region == "eu-west-1"
    assert (
        settings.zone("stage").uri("flights", "year=2013", scheme="s3a")
        == "s3a://flightlake-stage/lake/flights/year=2013"
    )


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("FLIGHTLAKE_WAREHOUSE_DSN", "not a dsn", "postgresql://"),
        ("FLIGHTLAKE_WAREHOUSE_DSN", "postgresql://u:p@:5432/db", "no host"),
        ("FLIGHTLAKE_WAREHOUSE_DSN", "postgresql://u:p@host:99999/db", "port"),
        ("FLIGHTLAKE_WAREHOUSE_DSN", "postgresql://u:p@host:5432", "no database"),
        ("FLIGHTLAKE_RAW_BUCKET", "Bad_Bucket", "bucket name"),
        ("FLIGHTLAKE_GLUE_DB_STAGE", "Stage-DB", "Glue database"),
        ("FLIGHTLAKE_SPARK_MASTER", "mesos://x", "spark://"),
        ("FLIGHTLAKE_WAREHOUSE", "snowflake", "postgres"),
        ("FLIGHTLAKE_WORKERS", "0", "whole number"),
        ("FLIGHTLAKE_POSTGRES_PORT", "http", "port number"),
        ("AWS_ENDPOINT_URL", "localhost:4566", "http(s) URL"),
        ("FLIGHTLAKE_YEARS", "2018-2009", "backwards"),
        ("FLIGHTLAKE_TASK_RETRIES", "-1", "whole number"),
        ("FLIGHTLAKE_SPARK_SUBMIT", "thread", "process"),
    ],
)
def test_bad_value_fails_naming_the_variable(variable, value, fragment):
    with pytest.raises(SettingsError) as raised:
        load_settings({variable: value})
    assert variable in str(raised.value)
    assert fragment in str(raised.value)


def test_every_flightlake_variable_the_code_reads_is_a_setting(tmp_path):
    jars = [tmp_path / "a.jar", tmp_path / "b.jar"]
    settings = load_settings(
        {
            "FLIGHTLAKE_TASK_RETRIES": "0",
            "FLIGHTLAKE_S3A_JARS": ",".join(map(str, jars)),
            "FLIGHTLAKE_PROJECT_DIR": str(tmp_path),
            "FLIGHTLAKE_SPARK_SUBMIT": "inline",
        }
    )
    assert settings.task_retries == 0
    assert settings.s3a_jars == tuple(jars)
    assert settings.project_dir == tmp_path
    assert settings.spark_submit == "inline"
    assert load_settings({}).spark_submit is None  # unset: each caller's own default


def test_no_module_reads_a_flightlake_variable_behind_the_settings_back():
    """Only the settings package reads FLIGHTLAKE_* from the environment; the rest asks it."""
    import re

    from tests.conftest import REPO

    pattern = re.compile(r"(os\.environ(\.get)?[\[(]|getenv\()\s*[\"']FLIGHTLAKE_")
    offenders = [
        str(path.relative_to(REPO))
        for root in ("src", "dags", "spark_jobs")
        for path in (REPO / root).rglob("*.py")
        if "settings" not in path.parts and pattern.search(path.read_text())
    ]
    assert offenders == []


def test_missing_dsn_error_says_how_to_get_one():
    with pytest.raises(SettingsError, match="flightlake up"):
        load_settings({}).require_warehouse_dsn()


def test_parse_years_accepts_ranges_and_lists():
    assert parse_years("2009-2011,2015") == (2009, 2010, 2011, 2015)
    assert parse_years("2013") == (2013,)
    with pytest.raises(SettingsError):
        parse_years("13")
    with pytest.raises(SettingsError, match="names no year"):
        parse_years("")


def test_cli_fails_fast_on_malformed_dsn():
    env = {"PATH": "/usr/bin:/bin", "FLIGHTLAKE_WAREHOUSE_DSN": "postgres://user@/nodb"}
    result = subprocess.run(
        [sys.executable, "-m", "flightlake", "status"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "FLIGHTLAKE_WAREHOUSE_DSN" in result.stderr
    assert "Traceback" not in result.stderr
