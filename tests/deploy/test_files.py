"""What a deploy is made of, built without AWS: environment files and the names derived from them,
the wheel, plugins.zip, requirements.txt, the release (its id, manifest and startup.sh), the plan."""

from __future__ import annotations

import io
import json
import re
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

from flightlake.deploy import ci, mwaa_files, names
from flightlake.deploy.environments import (
    EnvironmentFileError,
    check_name,
    environment_names,
    load_all,
    load_environment,
)
from flightlake.deploy.names import Names
from flightlake.deploy.plan import NONE, OBJECT, UPLOAD, Plan, PlannedAction
from flightlake.deploy.release import MissingProjectFile, build_release
from flightlake.deploy.runtime_env import format_years, glue_job_environment, mwaa_environment
from flightlake.deploy.stacks import ReleasePointer, StackInputs, airflow_parameters, subnet_cidrs
from flightlake.deploy.wheel import build_wheel
from flightlake.pipeline.registry import glue_job_name
from flightlake.settings import load_settings, parse_years
from tests.conftest import REPO
from tests.deploy.conftest import copy_project


def write_env(root: Path, name: str, text: str) -> Path:
    path = root / "deploy" / "environments" / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


MINIMAL = (
    'account = "111122223333"\nregion = "eu-west-1"\navailability_zone_ids = ["euw1-az1", "euw1-az2", "euw1-az3"]\n'
)


def test_the_committed_environments_load_and_never_share_a_name():
    envs = load_all(REPO)
    assert [e.name for e in envs] == ["dev", "prod", "staging"]
    derived = [Names(e) for e in envs]
    for attribute in ("deployment", "artifacts_bucket", "logs_bucket", "workgroup", "copy_role_name", "lake_prefix"):
        values = [getattr(n, attribute) for n in derived]
        assert len(set(values)) == len(values), attribute
    assert len({db for n in derived for db in n.glue_databases.values()}) == 9
    assert len({n.env.vpc_cidr for n in derived}) == 3  # peering later stays possible
    prod = load_environment(REPO, "prod")
    assert (prod.webserver_access, prod.max_rpu, prod.alert_emails) == (
        "PRIVATE_ONLY",
        16,
        ("flightlake-oncall@example.com",),
    )


def test_names_derive_from_the_environment_and_fit_aws_limits(tmp_path):
    write_env(tmp_path, "qa-eu", MINIMAL + 'bucket_prefix = "acme-lake"\n')
    n = Names(load_environment(tmp_path, "qa-eu"))
    assert n.stack("storage") == "flightlake-qa-eu-storage"
    assert n.zone_bucket("raw") == "acme-lake-qa-eu-raw"
    assert n.glue_databases["raw"] == "flightlake_qa_eu_raw"
    assert n.glue_job("0123456789ab", "raw_to_stage") == "flightlake-qa-eu-0123456789ab-raw-to-stage"
    assert n.copy_role_arn == "arn:aws:iam::111122223333:role/flightlake-qa-eu-redshift-copy"
    assert n.alert_topic_arn == "arn:aws:sns:eu-west-1:111122223333:flightlake-qa-eu-alerts"
    longest = Names(load_environment(tmp_path, "qa-eu"))
    assert len(longest.artifacts_bucket) <= 63 and len(longest.logs_bucket) <= 63
    default = write_env(tmp_path, "zz", MINIMAL)
    assert (
        Names(load_environment(tmp_path, default.stem)).zone_bucket("analytics")
        == "flightlake-111122223333-zz-analytics"
    )


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ('account = "12345"\n', "12-digit AWS account id"),
        ('region = "moon-1"\n', "region name"),
        ('availability_zone_ids = ["euw1-az1", "euw1-az1", "euw1-az2"]\n', "three different AZ IDs"),
        ('vpc_cidr = "10.0.0.0/8"\n', "/16"),
        ("[warehouse]\nmax_rpu = 12\n", "multiple of 8"),
        ('[airflow]\nwebserver_access = "OPEN"\n', "PRIVATE_ONLY, PUBLIC_ONLY"),
        ('[alerts]\nemails = ["nobody"]\n', "not e-mail addresses"),
        ("[glue]\nworkerz = 2\n", "unknown key(s) glue.workerz"),
        ("keep_releases = 1\n", "between 2 and 50"),
        ('years = "2018-2009"\n', "backwards"),
    ],
)
def test_a_bad_environment_file_names_the_file_the_key_and_the_fix(tmp_path, extra, fragment):
    lines = {line.split(" =")[0]: line for line in MINIMAL.splitlines()}
    head = extra.splitlines()[0].split(" =")[0]
    text = "\n".join(line for key, line in lines.items() if key != head) + "\n" + extra
    write_env(tmp_path, "bad", text)
    with pytest.raises(EnvironmentFileError, match=r"bad\.toml") as raised:
        load_environment(tmp_path, "bad")
    assert fragment in str(raised.value)


def test_an_unknown_environment_says_which_exist(tmp_path):
    write_env(tmp_path, "dev", MINIMAL)
    with pytest.raises(EnvironmentFileError, match=r"no environment 'qa'.*environments: dev"):
        load_environment(tmp_path, "qa")
    assert environment_names(tmp_path) == ["dev"]
    for bad in ("Prod", "a", "x--y", "with_underscore", "waytoolongname1"):
        with pytest.raises(EnvironmentFileError):
            check_name(bad)


def test_the_wheel_is_reproducible_and_holds_only_what_runs_on_aws(built_wheel, tmp_path):
    again = build_wheel(REPO, tmp_path)
    assert again.name == built_wheel.name and again.read_bytes() == built_wheel.read_bytes()
    with zipfile.ZipFile(built_wheel) as wheel:
        files = set(wheel.namelist())
    for module in (
        "settings/__init__",
        "lake/aws",
        "spark/job",
        "pipeline/registry",
        "pipeline/spark_application",
        "pipeline/steps/raw_to_stage",
        "pipeline/alerts",
        "warehouse/redshift",
    ):
        assert f"flightlake/{module}.py" in files
    assert "flightlake/reporting/data/airports.csv" in files  # chart titles name airports on AWS too
    for local_only in ("local/", "deploy/", "datagen/", "explore/", "cli/", "__main__.py"):
        assert not any(name.startswith(f"flightlake/{local_only}") for name in files), local_only
    assert not any(name.endswith("entry_points.txt") for name in files)
    assert not (REPO / "build").exists()


def test_plugins_zip_and_requirements_are_byte_reproducible(built_wheel):
    first = mwaa_files.plugins_zip(built_wheel)
    assert first == mwaa_files.plugins_zip(built_wheel)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        (info,) = archive.infolist()
        assert info.filename == built_wheel.name and info.date_time == (1980, 1, 1, 0, 0, 0)
    pins = mwaa_files.runtime_pins(REPO / "pyproject.toml", REPO / "requirements" / "lock.txt")
    lines = mwaa_files.requirements_txt(built_wheel.name, "ab" * 32, pins).decode().splitlines()
    assert lines[2] == f'--constraint "{names.AIRFLOW_CONSTRAINTS_URL}"'
    assert lines[3] == f"/usr/local/airflow/plugins/{built_wheel.name}" and lines[4:] == sorted(pins, key=str.lower)


def test_a_release_has_one_id_for_one_content_and_every_environment_in_its_startup_script(built_wheel, tmp_path):
    project = copy_project(tmp_path / "checkout")
    envs = load_all(project)
    first = build_release(project, built_wheel, envs, git="v1")
    again = build_release(project, built_wheel, envs, git="v2")
    assert first.release_id == again.release_id and first.version == f"v1-{first.release_id}"
    assert [f.body for f in first.files if f.path != "startup.sh" and f.path != "manifest.json"] == [
        f.body for f in again.files if f.path != "startup.sh" and f.path != "manifest.json"
    ]
    manifest = json.loads(first.file("manifest.json").body)
    assert manifest["environments"] == ["dev", "prod", "staging"]
    assert set(manifest["files"]) == {f.path for f in first.files} - {"manifest.json"}
    assert manifest["ddl"][-1].endswith("grants.sql") and manifest["ddl"][0].startswith("ddl/00-")
    dag = project / "dags" / "flights_etl.py"
    dag.write_bytes(dag.read_bytes() + b"# changed\n")
    assert build_release(project, built_wheel, envs, git="v1").release_id != first.release_id
    (project / "spark_jobs" / "run_step.py").unlink()
    with pytest.raises(MissingProjectFile, match=r"spark_jobs/run_step\.py"):
        build_release(project, built_wheel, envs)


def test_startup_script_exports_each_environments_settings_and_names_the_releases_jobs(built_wheel, tmp_path):
    project = copy_project(tmp_path / "checkout")
    release = build_release(project, built_wheel, load_all(project), git="t")
    script = tmp_path / "startup.sh"
    script.write_bytes(release.file("startup.sh").body)
    seen = {}
    for env in ("dev", "prod", "unknown"):
        shown = subprocess.run(["sh", "-c", f". {script} && env"], capture_output=True, text=True, check=True,
                               env={"PATH": "/usr/bin:/bin", "AIRFLOW_ENV_NAME": f"flightlake-{env}"})  # fmt: skip
        seen[env] = dict(line.split("=", 1) for line in shown.stdout.splitlines() if line.startswith("FLIGHTLAKE_"))
        if env == "unknown":
            assert "no settings for MWAA environment 'flightlake-unknown'" in shown.stderr
    assert seen["unknown"] == {"FLIGHTLAKE_RELEASE": release.version}
    dev = Names(load_environment(project, "dev"))
    assert seen["dev"] == {**mwaa_environment(dev, release.release_id), "FLIGHTLAKE_RELEASE": release.version}
    on_mwaa = load_settings(seen["prod"])  # no endpoint: as on AWS, the region is explicit
    assert (on_mwaa.runtime, on_mwaa.warehouse, on_mwaa.region) == ("glue", "redshift", "us-east-1")
    assert (
        glue_job_name(on_mwaa.glue_job_prefix, "raw_to_stage") == f"flightlake-prod-{release.release_id}-raw-to-stage"
    )
    assert on_mwaa.alert_topic_arn.endswith(":flightlake-prod-alerts") and on_mwaa.release == release.version
    assert glue_job_environment(dev).items() <= seen["dev"].items()


def test_settings_on_aws_never_fall_back_to_a_region():
    with pytest.raises(Exception, match="no AWS region"):
        load_settings({"FLIGHTLAKE_RUNTIME": "glue"})
    assert load_settings({"FLIGHTLAKE_RUNTIME": "glue", "FLIGHTLAKE_REGION": "eu-west-1"}).region == "eu-west-1"
    assert (
        load_settings({"FLIGHTLAKE_RUNTIME": "glue", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}).region == "us-east-1"
    )


def test_airflow_points_mwaa_at_one_release_with_its_object_versions():
    n = Names(load_environment(REPO, "dev"))
    versions = {"plugins.zip": "vP", "requirements.txt": "vR", "startup.sh": "vS"}
    inputs = StackInputs(n, {}, ReleasePointer("v1-abc", versions), "arn:wg", ("a", "b", "c"))
    parameters = airflow_parameters(inputs)
    assert parameters["ReleasePrefix"] == "releases/v1-abc"
    assert (parameters["PluginsVersion"], parameters["RequirementsVersion"], parameters["StartupScriptVersion"]) == (
        "vP", "vR", "vS",
    )  # fmt: skip
    assert parameters["WebserverAccessMode"] == "PRIVATE_ONLY" and parameters["EnvironmentClass"] == "mw1.micro"
    assert subnet_cidrs("10.44.0.0/16") == {"PublicSubnetCidr": "10.44.0.0/24", "PrivateSubnet1Cidr": "10.44.10.0/24",
                                            "PrivateSubnet2Cidr": "10.44.11.0/24", "PrivateSubnet3Cidr": "10.44.12.0/24"}  # fmt: skip


@pytest.mark.parametrize("text", ["2009-2018", "2013", "2012,2014", "2009-2010,2012,2015-2018"])
def test_format_years_is_the_inverse_of_parse_years(text):
    assert format_years(parse_years(text)) == text


def test_a_plan_renders_its_status_changes_and_counts():
    plan = Plan(
        "flightlake-demo",
        "us-east-1",
        (
            PlannedAction(OBJECT, "s3://b/dags/a.py", UPLOAD, "new", ("sha256 1",)),
            PlannedAction(OBJECT, "s3://b/dags/b.py", NONE, "stored"),
        ),
        ("release: none yet",),
    )
    lines = plan.render()
    assert lines[0] == "Plan for deployment 'flightlake-demo' in us-east-1: 1 change(s) (1 object upload)"
    assert lines[1] == "  release: none yet"
    assert lines[2].startswith("* object upload  s3://b/dags/a.py") and lines[3].strip() == "sha256 1"
    assert len(plan.render(show_unchanged=False)) == 4


def test_the_environment_files_hold_no_secret():
    for path in sorted((REPO / "deploy" / "environments").glob("*.toml")):
        data = tomllib.loads(path.read_text())
        keys = [k for k, v in data.items() for k in ([k] if not isinstance(v, dict) else [f"{k}.{s}" for s in v])]
        assert not [k for k in keys if any(w in k for w in ("password", "secret", "token", "access_key"))], path
        assert not re.search(r"AKIA[0-9A-Z]{16}|-----BEGIN", path.read_text()), path


def test_the_ci_stack_is_asked_for_one_repository():
    request = ci.request(REPO, "acme/flightlake", create_provider=False)
    assert request.name == "flightlake-ci"
    assert request.parameters == {"Repository": "acme/flightlake", "CreateOidcProvider": "false"}
    with pytest.raises(ci.RepositoryName, match="expected OWNER/NAME"):
        ci.request(REPO, "https://github.com/acme/flightlake", create_provider=True)
