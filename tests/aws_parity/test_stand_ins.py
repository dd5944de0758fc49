"""Defects the stand-ins refuse as AWS would, each caught by one direct call: one Data API
statement (or batch) on the emulator's Redshift, one Glue job run of a tiny script."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from flightlake.lake.aws import client
from tests.local.test_glue_jobs import finished
from tests.warehouse.test_redshift_data import wait

pytestmark = pytest.mark.integration
TARGET = {"WorkgroupName": "flightlake-parity", "Database": "dev"}  # a namespace of its own
ROLE = "arn:aws:iam::123456789012:role/flightlake-parity"
PREFIX = "parity/"


@pytest.fixture
def data_api(settings):
    return client("redshift-data", settings)


def run_batch(data_api, sqls: list[str], **parameters: str) -> dict:
    values = [{"name": name, "value": value} for name, value in parameters.items()]
    request = {**TARGET, "Sqls": sqls, **({"Parameters": values} if values else {})}
    return wait(data_api, data_api.batch_execute_statement(**request)["Id"])


def test_an_unused_parameter_is_refused_and_a_quoted_name_is_text(data_api):
    with pytest.raises(ClientError) as refused:
        data_api.execute_statement(**TARGET, Sql="SELECT ':year' AS text -- :year", Parameters=[
            {"name": "year", "value": "2013"}])  # fmt: skip
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == "Parameters list contains unused parameters. Unused parameters: [year]"
    quoted = data_api.execute_statement(**TARGET, Sql="SELECT ':year' AS text")
    assert wait(data_api, quoted["Id"])["Status"] == "FINISHED"
    assert data_api.get_statement_result(Id=quoted["Id"])["Records"] == [[{"stringValue": ":year"}]]


def test_a_parameter_alone_in_a_select_list_stays_a_string_until_cast(data_api):
    table = "CREATE TEMP TABLE parity_runs (year INTEGER)"
    uncast = run_batch(data_api, [table, "INSERT INTO parity_runs SELECT :year"], year="2013")
    assert uncast["Status"] == "FAILED"
    assert 'column "year" is of type integer but expression is of type character varying' in uncast["Error"]
    cast = run_batch(data_api, [table, "INSERT INTO parity_runs SELECT CAST(:year AS INTEGER)"], year="2013")
    assert cast["Status"] == "FINISHED"
    compared = run_batch(data_api, [table, "DELETE FROM parity_runs WHERE year = :year"], year="2013")
    assert compared["Status"] == "FINISHED"  # compared with a column: converted, as Redshift converts it


@pytest.mark.parametrize(
    ("column", "values", "words"),
    [
        ("x DOUBLE PRECISION", pa.array([1.5], pa.float32()), "Parquet type: FLOAT"),
        ("x NUMERIC(18, 0)", pa.array([7], pa.int64()), "Parquet type: INT64"),
        ("x TIMESTAMP", pa.array([0], pa.timestamp("ns")), "timeUnit=nanoseconds"),
        ("x VARCHAR(8)", pa.array(["ééééé"]), "String length exceeds DDL length. Column x"),
    ],
    ids=["float32-into-double", "int64-into-numeric", "nanosecond-timestamp", "varchar-counted-in-bytes"],
)
def test_a_parquet_column_redshift_refuses_fails_the_copy(data_api, s3, settings, column, values, words):
    bucket = settings.zone("analytics").bucket
    prefix = f"{PREFIX}{column.split()[1].lower()}/"
    buffer = io.BytesIO()
    pq.write_table(pa.table({"x": values}), buffer, coerce_timestamps=None)
    s3.put_object(Bucket=bucket, Key=prefix + "part-0.parquet", Body=buffer.getvalue())
    copy = f"COPY parity_copy FROM 's3://{bucket}/{prefix}' IAM_ROLE '{ROLE}' FORMAT AS PARQUET"
    described = run_batch(data_api, [f"CREATE TEMP TABLE parity_copy ({column})", copy])
    assert described["Status"] == "FAILED" and words in described["Error"], described.get("Error")


GLUE_SCRIPTS = {
    "lacks.py": "import sklearn\n",  # scikit-learn is not among Glue 5.0's modules
    "batched.py": "import itertools\nprint(list(itertools.batched([1, 2, 3], 2)))\n",  # Python 3.12's
}


def start_job(glue, s3, settings, name: str, script: str, version: str = "5.0") -> str:
    bucket = settings.zone("reports").bucket
    s3.put_object(Bucket=bucket, Key=PREFIX + script, Body=GLUE_SCRIPTS.get(script, "print(1)\n").encode())
    try:
        glue.delete_job(JobName=name)
    except ClientError:
        pass
    glue.create_job(Name=name, Role=ROLE, GlueVersion=version,
                    Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/{PREFIX}{script}"})  # fmt: skip
    return glue.start_job_run(JobName=name)["JobRunId"]


def test_glue_job_runs_fail_as_on_glue_5(glue, s3, settings):
    runs = {
        "parity-lacks": start_job(glue, s3, settings, "parity-lacks", "lacks.py"),
        "parity-batched": start_job(glue, s3, settings, "parity-batched", "batched.py"),
        "parity-glue-4": start_job(glue, s3, settings, "parity-glue-4", "other.py", version="4.0"),
    }
    messages = {name: finished(glue, name, run_id, timeout=300) for name, run_id in runs.items()}
    assert {run["JobRunState"] for run in messages.values()} == {"FAILED"}
    assert messages["parity-lacks"]["ErrorMessage"] == "ModuleNotFoundError: No module named 'sklearn'"
    assert messages["parity-batched"]["ErrorMessage"] == "AttributeError: module 'itertools' has no attribute 'batched'"
    assert messages["parity-glue-4"]["ErrorMessage"].startswith(
        "GlueVersion 4.0: the emulator runs AWS Glue 5.0 jobs only"
    )
