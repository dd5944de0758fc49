"""The emulator's Glue jobs API: job definitions as Glue keeps them, and job runs that really run
their script under spark-submit in Glue 5.0's runtime (Python 3.11, PySpark 3.5.4), with Glue's
arguments, modules, states, errors and logs."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
import zipfile

import pytest
from botocore.exceptions import ClientError

from flightlake.deploy.wheel import build_wheel
from flightlake.local.emulator.glue_job_logs import JOBS_FOLDER
from flightlake.local.stack.emulator import emulator_dir
from flightlake.pipeline.operators.glue import run_ended
from flightlake.pipeline.outcomes import SparkStepFailed, SparkStepRefused, take_outcome
from flightlake.pipeline.registry import step
from tests.conftest import REPO

pytestmark = pytest.mark.integration
ROLE = "arn:aws:iam::123456789012:role/flightlake-glue-test"
PREFIX = "glue-test/"
EMPTY_RAW_BUCKET = "glue-test-empty-raw"  # a lake with no raw file: raw_to_stage refuses its input
SCRIPTS = {
    # Reads the lake through Glue's own S3 (an s3:// path) and imports the module of a wheel.
    "probe.py": """
import json, os, sys
import probe_module, pyspark
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
source = sys.argv[sys.argv.index("--input") + 1]
print(json.dumps({"argv": sys.argv[1:], "module": probe_module.__file__, "lines": spark.read.text(source).count(),
                  "flightlake_env": sorted(k for k in os.environ if k.startswith("FLIGHTLAKE_")),
                  "python": list(sys.version_info[:2]), "pyspark": pyspark.__version__,
                  "executor_python": spark.sparkContext.parallelize([0]).map(lambda _: sys.version_info[:2]).first()}))
""",
    # The project's Spark application (what spark_jobs/run_step.py runs, from the release wheel), on a
    # lake with no raw file.
    "refuses.py": """
import sys
from flightlake.pipeline.spark_application import main
sys.exit(main(sys.argv[1:]))
""",
    "exits.py": "import sys\nsys.exit(2)\n",
    "sleeps.py": "import time\ntime.sleep(300)\n",
}


def tiny_wheel() -> tuple[str, bytes]:
    """A one-module wheel, as `--additional-python-modules` installs it."""
    name = "probe_module-1.0-py3-none-any.whl"
    files = {
        "probe_module.py": b"VALUE = 1\n",
        "probe_module-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: probe-module\nVersion: 1.0\n",
        "probe_module-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b'=').decode()},{len(body)}"
        for path, body in files.items()
    ]
    files["probe_module-1.0.dist-info/RECORD"] = (
        "\n".join([*record, "probe_module-1.0.dist-info/RECORD,,"]) + "\n"
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, body in files.items():
            archive.writestr(path, body)
    return name, buffer.getvalue()


@pytest.fixture(scope="module")
def bucket(embedded_stack) -> str:
    from flightlake.lake.aws import client

    s3 = client("s3", embedded_stack.settings)
    name = embedded_stack.settings.zone("reports").bucket
    for script, body in SCRIPTS.items():
        s3.put_object(Bucket=name, Key=PREFIX + script, Body=body.encode())
    s3.put_object(Bucket=name, Key=PREFIX + "input.txt", Body=b"one\ntwo\nthree\n")
    s3.create_bucket(Bucket=EMPTY_RAW_BUCKET)
    wheel, body = tiny_wheel()
    s3.put_object(Bucket=name, Key=PREFIX + wheel, Body=body)
    return name


@pytest.fixture(scope="module")
def release_wheel(embedded_stack, bucket, tmp_path_factory) -> dict[str, str]:
    """The project's wheel in S3, as the deploy gives it to its jobs."""
    from flightlake.lake.aws import client

    built = build_wheel(REPO, tmp_path_factory.mktemp("wheel"))
    client("s3", embedded_stack.settings).upload_file(str(built), bucket, PREFIX + built.name)
    return {
        "--additional-python-modules": f"s3://{bucket}/{PREFIX}{built.name}",
        "--python-modules-installer-option": "--no-deps",
    }


def job(glue, name: str, script: str, bucket: str, arguments: dict[str, str] | None = None, limit: int = 1) -> str:
    try:
        glue.delete_job(JobName=name)
    except ClientError:
        pass
    glue.create_job(
        Name=name, Role=ROLE, GlueVersion="5.0",
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/{PREFIX}{script}", "PythonVersion": "3"},
        DefaultArguments=arguments or {}, ExecutionProperty={"MaxConcurrentRuns": limit},
    )  # fmt: skip
    return name


def finished(glue, name: str, run_id: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]
        if run["JobRunState"] not in ("STARTING", "RUNNING", "STOPPING"):
            return run
        time.sleep(1)
    raise AssertionError(f"{name} {run_id} still running")


@pytest.fixture(scope="module")
def runs(embedded_stack, bucket, release_wheel) -> dict[str, dict]:
    """The four jobs started together (each is a spark-submit), then waited for."""
    from flightlake.lake.aws import client

    glue = client("glue", embedded_stack.settings)
    wheel, _ = tiny_wheel()
    probe_arguments = {
        "--input": f"s3://{bucket}/{PREFIX}input.txt",
        "--colour": "blue",
        "--additional-python-modules": f"s3://{bucket}/{PREFIX}{wheel}",
        "--python-modules-installer-option": "--no-deps",
    }
    started = {
        "probe": (job(glue, "test-probe", "probe.py", bucket, probe_arguments), {"--colour": "red"}),
        "refuses": (
            job(
                glue,
                "test-refuses",
                "refuses.py",
                bucket,
                {"--step": "raw_to_stage", "--FLIGHTLAKE_RUNTIME": "glue", **release_wheel},
            ),
            {"--year": "2013", "--FLIGHTLAKE_RAW_BUCKET": EMPTY_RAW_BUCKET},
        ),
        "exits": (job(glue, "test-exits", "exits.py", bucket), {}),
    }
    run_ids = {
        key: glue.start_job_run(JobName=name, Arguments=args)["JobRunId"] for key, (name, args) in started.items()
    }
    return {key: finished(glue, started[key][0], run_id) for key, run_id in run_ids.items()}


def test_a_run_runs_its_script_with_glues_arguments_modules_and_s3(runs, embedded_stack, glue, logs):
    run = runs["probe"]
    assert run["JobRunState"] == "SUCCEEDED" and "ErrorMessage" not in run
    assert run["Arguments"] == {"--colour": "red"} and run["JobName"] == "test-probe" and run["LogGroupName"]
    log_dir = emulator_dir(embedded_stack.settings) / JOBS_FOLDER / "test-probe" / run["Id"]
    printed = json.loads(
        next(line for line in (log_dir / "stdout.log").read_text().splitlines() if line.startswith("{"))
    )
    argv = printed["argv"]
    assert argv[:6] == ["--JOB_ID", argv[1], "--JOB_RUN_ID", run["Id"], "--JOB_NAME", "test-probe"]
    pairs = dict(zip(argv[6::2], argv[7::2], strict=True))
    assert pairs["--colour"] == "red" and argv.count("--colour") == 1  # the run's argument over the default
    assert pairs["--job-bookmark-option"] == "job-bookmark-disable"  # what Glue adds
    assert printed["lines"] == 3  # read from s3://, as Glue's own S3 access reads
    assert f"/{JOBS_FOLDER}/python-modules/" in printed["module"]  # the wheel, not the project's virtualenv
    assert printed["flightlake_env"] == []  # a Glue job's configuration is its arguments
    assert (printed["python"], printed["executor_python"], printed["pyspark"]) == ([3, 11], [3, 11], "3.5.4")
    events = logs.get_log_events(logGroupName="/aws-glue/jobs/output", logStreamName=run["Id"])["events"]
    assert any(event["message"].startswith('{"argv"') for event in events)
    assert [r["Id"] for r in glue.get_job_runs(JobName="test-probe")["JobRuns"]][:1] == [run["Id"]]


def test_a_step_that_refuses_its_input_fails_its_run_and_records_why_for_good(runs, settings):
    run = runs["refuses"]
    missing = f"s3://{EMPTY_RAW_BUCKET}/airline_delays/year=2013/"
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == f"JobInputError: no raw file for 2013 at {missing}: run `flightlake ingest 2013.csv`"
    ended = run_ended("test-refuses", run)
    assert ended.endswith(f"run {run['Id']} ended FAILED: {run['ErrorMessage']}")
    with pytest.raises(
        SparkStepRefused, match=f"raw_to_stage for 2013 failed: JobInputError: no raw file .* {missing}"
    ):
        take_outcome(settings, step("raw_to_stage"), 2013, run["Id"], ended)  # what the Glue operator reads


def test_a_script_that_exits_non_zero_fails_and_is_retried(runs, settings):
    run = runs["exits"]
    assert (run["JobRunState"], run["ErrorMessage"]) == ("FAILED", "Command failed with exit code 2")
    with pytest.raises(SparkStepFailed, match="left no outcome") as failed:  # a crash: Airflow's retries take it
        take_outcome(settings, step("raw_to_stage"), 2013, run["Id"], run_ended("test-exits", run))
    assert not isinstance(failed.value, SparkStepRefused)


def test_max_concurrent_runs_is_enforced_and_a_run_can_be_stopped(embedded_stack, bucket, glue):
    name = job(glue, "test-sleeps", "sleeps.py", bucket, limit=1)
    first = glue.start_job_run(JobName=name)["JobRunId"]
    with pytest.raises(ClientError) as refused:
        glue.start_job_run(JobName=name)
    assert refused.value.response["Error"]["Code"] == "ConcurrentRunsExceededException"
    while glue.get_job_run(JobName=name, RunId=first)["JobRun"]["JobRunState"] == "STARTING":
        time.sleep(0.5)
    stopped = glue.batch_stop_job_run(JobName=name, JobRunIds=[first, "jr_unknown"])
    assert stopped["SuccessfulSubmissions"] == [{"JobName": name, "JobRunId": first}]
    assert [error["JobRunId"] for error in stopped["Errors"]] == ["jr_unknown"]
    assert finished(glue, name, first, timeout=120)["JobRunState"] == "STOPPED"
    again = glue.start_job_run(JobName=name)["JobRunId"]  # the stopped run no longer counts
    glue.batch_stop_job_run(JobName=name, JobRunIds=[again])
    assert finished(glue, name, again, timeout=120)["JobRunState"] == "STOPPED"


def test_job_definitions_are_kept_as_glue_keeps_them(embedded_stack, bucket, glue):
    name = job(glue, "test-definition", "exits.py", bucket, {"--a": "1"})
    created = glue.get_job(JobName=name)["Job"]
    assert created["DefaultArguments"] == {"--a": "1"} and created["Timeout"] == 2880 and created["MaxRetries"] == 0
    with pytest.raises(ClientError) as duplicate:
        glue.create_job(Name=name, Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": "s3://x/y.py"})
    assert duplicate.value.response["Error"]["Code"] == "AlreadyExistsException"
    glue.update_job(JobName=name, JobUpdate={"Role": ROLE, "Command": created["Command"], "Timeout": 5})
    updated = glue.get_job(JobName=name)["Job"]
    assert updated["Timeout"] == 5 and updated["DefaultArguments"] == {}  # an update replaces the definition
    assert name in glue.list_jobs()["JobNames"] and name in [j["Name"] for j in glue.get_jobs()["Jobs"]]
    found = glue.batch_get_jobs(JobNames=[name, "test-nothing"])
    assert [j["Name"] for j in found["Jobs"]] == [name] and found["JobsNotFound"] == ["test-nothing"]
    glue.delete_job(JobName=name)
    for call in (lambda: glue.get_job(JobName=name), lambda: glue.start_job_run(JobName=name)):
        with pytest.raises(ClientError) as missing:
            call()
        assert missing.value.response["Error"]["Code"] == "EntityNotFoundException"


def test_catalog_calls_still_reach_the_catalog_and_the_rest_of_the_jobs_api_is_refused_by_name(glue, settings):
    assert settings.glue_databases["raw"] in [d["Name"] for d in glue.get_databases()["DatabaseList"]]
    with pytest.raises(ClientError) as refused:
        glue.get_job_bookmark(JobName="test-probe")
    assert refused.value.response["Error"]["Code"] == "UnsupportedOperationException"
    assert refused.value.response["Error"]["Message"].startswith("GetJobBookmark: ")


@pytest.fixture
def logs(settings):
    from flightlake.lake.aws import client

    return client("logs", settings)
