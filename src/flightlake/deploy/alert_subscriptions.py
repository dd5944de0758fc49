"""Who gets failure alerts: the e-mail addresses of the environment file, subscribed to its topic.

The topic is in the airflow stack; subscriptions are made here because their number varies per
environment. SNS sends each address a confirmation mail; until it is confirmed the subscription
is pending and nothing is delivered. Addresses removed from the file are unsubscribed once
confirmed (a pending subscription cannot be removed; it expires after three days).
"""

from __future__ import annotations

from typing import Any

from flightlake.deploy.plan import ALERT, CREATE, DELETE, NONE, Pending, PlannedAction


def subscriptions(sns: Any, topic_arn: str) -> dict[str, str]:
    """e-mail address -> subscription ARN (or PendingConfirmation)."""
    found: dict[str, str] = {}
    kwargs: dict[str, str] = {"TopicArn": topic_arn}
    while True:
        page = sns.list_subscriptions_by_topic(**kwargs)
        for sub in page.get("Subscriptions", []):
            if sub.get("Protocol") == "email":
                found[sub["Endpoint"]] = sub["SubscriptionArn"]
        if not page.get("NextToken"):
            return found
        kwargs["NextToken"] = page["NextToken"]


def plan(sns: Any, topic_arn: str | Pending, emails: tuple[str, ...]) -> list[PlannedAction]:
    if isinstance(topic_arn, Pending):
        return [PlannedAction(ALERT, email, CREATE, "subscribe once the topic exists") for email in emails]
    existing = subscriptions(sns, topic_arn)
    actions = [
        PlannedAction(ALERT, email, NONE, "subscribed") if email in existing
        else PlannedAction(ALERT, email, CREATE, f"subscribe to {topic_arn} (SNS mails a confirmation link)")
        for email in emails
    ]  # fmt: skip
    actions += [
        PlannedAction(ALERT, email, DELETE, "no longer in the environment file")
        for email, arn in sorted(existing.items())
        if email not in emails and arn.startswith("arn:")
    ]
    return actions


def apply(sns: Any, topic_arn: str, emails: tuple[str, ...]) -> list[tuple[str, str]]:
    existing = subscriptions(sns, topic_arn)
    done = []
    for email in emails:
        if email not in existing:
            sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=email)
            done.append((email, CREATE))
    for email, arn in existing.items():
        if email not in emails and arn.startswith("arn:"):
            sns.unsubscribe(SubscriptionArn=arn)
            done.append((email, DELETE))
    return done
