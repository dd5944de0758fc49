"""CloudFormation drift detection: has anyone changed an environment's resources behind its stacks?

Detection is started for every stack at once and then polled, so it takes as long as the slowest
stack, not their sum. A stack that drifted lists its modified and deleted resources.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flightlake.deploy.cloudformation import Timing

POLL_SECONDS = 5.0


def detect(cfn: Any, stacks: list[str], timing: Timing, sleep: Callable[[float], None]) -> dict[str, str]:
    """stack name -> IN_SYNC, DRIFTED (with the resources), or why it could not be told."""
    started = {name: cfn.detect_stack_drift(StackName=name)["StackDriftDetectionId"] for name in stacks}
    result: dict[str, str] = {}
    interval = min(timing.poll_seconds, POLL_SECONDS)
    for _ in range(max(1, int(timing.max_minutes * 60 / max(interval, 0.5)))):
        for name, detection in started.items():
            if name in result:
                continue
            status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
            if status["DetectionStatus"] == "DETECTION_IN_PROGRESS":
                continue
            if status["DetectionStatus"] == "DETECTION_FAILED":
                result[name] = f"detection failed: {status.get('DetectionStatusReason', 'no reason given')}"
            elif status.get("StackDriftStatus") == "DRIFTED":
                result[name] = "DRIFTED: " + ", ".join(_drifted(cfn, name))
            else:
                result[name] = status.get("StackDriftStatus", "UNKNOWN")
        if len(result) == len(started):
            return result
        sleep(interval)
    return {**{name: "detection still running" for name in started}, **result}


def _drifted(cfn: Any, name: str) -> list[str]:
    drifts = cfn.describe_stack_resource_drifts(
        StackName=name, StackResourceDriftStatusFilters=["MODIFIED", "DELETED"]
    )["StackResourceDrifts"]
    return [f"{d['LogicalResourceId']} ({d['ResourceType']}) {d['StackResourceDriftStatus'].lower()}" for d in drifts]
