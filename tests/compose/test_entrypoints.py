"""The containers' entry points (scripts/services/, the init hook, postgres_init/) run natively.

Each service of docker-compose.yml starts through one of these scripts; here they run on
loopback with free ports and temporary directories, and each test checks real outcomes.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flightlake.local.stack.processes import free_port
from tests.compose.conftest import REPO, SERVICES_DIR, Service, base_env, script_ok, wait_for

pytestmark = pytest.mark.integration

HOOK = REPO / "localstack" / "init" / "ready.d" / "10-flightlake-init.sh"


def _emulator_env(port: int, store: Path) -> dict[str, str]:
    return {
        **base_env(),
        "EMULATOR_HOST": "127.0.0.1",
        "EMULATOR_PORT": str(port),
        "EMULATOR_STORE_DIR": str(store),
        "AWS_ACCESS_KEY_ID": "FL" + secrets.token_hex(9).upper(),
        "AWS_SECRET_ACCESS_KEY": secrets.token_hex(24),
        "AWS_REGION": "us-east-1",
    }


def _start_emulator(env: dict[str, str], log: Path, services: list[Service]) -> Service:
    emulator = Service(["sh", str(SERVICES_DIR / "emulator.sh")], env, log)
    services.append(emulator)
    healthy = partial(lambda: script_ok(["sh", str(SERVICES_DIR / "emulator.sh"), "healthcheck"], env).returncode == 0)
    wait_for(healthy, 60, "emulator.sh healthcheck", emulator)
    return emulator


def test_emulator_script_init_hook_and_store_across_a_restart(tmp_path, services):
    import boto3

    port = free_port(0)
    store = tmp_path / "data" / "store"
    env = _emulator_env(port, store)
    health = ["sh", str(SERVICES_DIR / "emulator.sh"), "healthcheck"]
    assert script_ok(health, env).returncode != 0  # nothing running, no marker
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ready").write_text("stale")  # left by a killed container
    assert script_ok(health, env).returncode != 0  # marker alone is not health: the server must answer

    emulator = _start_emulator(env, tmp_path / "emulator.log", services)

    hook_env = {**env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "FLIGHTLAKE_SRC": str(REPO / "src")}
    first = script_ok(["sh", str(HOOK)], hook_env)
    assert first.returncode == 0, first.stderr
    assert "lake ready" in first.stdout and "created: flightlake-raw" in first.stdout
    again = script_ok(["sh", str(HOOK)], hook_env)  # the hook is safe to run twice
    assert again.returncode == 0 and "created" not in again.stdout

    session = boto3.session.Session(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1")
    s3 = session.client("s3", endpoint_url=hook_env["AWS_ENDPOINT_URL"])
    glue = session.client("glue", endpoint_url=hook_env["AWS_ENDPOINT_URL"])
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert buckets == {"flightlake-raw", "flightlake-stage", "flightlake-analytics", "flightlake-reports"}
    databases = {d["Name"] for d in glue.get_databases()["DatabaseList"]}
    assert databases == {"flightlake_raw", "flightlake_stage", "flightlake_analytics"}
    s3.put_object(Bucket="flightlake-raw", Key="compose/2013.csv", Body=b"FL_DATE,ORIGIN\n2013-01-01,JFK\n")
    unsigned = urllib.request.Request(
        f"{hook_env['AWS_ENDPOINT_URL']}/flightlake-raw/compose/x.csv", b"x", method="PUT"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:  # only the keys of .env are accepted
        urllib.request.urlopen(unsigned, timeout=10)
    assert refused.value.code == 403 and b"<Code>AccessDenied</Code>" in refused.value.read()

    # `docker compose stop` sends SIGTERM (through tini): nothing to save, exit 0.
    assert emulator.stop() == 0
    assert (store / "journal.sqlite3").exists() and not (tmp_path / "data" / "ready").exists()
    assert "nothing to save" in emulator.output()

    _start_emulator(env, tmp_path / "emulator2.log", services)
    body = s3.get_object(Bucket="flightlake-raw", Key="compose/2013.csv")["Body"].read()
    assert body == b"FL_DATE,ORIGIN\n2013-01-01,JFK\n"
    assert {d["Name"] for d in glue.get_databases()["DatabaseList"]} == databases


def test_the_emulator_does_not_start_without_the_keys_it_accepts(tmp_path):
    env = {key: value for key, value in _emulator_env(free_port(0), tmp_path / "store").items() if "SECRET" not in key}
    started = script_ok(["sh", str(SERVICES_DIR / "emulator.sh")], env, timeout=60)
    assert started.returncode == 2
    assert (
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set" in started.stderr and "gen-env.sh" in started.stderr
    )


SPARK_JOB = """
import json, sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master(sys.argv[1]).appName("compose-entrypoint-test")
         .config("spark.executor.memory", "512m").config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "2").getOrCreate())
squares = spark.sparkContext.parallelize(range(1000), 4).map(lambda x: x * x).sum()
rows = spark.createDataFrame([(y, d) for y in (2013, 2014) for d in range(10)], "year int, delay int")
totals = rows.groupBy("year").sum("delay").withColumnRenamed("sum(delay)", "total")
by_year = {r.year: r.total for r in totals.collect()}
executors = spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
spark.stop()
print("RESULT " + json.dumps({"squares": squares, "by_year": by_year, "executors": executors}))
"""


def test_spark_master_and_worker_from_spark_sh_run_a_job(tmp_path, services):
    ports = {name: free_port(0) for name in ("master", "master_ui", "worker_ui")}
    env = {
        **base_env(),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_MASTER_HOST": "127.0.0.1",
        "SPARK_MASTER_PORT": str(ports["master"]),
        "SPARK_MASTER_WEBUI_PORT": str(ports["master_ui"]),
        "SPARK_WORKER_WEBUI_PORT": str(ports["worker_ui"]),
        "SPARK_WORKER_DIR": str(tmp_path / "work"),
        "SPARK_WORKER_CORES": "2",
        "SPARK_WORKER_MEMORY": "1g",
        "PYSPARK_PYTHON": sys.executable,
    }
    spark_sh = ["sh", str(SERVICES_DIR / "spark.sh")]
    assert script_ok([*spark_sh, "healthcheck", "master"], env).returncode != 0  # nothing running yet
    url = f"spark://127.0.0.1:{ports['master']}"
    # Started together, as compose may: the worker retries until the master answers.
    master = Service([*spark_sh, "master"], env, tmp_path / "master.log")
    worker = Service([*spark_sh, "worker", url], env, tmp_path / "worker.log")
    services.extend([master, worker])
    wait_for(lambda: script_ok([*spark_sh, "healthcheck", "master"], env).returncode == 0, 60, "the master", master)
    wait_for(lambda: script_ok([*spark_sh, "healthcheck", "worker"], env).returncode == 0, 90, "the worker", worker)

    job = subprocess.run([sys.executable, "-c", SPARK_JOB, url], env=env, capture_output=True, text=True, timeout=180)
    assert job.returncode == 0, job.stderr[-3000:]
    result = json.loads(next(line for line in job.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert result["squares"] == sum(x * x for x in range(1000))
    assert result["by_year"] == {"2013": 45, "2014": 45}
    assert result["executors"] >= 2  # the driver plus at least one executor on the worker

    with urllib.request.urlopen(f"http://127.0.0.1:{ports['master_ui']}/json/", timeout=5) as answer:
        state = json.load(answer)
    assert state["aliveworkers"] == 1
    assert [app["name"] for app in state["completedapps"]] == ["compose-entrypoint-test"]

    assert worker.stop() is not None and master.stop() is not None
    assert worker.process.poll() is not None and master.process.poll() is not None


def test_postgres_init_runs_like_the_container_entrypoint(embedded_stack, tmp_path):
    """docker-entrypoint.sh runs each /docker-entrypoint-initdb.d/*.sql in name order with
    `psql -v ON_ERROR_STOP=1 --no-psqlrc`; here on a fresh database of the embedded Postgres."""
    import psycopg

    from flightlake.local.stack.postgres import find_bindir
    from flightlake.warehouse.postgres import apply_ddl

    dsn = embedded_stack.env["FLIGHTLAKE_WAREHOUSE_DSN"]
    database = f"compose_init_{secrets.token_hex(4)}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    fresh = dsn.rsplit("/", 1)[0] + f"/{database}"
    psql = find_bindir(embedded_stack.settings) / "psql"
    if not psql.exists():
        pytest.skip(f"no psql beside {psql.parent}")
    try:
        files = sorted((REPO / "postgres_init").glob("*.sql"))
        assert [f.name for f in files][:2] == ["01_schema.sql", "02_views.sql"]
        for path in files:
            run = subprocess.run(
                [str(psql), "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-q", "-d", fresh, "-f", str(path)],
                capture_output=True, text=True, check=False, timeout=60,
            )  # fmt: skip
            assert run.returncode == 0, f"{path.name}: {run.stderr}"
        with psycopg.connect(fresh) as conn:
            objects = dict(
                conn.execute(
                    "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'dw'"
                ).fetchall()
            )
            assert objects == {
                "airport_daily_delays": "BASE TABLE",
                "pipeline_runs": "BASE TABLE",
                "airport_year_summary": "VIEW",
                "anomalous_days": "VIEW",
            }
            key = conn.execute(
                "SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_index i JOIN pg_attribute a"
                " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = 'dw.airport_daily_delays'::regclass AND i.indisprimary"
            ).fetchone()[0]
            assert key == ["flight_date", "origin_airport"]
        # The warehouse code applies the same files over it: idempotent, as `flightlake up` needs.
        assert apply_ddl(fresh, REPO / "postgres_init") >= 5
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.mark.airflow
def test_airflow_sh_init_migrates_a_metadata_database(tmp_path):
    home = tmp_path / "airflow"
    env = {
        **base_env(),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW_BIN": str(Path(sys.executable).parent / "airflow"),
    }
    airflow_sh = ["sh", str(SERVICES_DIR / "airflow.sh")]
    run = script_ok([*airflow_sh, "init"], env, timeout=180)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    with sqlite3.connect(home / "airflow.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"dag", "dag_run", "task_instance", "job", "alembic_version"} <= tables
        assert db.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    # The job health check is real: no scheduler heartbeats in this database, so it fails.
    check = script_ok(["sh", str(SERVICES_DIR / "healthcheck.sh"), "airflow-job", "SchedulerJob"], env, timeout=120)
    assert check.returncode != 0 and "No alive jobs found" in check.stdout + check.stderr
    assert script_ok([*airflow_sh, "webserver"], env).returncode == 2  # Airflow 3 has no webserver


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def maven_repo(tmp_path):
    """A local stand-in for Maven Central serving two small 'jars'."""
    root = tmp_path / "maven"
    files = {
        "org/apache/hadoop/hadoop-aws/3.3.4/hadoop-aws-3.3.4.jar": b"PK fake hadoop-aws",
        "com/amazonaws/aws-java-sdk-bundle/1.12.262/aws-java-sdk-bundle-1.12.262.jar": b"PK fake sdk bundle",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    digests = [hashlib.sha256(data).hexdigest() for data in files.values()]
    yield f"http://127.0.0.1:{server.server_port}", digests
    server.shutdown()
    server.server_close()


def test_fetch_s3a_jars_pins_maven_central_and_falls_back_to_the_project_route(tmp_path, maven_repo):
    from flightlake.local.stack.jars import JARS, sha256

    cache = REPO / ".flightlake" / "jars"
    if not all((cache / name).exists() for name in JARS):
        pytest.skip("the project's S3A jar cache is empty (scripts/bootstrap fills it)")
    url, (hadoop_sha, sdk_sha) = maven_repo
    script = ["sh", str(REPO / "docker" / "fetch-s3a-jars.sh")]
    env = {**base_env(), "S3A_JARS_CACHE": str(cache), "MAVEN_REPO": url}

    pinned = script_ok(
        [*script, str(tmp_path / "a")], {**env, "HADOOP_AWS_SHA256": hadoop_sha, "AWS_SDK_BUNDLE_SHA256": sdk_sha}
    )
    assert pinned.returncode == 0, pinned.stderr
    assert (tmp_path / "a" / "hadoop-aws.jar").read_bytes() == b"PK fake hadoop-aws"
    assert (tmp_path / "a" / "SOURCE").read_text().startswith("maven hadoop-aws-3.3.4 aws-java-sdk-bundle-1.12.262")

    tampered = script_ok(
        [*script, str(tmp_path / "b")], {**env, "HADOOP_AWS_SHA256": sdk_sha, "AWS_SDK_BUNDLE_SHA256": sdk_sha}
    )
    assert tampered.returncode == 0 and "is not the pinned" in tampered.stderr
    unpinned = script_ok([*script, str(tmp_path / "c")], env)
    assert unpinned.returncode == 0 and "no sha256 pinned" in unpinned.stderr
    for directory in (tmp_path / "b", tmp_path / "c"):
        assert (directory / "SOURCE").read_text().split() == [
            "pypi",
            "hadoop-aws-3.3.1",
            "aws-java-sdk-bundle-1.11.901",
        ]
        assert sha256(directory / "hadoop-aws.jar") == JARS["hadoop-aws-3.3.1.jar"]
        assert sha256(directory / "aws-java-sdk-bundle.jar") == JARS["aws-java-sdk-bundle-1.11.901.jar"]
        assert not list(directory.glob("*.part"))
