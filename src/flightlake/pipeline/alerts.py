"""What a failed task reports, wherever the DAG runs.

The DAG's `on_failure_callback`: one line in the task log naming the DAG run's year, the task and
the error, so the cause is the first thing a person reading the log sees. On AWS the deploy sets
`FLIGHTLAKE_ALERT_TOPIC_ARN` (the environment's SNS topic, whose e-mail subscribers come from its
environment file), and the same line, with the release and a link to the log, is published there.
On the embedded stack the variable is unset and the line is only printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flightlake.lake.aws import client
from flightlake.pipeline.registry import DAG_ID
from flightlake.settings import Settings, load_settings

SUBJECT_LIMIT = 100  # SNS: subjects are at most 100 characters


def failure_line(context: Mapping[str, Any]) -> str:
    error = context.get("exception")
    year = context["logical_date"].year
    return f"{DAG_ID} {year}: task {context['ti'].task_id} failed: {error or 'no error given'}"


def alert_message(context: Mapping[str, Any], settings: Settings) -> tuple[str, str]:
    """(subject, body) of the alert for one failed task."""
    line = failure_line(context)
    ti = context["ti"]
    body = [line, "", f"release: {settings.release or 'unknown'}", f"run: {context.get('run_id', '?')}"]
    log_url = getattr(ti, "log_url", None)
    if log_url:
        body.append(f"log: {log_url}")
    return line[:SUBJECT_LIMIT], "\n".join(body) + "\n"


def publish(settings: Settings, context: Mapping[str, Any]) -> str | None:
    """Publish the alert to the topic; returns SNS's message id (None when no topic is set)."""
    if not settings.alert_topic_arn:
        return None
    subject, body = alert_message(context, settings)
    sns = client("sns", settings)
    return sns.publish(TopicArn=settings.alert_topic_arn, Subject=subject, Message=body)["MessageId"]


def on_task_failure(context: Mapping[str, Any]) -> None:
    """Airflow calls this once a task has failed for good (after its retries)."""
    print(failure_line(context), flush=True)
    settings = load_settings()
    try:
        message_id = publish(settings, context)
    except Exception as error:  # an alert that cannot be sent must not hide the task's own failure
        print(f"{DAG_ID}: the failure alert to {settings.alert_topic_arn} was not sent: {error}", flush=True)
        return
    if message_id:
        print(f"{DAG_ID}: failure alert {message_id} sent to {settings.alert_topic_arn}", flush=True)
