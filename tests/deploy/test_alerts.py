"""Failure alerts: the DAG's failure callback publishes to the environment's SNS topic on AWS and
only prints on the embedded stack. Against the emulator's real SNS, delivered to an SQS queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from flightlake.pipeline import alerts
from flightlake.settings import load_settings
from tests.deploy.conftest import cached_client

pytestmark = pytest.mark.integration


def context(task: str = "raw_to_stage") -> dict:
    ti = SimpleNamespace(task_id=task, log_url="http://airflow/log?task=raw_to_stage")
    return {"ti": ti, "logical_date": datetime(2013, 1, 1, tzinfo=UTC), "exception": ValueError("bad year"),
            "run_id": "scheduled__2013-01-01"}  # fmt: skip


def test_a_failed_task_is_published_to_the_topic_with_its_release(embedded_stack, monkeypatch, capsys):
    settings = embedded_stack.settings
    sns, sqs = cached_client("sns", settings), cached_client("sqs", settings)
    topic = sns.create_topic(Name="flightlake-alerts-test")["TopicArn"]
    queue = sqs.create_queue(QueueName="flightlake-alerts-test")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    monkeypatch.setenv("FLIGHTLAKE_ALERT_TOPIC_ARN", topic)
    monkeypatch.setenv("FLIGHTLAKE_RELEASE", "v1-0123456789ab")
    alerts.on_task_failure(context())
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "flights_etl 2013: task raw_to_stage failed: bad year"
    assert printed[1].startswith("flights_etl: failure alert ") and printed[1].endswith(f"sent to {topic}")
    (message,) = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"]
    delivered = json.loads(message["Body"])
    assert delivered["Subject"] == "flights_etl 2013: task raw_to_stage failed: bad year"
    assert "release: v1-0123456789ab" in delivered["Message"] and "log: http://airflow/log" in delivered["Message"]


def test_without_a_topic_the_failure_is_only_printed(monkeypatch, capsys):
    monkeypatch.delenv("FLIGHTLAKE_ALERT_TOPIC_ARN", raising=False)
    assert alerts.publish(load_settings({}), context()) is None
    alerts.on_task_failure(context("report"))
    assert capsys.readouterr().out == "flights_etl 2013: task report failed: bad year\n"


def test_an_alert_that_cannot_be_sent_does_not_hide_the_failure(embedded_stack, monkeypatch, capsys):
    monkeypatch.setenv("FLIGHTLAKE_ALERT_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:no-such-topic")
    alerts.on_task_failure(context())
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("flights_etl 2013: task raw_to_stage failed")
    assert out[1].startswith(
        "flights_etl: the failure alert to arn:aws:sns:us-east-1:123456789012:no-such-topic was not sent"
    )
