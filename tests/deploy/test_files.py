"""What a deploy uploads, built without AWS: the wheel, plugins.zip, requirements.txt, startup.sh,
and the FLIGHTLAKE_* environment they carry."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest

from flightlake.deploy import mwaa_files, names
from flightlake.deploy.artifacts import MissingProjectFile, build_artifacts
from flightlake.deploy.names import DeployNameError, check_deployment_name
from flightlake.deploy.plan import NONE, OBJECT, UPLOAD, Pending, Plan, PlannedAction
from flightlake.deploy.runtime_env import format_years, glue_job_environment, mwaa_environment
from flightlake.deploy.wheel import build_wheel
from flightlake.settings import load_settings, parse_years
from tests.conftest import REPO

ROLE = "arn:aws:iam::123456789012:role/flightlake-warehouse-CopyRole-1A2B3C"


def test_the_wheel_is_reproducible_and_holds_only_what_runs_on_aws(built_wheel, tmp_path):
    again = build_wheel(REPO, tmp_path)
    assert again.name == built_wheel.name and again.name.startswith("flightlake-")
    assert again.read_bytes() == built_wheel.read_bytes()
    with zipfile.ZipFile(built_wheel) as wheel:
        files = set(wheel.namelist())
        metadata = next(n for n in files if n.endswith(".dist-info/METADATA"))
        assert "Requires-Python: >=3.11" in wheel.read(metadata).decode()
    for module in (
        "settings/__init__", "errors", "lake/tables", "lake/catalog", "lake/schemas", "lake/aws", "lake/publish",
        "spark/session", "spark/job", "spark/transforms/raw_to_stage", "pipeline/raw_to_stage",
        "pipeline/stage_to_analytics", "pipeline/runtimes/glue", "warehouse/redshift", "reporting/charts",
    ):  # fmt: skip
        assert f"flightlake/{module}.py" in files
    assert {"flightlake/warehouse/sql/load_airport_daily.sql", "flightlake/reporting/templates/dashboard.html"} <= files
    for local_only in ("local/", "deploy/", "datagen/", "cli/", "__main__.py"):
        assert not any(name.startswith(f"flightlake/{local_only}") for name in files), local_only
    assert not any(name.endswith("entry_points.txt") for name in files)  # no `flightlake` command on AWS
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in files)
    assert not (REPO / "build").exists()  # the checkout is not touched


def test_plugins_zip_is_byte_reproducible_and_holds_only_the_wheel(built_wheel):
    first = mwaa_files.plugins_zip(built_wheel)
    assert first == mwaa_files.plugins_zip(built_wheel)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        (info,) = archive.infolist()
        assert info.filename == built_wheel.name and info.date_time == (1980, 1, 1, 0, 0, 0)
        assert archive.read(info) == built_wheel.read_bytes()


def test_requirements_pin_the_lock_versions_under_the_airflow_constraints():
    pins = mwaa_files.runtime_pins(REPO / "pyproject.toml", REPO / "requirements" / "lock.txt")
    lock = (REPO / "requirements" / "lock.txt").read_text()
    assert len(pins) >= 8
    for pin in pins:
        name, version = pin.split("==")
        assert f"{name.split('[')[0]}=={version} " in lock, pin
    assert any(pin.startswith("psycopg[binary]==") for pin in pins)
    assert not any(pin.startswith(("pyspark", "apache-airflow")) for pin in pins)
    text = mwaa_files.requirements_txt("flightlake-0.1.0-py3-none-any.whl", "ab" * 32, pins).decode()
    lines = text.splitlines()
    assert lines[1] == f"# flightlake wheel sha256: {'ab' * 32}"
    assert lines[2] == (
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-3.3.1/constraints-3.12.txt"'
    )
    assert lines[3] == "/usr/local/airflow/plugins/flightlake-0.1.0-py3-none-any.whl"
    assert lines[4:] == sorted(pins, key=str.lower)


def test_a_dependency_missing_from_the_lock_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["rich>=13", "nothere>=1"]\n')
    (tmp_path / "lock.txt").write_text("rich==14.3.4 \\\n    --hash=sha256:00\n")
    with pytest.raises(mwaa_files.PinError, match="nothere has no version"):
        mwaa_files.runtime_pins(tmp_path / "pyproject.toml", tmp_path / "lock.txt")


def test_startup_script_exports_read_back_as_the_same_settings(tmp_path):
    settings = load_settings(
        {
            "FLIGHTLAKE_RAW_BUCKET": "acme-raw",
            "FLIGHTLAKE_STAGE_PREFIX": "lake v2/it's",
            "FLIGHTLAKE_YEARS": "2012,2014-2015",
        }
    )
    env = mwaa_environment(settings, "acme-wg", ROLE)
    template = (REPO / "deploy" / "mwaa" / "startup.sh.template").read_text()
    script = tmp_path / "startup.sh"
    script.write_bytes(mwaa_files.startup_script(template, env))
    shown = subprocess.run(
        ["sh", "-c", f". {script} && env"], capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}
    ).stdout
    exported = dict(line.split("=", 1) for line in shown.splitlines() if line.startswith("FLIGHTLAKE_"))
    assert exported == env
    on_mwaa = load_settings(exported)
    assert on_mwaa.runtime == "glue" and on_mwaa.warehouse == "redshift"
    assert on_mwaa.zone("raw").bucket == "acme-raw" and on_mwaa.zone("stage").prefix == "lake v2/it's"
    assert (on_mwaa.redshift_workgroup, on_mwaa.redshift_copy_role_arn) == ("acme-wg", ROLE)
    assert on_mwaa.years == (2012, 2014, 2015)
    assert on_mwaa.glue_databases == settings.glue_databases


def test_glue_and_mwaa_carry_the_same_lake():
    settings = load_settings({"FLIGHTLAKE_ANALYTICS_BUCKET": "acme-analytics"})
    glue = glue_job_environment(settings)
    assert glue.items() <= mwaa_environment(settings, "wg", ROLE).items()
    assert glue["FLIGHTLAKE_RUNTIME"] == "glue"  # or the jobs would start a local Spark on Glue
    assert "FLIGHTLAKE_RAW_PREFIX" not in glue  # unset prefixes are left out, not sent empty


@pytest.mark.parametrize("text", ["2009-2018", "2013", "2012,2014", "2009-2010,2012,2015-2018"])
def test_format_years_is_the_inverse_of_parse_years(text):
    assert format_years(parse_years(text)) == text


def test_artifacts_are_the_checkout_files_plus_what_mwaa_and_glue_install(built_wheel, tmp_path):
    project = tmp_path / "checkout"
    for part in ("dags", "spark_jobs", "deploy", "pyproject.toml", "requirements/lock.txt"):
        (project / part).parent.mkdir(parents=True, exist_ok=True)
        copy = shutil.copytree if (REPO / part).is_dir() else shutil.copy2
        copy(REPO / part, project / part)
    (project / "dags" / "__pycache__").mkdir(exist_ok=True)
    (project / "dags" / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"\0")
    (project / "dags" / ".hidden").write_text("editor state")
    settings = load_settings({})
    pending = Pending("warehouse stack output CopyRoleArn")
    artifacts = {a.key: a for a in build_artifacts(project, built_wheel, settings, "wg", pending)}
    assert not [k for k in artifacts if "__pycache__" in k or "/." in k]
    assert artifacts["dags/flights_etl.py"].body == (project / "dags" / "flights_etl.py").read_bytes()
    assert artifacts[f"glue/{built_wheel.name}"].body == built_wheel.read_bytes()
    assert artifacts[names.STARTUP_KEY].body is None and artifacts[names.STARTUP_KEY].pending == pending
    known = {a.key: a for a in build_artifacts(project, built_wheel, settings, "wg", ROLE)}
    assert f"export FLIGHTLAKE_REDSHIFT_COPY_ROLE_ARN={ROLE}" in known[names.STARTUP_KEY].body.decode()
    (project / "spark_jobs" / "raw_to_stage.py").unlink()
    with pytest.raises(MissingProjectFile, match=r"spark_jobs/raw_to_stage\.py"):
        build_artifacts(project, built_wheel, settings, "wg", ROLE)


@pytest.mark.parametrize("name", ["flightlake", "dev-1", "abc"])
def test_deployment_names_that_fit_bucket_and_stack_names(name):
    assert check_deployment_name(name) == name


@pytest.mark.parametrize("name", ["ab", "Flightlake", "1lake", "lake-", "a--b", "x" * 21, "with_underscore"])
def test_deployment_names_that_do_not(name):
    with pytest.raises(DeployNameError):
        check_deployment_name(name)


def test_a_plan_renders_changes_and_counts_them():
    plan = Plan(
        "demo",
        "us-east-1",
        (
            PlannedAction(OBJECT, "s3://b/dags/a.py", UPLOAD, "content changed", ("sha256 1",)),
            PlannedAction(OBJECT, "s3://b/dags/b.py", NONE, "unchanged"),
        ),
    )
    assert [a.target for a in plan.changes] == ["s3://b/dags/a.py"]
    lines = plan.render()
    assert lines[0] == "Plan for deployment 'demo' in us-east-1: 1 change(s) (1 object upload)"
    assert lines[1].startswith("* object upload  s3://b/dags/a.py") and lines[2].strip() == "sha256 1"
    assert lines[3].startswith("  object none    s3://b/dags/b.py")
    assert len(plan.render(show_unchanged=False)) == 3
