"""CloudFormation, the way a reviewable deploy wants it: compare, describe a change set, apply.

Planning an existing stack costs nothing when its template text and parameters are what is
deployed already; otherwise a change set is created only to be described (the resource-level
changes CloudFormation itself computes) and deleted again, so `--plan` leaves none behind. A
stack that does not exist yet is planned from its template (every resource an Add) and created
directly: a CREATE change set would leave an empty REVIEW_IN_PROGRESS stack behind on --plan.
Stacks holding data (storage, warehouse) are created with termination protection, which `destroy`
lifts right before it deletes them. A rollback changes parameters only: its change set carries the
deployed template back, whatever the checkout holds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from flightlake.deploy.plan import CREATE, NONE, STACK, UPDATE, Pending, PlannedAction
from flightlake.errors import FlightlakeError

TAG_KEY = "flightlake:deployment"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]  # warehouse and ci name their roles
MAX_TEMPLATE_BYTES = 51_200  # TemplateBody limit; larger templates would need an S3 TemplateURL
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
_ACTION_MARKS = {"Add": "+", "Modify": "~", "Remove": "-", "Import": ">", "Dynamic": "?"}


class StackError(FlightlakeError):
    """A stack cannot be planned or applied; the message carries CloudFormation's reason."""


@dataclass(frozen=True)
class Timing:
    """How often to poll CloudFormation, MWAA and the Data API, and for how long at most."""

    poll_seconds: float = 15
    max_minutes: int = 90

    @property
    def attempts(self) -> int:
        return max(1, int(self.max_minutes * 60 / max(self.poll_seconds, 1)))

    def waiter_config(self) -> dict[str, int]:
        return {"Delay": int(self.poll_seconds), "MaxAttempts": self.attempts}


@dataclass(frozen=True)
class DeployedStack:
    name: str
    stack_id: str
    status: str
    parameters: dict[str, str]
    outputs: dict[str, str]
    termination_protection: bool | None = None  # None: the endpoint does not say


@dataclass(frozen=True)
class StackRequest:
    """A stack as this checkout wants it."""

    name: str
    body: str
    parameters: dict[str, str | Pending]
    deployment: str
    protected: bool = False  # termination protection

    @property
    def pending(self) -> dict[str, Pending]:
        return {k: v for k, v in self.parameters.items() if isinstance(v, Pending)}

    def api_parameters(self) -> list[dict[str, str]]:
        if self.pending:
            raise StackError(f"{self.name}: parameters not known yet: {', '.join(self.pending)}")
        return [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in sorted(self.parameters.items())]

    def api_tags(self) -> list[dict[str, str]]:
        return [{"Key": TAG_KEY, "Value": self.deployment}]


def read_stack(cfn: Any, name: str) -> DeployedStack | None:
    """The stack's status, parameters and outputs; None when it does not exist."""
    try:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    if stack["StackStatus"] == "DELETE_COMPLETE":
        return None
    return DeployedStack(
        name=name,
        stack_id=stack["StackId"],
        status=stack["StackStatus"],
        parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])},
        outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
        termination_protection=stack.get("EnableTerminationProtection"),
    )


def deployed_template(cfn: Any, name: str) -> str:
    body = cfn.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
    return body if isinstance(body, str) else ""


def template_resources(body: str) -> list[tuple[str, str]]:
    """(logical id, type) of every resource of a YAML template, in template order."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    resources = (yaml.load(body, Loader=_Loader) or {}).get("Resources", {})
    return [(logical_id, resource["Type"]) for logical_id, resource in resources.items()]


def plan_stack(cfn: Any, request: StackRequest, deployed: DeployedStack | None) -> PlannedAction:
    _check_size(request)
    if deployed is None:
        details = tuple(f"+ Add {kind} {logical_id}" for logical_id, kind in template_resources(request.body))
        details += tuple(f"parameter {k} = {v}" for k, v in request.pending.items())
        details += ("termination protection on",) if request.protected else ()
        return PlannedAction(STACK, request.name, CREATE, "stack does not exist", details)
    _check_status(deployed)
    differences = _differences(cfn, request, deployed)
    if request.protected and deployed.termination_protection is False:
        differences += ("termination protection off -> on",)
    if not differences:
        return PlannedAction(STACK, request.name, NONE, "template and parameters as deployed")
    if request.pending:
        return PlannedAction(STACK, request.name, UPDATE, "inputs change with stacks applied before it", differences)
    change_set = _create_change_set(cfn, request, "plan")
    try:
        changes = _describe_changes(cfn, change_set)
    finally:
        _delete_change_set(cfn, change_set, request.name)
    if changes is None and _parameters_differ(differences):
        return PlannedAction(STACK, request.name, UPDATE, "parameters change, no resource change listed", differences)
    if changes is None:
        return PlannedAction(STACK, request.name, NONE, "CloudFormation finds nothing to change", differences)
    reason = f"{len(changes)} resource change(s)" if changes else "template or parameters changed, no resource changes"
    return PlannedAction(STACK, request.name, UPDATE, reason, tuple(changes) + differences)


def apply_stack(cfn: Any, request: StackRequest, deployed: DeployedStack | None, timing: Timing) -> str:
    """Create or update the stack and wait for it; returns what happened, for the summary."""
    _check_size(request)
    if deployed is None:
        created = cfn.create_stack(
            StackName=request.name,
            TemplateBody=request.body,
            Parameters=request.api_parameters(),
            Capabilities=CAPABILITIES,
            Tags=request.api_tags(),
            OnFailure="DELETE",
            EnableTerminationProtection=request.protected,
        )
        _wait(cfn, "stack_create_complete", created["StackId"], timing, request.name)
        return "created"
    _check_status(deployed)
    if request.protected and deployed.termination_protection is False:
        cfn.update_termination_protection(EnableTerminationProtection=True, StackName=request.name)
    differences = _differences(cfn, request, deployed)
    if not differences:
        return "unchanged"
    change_set = _create_change_set(cfn, request, "apply")
    if _describe_changes(cfn, change_set) is None:
        _delete_change_set(cfn, change_set, request.name)
        if not _parameters_differ(differences):
            return "unchanged (CloudFormation found nothing to change)"
        # The stack must record the parameters that run (a rollback's release): update it directly.
        cfn.update_stack(StackName=request.name, TemplateBody=request.body, Parameters=request.api_parameters(),
                         Capabilities=CAPABILITIES, Tags=request.api_tags())  # fmt: skip
        _wait(cfn, "stack_update_complete", deployed.stack_id, timing, request.name)
        return "updated (parameters)"
    cfn.execute_change_set(ChangeSetName=change_set, StackName=request.name)
    _wait(cfn, "stack_update_complete", deployed.stack_id, timing, request.name)
    return "updated"


def delete_stack(cfn: Any, deployed: DeployedStack, timing: Timing) -> None:
    """Lift termination protection if on, delete the stack, wait until it is gone."""
    if deployed.termination_protection:
        cfn.update_termination_protection(EnableTerminationProtection=False, StackName=deployed.name)
    cfn.delete_stack(StackName=deployed.name)
    _wait(cfn, "stack_delete_complete", deployed.stack_id, timing, deployed.name)


def _differences(cfn: Any, request: StackRequest, deployed: DeployedStack) -> tuple[str, ...]:
    differences = []
    if deployed_template(cfn, request.name) != request.body:
        differences.append("template text differs from the deployed one")
    for key, value in sorted(request.parameters.items()):
        if _as_list(deployed.parameters.get(key)) != (value if isinstance(value, Pending) else _as_list(str(value))):
            differences.append(f"parameter {key}: {deployed.parameters.get(key, '(unset)')} -> {value}")
    return tuple(differences)


def _as_list(value: str | None) -> str | None:
    """A list parameter as CloudFormation returns it (a,b); the emulator says ['a', 'b']."""
    if value and value.startswith("[") and value.endswith("]"):
        return ",".join(part.strip(" '\"") for part in value[1:-1].split(",") if part.strip())
    return value


def _parameters_differ(differences: tuple[str, ...]) -> bool:
    return any(line.startswith("parameter ") for line in differences)


def _create_change_set(cfn: Any, request: StackRequest, purpose: str) -> str | None:
    """An UPDATE change set's id; None when CloudFormation refuses it for having no changes."""
    name = f"flightlake-{purpose}-{int(time.time() * 1000)}"
    try:
        created = cfn.create_change_set(
            StackName=request.name,
            ChangeSetName=name,
            ChangeSetType="UPDATE",
            TemplateBody=request.body,
            Parameters=request.api_parameters(),
            Capabilities=CAPABILITIES,
            Tags=request.api_tags(),
        )
    except ClientError as error:
        if any(text in str(error) for text in _NO_CHANGES):
            return None
        raise StackError(f"{request.name}: CloudFormation rejected the change set: {error}") from error
    return created["Id"]


def _describe_changes(cfn: Any, change_set: str | None) -> list[str] | None:
    """The resource changes of a change set, once CloudFormation has computed them; None if none."""
    if change_set is None:
        return None
    try:
        cfn.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set, WaiterConfig={"Delay": 5})
    except WaiterError:
        described = cfn.describe_change_set(ChangeSetName=change_set)
        reason = described.get("StatusReason", "")
        if any(text in reason for text in _NO_CHANGES):
            return None
        raise StackError(f"change set {change_set} failed: {reason}") from None
    changes: list[str] = []
    kwargs: dict[str, str] = {"ChangeSetName": change_set}
    while True:
        described = cfn.describe_change_set(**kwargs)
        for change in described.get("Changes", []):
            resource = change.get("ResourceChange", {})
            action = resource.get("Action", "?")
            mark = _ACTION_MARKS.get(action, "?")
            line = f"{mark} {action} {resource.get('ResourceType')} {resource.get('LogicalResourceId')}"
            if resource.get("Replacement") in ("True", "Conditional"):
                line += f" (replacement: {resource['Replacement']})"
            changes.append(line)
        if not described.get("NextToken"):
            return changes
        kwargs["NextToken"] = described["NextToken"]


def _delete_change_set(cfn: Any, change_set: str | None, stack: str) -> None:
    if change_set is not None:
        cfn.delete_change_set(ChangeSetName=change_set, StackName=stack)


def _wait(cfn: Any, waiter: str, stack_id: str, timing: Timing, name: str) -> None:
    try:
        cfn.get_waiter(waiter).wait(StackName=stack_id, WaiterConfig=timing.waiter_config())
    except WaiterError as error:
        raise StackError(f"{name}: {waiter.replace('_', ' ')} failed: {_failure_reason(cfn, stack_id)}") from error


def _failure_reason(cfn: Any, stack_id: str) -> str:
    """The first resource failure of the latest operation: the cause, not the rollback noise."""
    try:
        events = cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
    except ClientError:
        return "no events available"
    for event in reversed(events):
        if event.get("ResourceStatus", "").endswith("_FAILED") and event.get("ResourceStatusReason"):
            return f"{event.get('LogicalResourceId')}: {event['ResourceStatusReason']}"
    return "see the stack events in the CloudFormation console"


def _check_status(deployed: DeployedStack) -> None:
    if deployed.status.endswith("_IN_PROGRESS"):
        raise StackError(f"{deployed.name} is {deployed.status}; deploy again once it has finished.")
    if deployed.status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED", "UPDATE_ROLLBACK_FAILED"):
        raise StackError(
            f"{deployed.name} is {deployed.status} and cannot be updated; delete it "
            "(`flightlake deploy destroy`, or in the CloudFormation console) and deploy again."
        )


def _check_size(request: StackRequest) -> None:
    if len(request.body.encode()) > MAX_TEMPLATE_BYTES:
        raise StackError(f"{request.name}: the template is over {MAX_TEMPLATE_BYTES} bytes; split it.")
