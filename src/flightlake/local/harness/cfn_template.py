"""Read a CloudFormation template of deploy/cloudformation/ and resolve what it defines, the way
CloudFormation would for one stack, so the rehearsal creates exactly what the deploy declares.

Intrinsic functions: Ref, Fn::Sub, Fn::GetAtt, Fn::If, Fn::Join, Fn::Select, AWS::NoValue and
the conditions (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition); any other is an error naming
it. Parameters take the given values, else their defaults; Number parameters become numbers (the
API calls want them so). A resource's physical id is what CloudFormation would give it: its name
property when it has one (a bucket's BucketName, a job's Name, ...), else `<stack>-<logical id>`;
`Fn::GetAtt <resource>.Arn` is the ARN built from that id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flightlake.errors import FlightlakeError

_NO_VALUE = object()
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")
_TAGS = ("Ref", "Sub", "GetAtt", "If", "Equals", "Not", "And", "Or", "Join", "Select", "Condition", "Split")
# Resource types whose Ref is a name given in their properties.
_NAME_PROPERTY = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Glue::Job": "Name",
    "AWS::Glue::SecurityConfiguration": "Name",
}
_ARN_FORMATS = {
    "AWS::IAM::Role": "arn:{partition}:iam::{account}:role/{id}",
    "AWS::KMS::Key": "arn:{partition}:kms:{region}:{account}:key/{id}",
    "AWS::S3::Bucket": "arn:{partition}:s3:::{id}",
    "AWS::Glue::Job": "arn:{partition}:glue:{region}:{account}:job/{id}",
}


class TemplateError(FlightlakeError):
    """The template uses something this reader does not resolve."""


def load_yaml(path: Path) -> dict[str, Any]:
    """The template, with CloudFormation's short tags (!Ref, !Sub, ...) as their long forms."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct(tag: str) -> Any:
        def build(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
            if isinstance(node, yaml.ScalarNode):
                value: Any = loader.construct_scalar(node)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)
            if tag == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
            return {tag if tag in ("Ref", "Condition") else f"Fn::{tag}": value}

        return build

    for tag in _TAGS:
        Loader.add_constructor(f"!{tag}", construct(tag))
    return yaml.load(path.read_text(), Loader=Loader)  # a SafeLoader subclass: no arbitrary objects


class Stack:
    """One stack of a template: its parameters resolved, its resources and outputs on demand.

    `physical_id` and `attribute` say what a resource's Ref and Fn::GetAtt give; a subclass
    that knows the real ids (a deployed stack's) overrides them."""

    def __init__(
        self, template: dict[str, Any], name: str, parameters: Mapping[str, Any], pseudo: Mapping[str, str]
    ) -> None:
        self.template, self.name = template, name
        self.pseudo = {"AWS::NoValue": _NO_VALUE, "AWS::StackName": name, **pseudo}
        self.parameters: dict[str, Any] = {}
        for parameter, spec in self.template.get("Parameters", {}).items():
            value = parameters.get(parameter, spec.get("Default"))
            self.parameters[parameter] = int(value) if spec.get("Type") == "Number" and value is not None else value

    @classmethod
    def from_file(cls, path: Path, name: str, parameters: Mapping[str, Any], pseudo: Mapping[str, str]) -> Stack:
        return cls(load_yaml(path), name, parameters, pseudo)

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        """The resolved Properties of every resource of one type, by logical id."""
        return {
            logical_id: self.resolve(resource.get("Properties", {}))
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == kind
        }

    def output(self, name: str) -> Any:
        return self.resolve(self.template["Outputs"][name]["Value"])

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in map(self.resolve, value) if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key.startswith("Fn::"):
                function = getattr(self, "_" + key[4:].lower(), None)
                if function is None:
                    raise TemplateError(f"{self.name}: {key} is not resolved by the rehearsal")
                return function(argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}

    def _ref(self, name: str) -> Any:
        for values in (self.pseudo, self.parameters):
            if name in values:
                return values[name]
        return self.physical_id(name)

    def physical_id(self, logical_id: str) -> str:
        """What CloudFormation names the resource: its name property, else `<stack>-<logical id>`."""
        resource = self.template["Resources"][logical_id]
        name_property = _NAME_PROPERTY.get(resource["Type"])
        if name_property and name_property in resource.get("Properties", {}):
            return str(self.resolve(resource["Properties"][name_property]))
        return f"{self.name}-{logical_id}"

    def attribute(self, logical_id: str, attribute: str) -> str:
        """Fn::GetAtt: a resource's ARN, built from its physical id."""
        kind = self.template["Resources"][logical_id]["Type"]
        if attribute != "Arn" or kind not in _ARN_FORMATS:
            raise TemplateError(f"{self.name}: Fn::GetAtt {logical_id}.{attribute} is not resolved by the rehearsal")
        pseudo = {"partition": self.pseudo["AWS::Partition"], "account": self.pseudo["AWS::AccountId"]}
        return _ARN_FORMATS[kind].format(**pseudo, region=self.pseudo["AWS::Region"], id=self.physical_id(logical_id))

    def _getatt(self, argument: list[str]) -> str:
        return self.attribute(*argument)

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], self.resolve(argument[1]))

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return self.attribute(*name.split(".", 1))
            return str(self._ref(name))

        return _SUB_VARIABLE.sub(value, text)

    def _if(self, argument: list[Any]) -> Any:
        condition, when_true, when_false = argument
        return self.resolve(when_true if self._condition(condition) else when_false)

    def _join(self, argument: list[Any]) -> str:
        return argument[0].join(str(item) for item in self.resolve(argument[1]))

    def _select(self, argument: list[Any]) -> Any:
        return self.resolve(argument[1])[int(argument[0])]

    def _condition(self, name: str) -> bool:
        return self._true(self.template["Conditions"][name])

    def _true(self, expression: Any) -> bool:
        ((key, argument),) = expression.items()
        if key == "Fn::Equals":
            return self.resolve(argument[0]) == self.resolve(argument[1])
        if key == "Fn::Not":
            return not self._true(argument[0])
        if key == "Fn::And":
            return all(self._true(item) for item in argument)
        if key == "Fn::Or":
            return any(self._true(item) for item in argument)
        if key == "Condition":
            return self._condition(argument)
        raise TemplateError(f"{self.name}: condition {key} is not resolved by the rehearsal")
