"""docker-compose.yml: valid Compose, and built to our rules (health, ports, secrets, mounts)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any

import pytest

from tests.compose.conftest import (
    COMPOSE_FILE,
    REPO,
    MissingVariable,
    env_example_names,
    generated_env,
    interpolate,
    load_compose,
    variables_in,
)

# The Compose Specification's JSON schema, as vendored by check-jsonschema (in requirements/lock.txt)
# from github.com/compose-spec/compose-spec, with the sha256 it ships beside it.
SCHEMA_DIR = ("builtin_schemas", "vendor")

ONE_SHOT = {"emulator-init", "airflow-init", "superset-init"}
LOG_SERVER_PORTS = {"8793", "8794"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|FERNET|PRIVATE|_KEY$|_KEY_ID$")


def compose_schema() -> dict[str, Any]:
    """The schema check-jsonschema vendors, checked against the checksum it vendors with it."""
    from importlib.resources import files

    vendor = files("check_jsonschema").joinpath(*SCHEMA_DIR)
    raw = vendor.joinpath("compose-spec.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == vendor.joinpath("sha256", "compose-spec.sha256").read_text().split()[0]
    return json.loads(raw)


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """A .env as a user gets it from docker/gen-env.sh."""
    return generated_env(tmp_path_factory.mktemp("env"))


@pytest.fixture(scope="module")
def compose(env) -> dict[str, Any]:
    return load_compose(env)


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


def test_valid_against_the_compose_specification_schema(compose):
    import jsonschema

    schema = compose_schema()
    assert "healthcheck" in schema["$defs"] and "service_completed_successfully" in json.dumps(schema)
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])
    # The raw file too (before interpolation), and a broken one must fail: the check has teeth.
    assert not list(validator.iter_errors(load_compose()))
    broken = json.loads(json.dumps(compose))
    broken["services"]["emulator"]["healthcheck"]["intervall"] = "5s"
    broken["services"]["postgres"]["depends_on"] = {"emulator": {"condition": "service_up"}}
    assert len(list(validator.iter_errors(broken))) >= 2


def test_the_expected_services_exist(services):
    core = {
        "emulator", "emulator-init", "postgres", "airflow-db", "spark-master", "spark-worker", "airflow-init",
        "airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
    }  # fmt: skip
    assert core <= set(services)
    assert services["superset"]["profiles"] == ["superset"] and services["superset-init"]["profiles"] == ["superset"]
    assert services["localstack"]["profiles"] == ["localstack"]
    assert not any("profiles" in services[name] for name in core), "the default `up` must start the core"


def test_every_service_is_health_checked_or_a_waited_for_one_shot(services):
    waited_for: set[str] = set()
    for service in services.values():
        for name, condition in (service.get("depends_on") or {}).items():
            if condition["condition"] == "service_completed_successfully":
                waited_for.add(name)
    for name, service in services.items():
        if name in ONE_SHOT:
            assert "healthcheck" not in service, f"{name} exits; a health check would never pass"
            assert name in waited_for, f"{name}: nobody waits for it with service_completed_successfully"
            assert service.get("restart") == "no", f"{name} must not be restarted after it finished"
        else:
            check = service.get("healthcheck")
            assert check and check.get("test") and not check.get("disable"), f"{name} has no health check"
            assert check["test"][0] in ("CMD", "CMD-SHELL"), name
            assert {"interval", "timeout", "retries", "start_period"} <= set(check), name


def test_no_health_check_uses_start_interval(services):
    # Found by the first real `up` (make compose-check): Docker Compose refuses to create any
    # container with start_interval on Podman (API 1.41) and Docker engines before 25.
    for name, service in services.items():
        assert "start_interval" not in (service.get("healthcheck") or {}), name


def test_depends_on_always_names_a_condition_that_fits_the_target(services):
    for name, service in services.items():
        depends = service.get("depends_on")
        if depends is None:
            continue
        assert isinstance(depends, dict), f"{name}: depends_on must be the long form with conditions"
        for target, spec in depends.items():
            assert target in services, f"{name} depends on unknown {target}"
            expected = "service_completed_successfully" if target in ONE_SHOT else "service_healthy"
            assert spec.get("condition") == expected, f"{name} -> {target}: {spec}"
            if "profiles" not in service:
                assert "profiles" not in services[target], f"{name} waits for {target}, which a plain `up` skips"


def test_the_scheduler_waits_for_everything_a_dag_run_needs(services):
    needs = set(services["airflow-scheduler"]["depends_on"])
    assert {"airflow-init", "airflow-api-server", "emulator-init", "postgres", "spark-worker"} <= needs
    assert set(services["spark-worker"]["depends_on"]) == {"spark-master"}
    assert set(services["emulator-init"]["depends_on"]) == {"emulator"}


def _published(service: dict[str, Any]) -> list[str]:
    ports = []
    for port in service.get("ports", []):
        assert isinstance(port, str), "use the short `host_ip:host:container` form, it states the address"
        ports.append(port)
    return ports


def test_published_ports_bind_to_loopback_only(services):
    published = {name: _published(service) for name, service in services.items()}
    assert published["airflow-api-server"] and published["emulator"] and published["postgres"]
    for name, ports in published.items():
        for port in ports:
            assert re.fullmatch(r"127\.0\.0\.1:\d+:\d+", port), f"{name} publishes {port!r} beyond 127.0.0.1"
    assert not {"expose", "network_mode"} & {key for s in services.values() for key in s}


def test_airflow_log_servers_stay_on_the_internal_network(services):
    raw = COMPOSE_FILE.read_text()
    comment = " ".join(line.strip(" #") for line in raw.splitlines())
    assert "never published" in comment and "8793" in raw and "8794" in raw  # the comment says so
    for name, service in services.items():
        for port in _published(service):
            assert port.rsplit(":", 1)[-1] not in LOG_SERVER_PORTS, f"{name} publishes a task log server"


def test_bind_mount_sources_exist_in_the_repo(services):
    sources = []
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith(("./", "../", "/")):
                assert not source.startswith(("/", "../")), f"{name} mounts {source} from outside the repo"
                assert (REPO / source).exists(), f"{name} mounts {source}, which does not exist"
                sources.append(source)
    assert {"./dags", "./spark_jobs", "./src", "./postgres_init"} <= set(sources)
    assert "./postgres_init" in [v.split(":")[0] for v in services["postgres"]["volumes"]]
    assert "./postgres_init:/docker-entrypoint-initdb.d:ro" in services["postgres"]["volumes"]


def test_named_volumes_are_declared(compose):
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses undeclared volume {source}"


def test_no_secret_is_written_in_the_file(env):
    raw = load_compose()  # before interpolation: what is committed
    secret_names, _ = env_example_names()

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}/{index}")
        elif isinstance(node, str):
            key = path.rsplit("/", 1)[-1]
            if SECRET_NAME.search(key) and "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS" not in path:
                refs = variables_in(node)
                assert refs and re.fullmatch(r"\$\{[A-Z0-9_]+(:\?[^}]*|:-)?\}", node), f"{path}: literal {node!r}"
            for match in re.finditer(r"://([^:/@\s]+):([^@\s]+)@", node):
                assert match.group(2).startswith("${"), f"{path}: a password in a URL: {node!r}"

    walk(raw, "")
    text = COMPOSE_FILE.read_text()
    for value in env.values():
        if len(value) >= 16:
            assert value not in text
    for name in secret_names:
        assert f"${{{name}:?" in text, f"{name} must be required with ${{{name}:?...}}"
    for token in re.findall(r"[A-Za-z0-9+/_=-]{32,}", text):
        assert not (re.search(r"\d", token) and re.search(r"[A-Za-z]", token)), f"a key-like literal: {token}"


def test_every_variable_is_documented_in_env_example_and_secrets_are_required():
    secret_names, documented = env_example_names()
    used = variables_in(COMPOSE_FILE.read_text())
    assert used - documented == set(), f"undocumented in .env.example: {sorted(used - documented)}"
    assert secret_names <= used, f".env.example lists secrets compose never uses: {sorted(secret_names - used)}"
    with pytest.raises(MissingVariable, match=r"run sh docker/gen-env\.sh"):
        load_compose({})  # no .env: compose refuses, naming the variable
    assert interpolate("$${HOSTNAME}", {}) == "${HOSTNAME}"


def test_images_are_pinned(services):
    for name, service in services.items():
        image = service.get("image")
        assert image, f"{name} names no image"
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin the image tag ({image})"
    assert services["localstack"]["image"] == "localstack/localstack:4.14.0"
    postgres_major = int(re.search(r":(\d+)", services["postgres"]["image"]).group(1))
    assert postgres_major >= 15 and services["airflow-db"]["image"] == services["postgres"]["image"]
    project = [n for n, s in services.items() if s.get("image") == "flightlake:local"]
    assert {"emulator", "spark-master", "spark-worker", "airflow-scheduler"} <= set(project)
    for name in project:
        assert services[name]["build"]["context"] == "." and services[name].get("init") is True


def test_entry_points_are_the_scripts_in_scripts_services(services):
    def command(name: str) -> list[str]:
        return services[name]["command"]

    assert command("emulator") == ["/opt/flightlake/scripts/services/emulator.sh"]
    assert command("emulator-init")[-1] == "/opt/flightlake/localstack/init/ready.d/10-flightlake-init.sh"
    assert command("spark-master")[1:] == ["master"] and command("spark-worker")[1:2] == ["worker"]
    for component in ("init", "api-server", "scheduler", "dag-processor", "triggerer"):
        assert command(f"airflow-{component}") == ["/opt/flightlake/scripts/services/airflow.sh", component]
    used = set()
    for service in services.values():
        for word in [*service.get("command", []), *service.get("healthcheck", {}).get("test", [])]:
            match = re.match(r"/opt/flightlake/(scripts/services/[\w.-]+)$", str(word))
            if match:
                used.add(match.group(1))
    assert used >= {"scripts/services/emulator.sh", "scripts/services/spark.sh", "scripts/services/airflow.sh"}
    for path in used:
        assert os.access(REPO / path, os.X_OK), f"{path} is not executable (the image copies it as is)"


def test_airflow_is_configured_like_mwaa_with_postgres_metadata(services):
    env = services["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://airflow:")
    assert "@airflow-db:5432/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-api-server:8080/execution/"
    assert env["FLIGHTLAKE_SPARK_MASTER"] == "spark://spark-master:7077"
    assert env["AWS_ENDPOINT_URL"] == "http://emulator:4566"
    assert re.fullmatch(r"postgresql://flightlake:[0-9a-f]+@postgres:5432/flightlake", env["FLIGHTLAKE_WAREHOUSE_DSN"])
    assert env["SPARK_LOCAL_IP"] == services["airflow-scheduler"]["hostname"] == "airflow-scheduler"
    airflow = [n for n in services if n.startswith("airflow-") and n != "airflow-db"]
    secrets = {services[n]["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"] for n in airflow}
    assert len(secrets) == 1 and len(secrets.pop()) >= 32, "one JWT secret shared by every component"
    for name in airflow:
        mounts = services[name]["volumes"]
        assert "./dags:/opt/flightlake/dags:ro" in mounts and "./spark_jobs:/opt/flightlake/spark_jobs:ro" in mounts
    assert services["airflow-api-server"]["environment"]["AIRFLOW_API_HOST"] == "0.0.0.0"

    from flightlake.settings import load_settings

    settings = load_settings(env)  # the settings module accepts what compose hands it
    assert settings.s3_endpoint == "http://emulator:4566" and settings.spark_master == "spark://spark-master:7077"


def test_the_emulator_keeps_its_store_on_a_volume(services):
    emulator = services["emulator"]
    assert "emulator-data:/data" in emulator["volumes"]
    assert emulator["environment"]["EMULATOR_STORE_DIR"] == "/data/store"
    assert "stop_grace_period" not in emulator  # nothing to save on the way down: the default 10 s will do
