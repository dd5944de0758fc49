"""Resolve a template's resources with the parameters a deployed stack really got.

moto's CloudFormation skips resource types it does not implement (AWS::Glue::Job,
AWS::Glue::Database, ...). To still check those definitions against the emulator, the tests
resolve them here (Ref, Fn::Sub, Fn::GetAtt, Fn::If, Fn::Join, Fn::Select, AWS::NoValue) with
the parameters recorded on the stack, and send them to moto's Glue API: botocore validates every
field against the service model, moto creates the job, and the test reads it back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from cfnlint.decode import decode_str

_NO_VALUE = object()
_SUB = re.compile(r"\$\{([^}!]+)\}")


class Renderer:
    def __init__(
        self,
        template_text: str,
        parameters: Mapping[str, str],
        pseudo: Mapping[str, str],
        ref: Callable[[str], str],
        get_att: Callable[[str, str], str],
    ) -> None:
        template, problems = decode_str(template_text)
        assert not problems, problems
        self.template = template
        self.parameters = dict(parameters)
        for name, spec in template.get("Parameters", {}).items():
            self.parameters.setdefault(name, spec.get("Default"))
            if spec.get("Type") == "Number" and self.parameters[name] is not None:
                self.parameters[name] = int(self.parameters[name])
        self.pseudo = {"AWS::NoValue": _NO_VALUE, **pseudo}
        self._ref, self._get_att = ref, get_att

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        """Resolved Properties of every resource of one type, by logical id."""
        return {
            logical_id: self.resolve(resource.get("Properties", {}))
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == kind
        }

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key == "Ref":
                    return self._resolve_ref(argument)
                if key.startswith("Fn::") or key == "Condition":
                    return getattr(self, "_" + key.removeprefix("Fn::").lower())(argument)
            resolved = {k: self.resolve(v) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not _NO_VALUE}
        if isinstance(value, list):
            return [item for item in (self.resolve(v) for v in value) if item is not _NO_VALUE]
        return value

    def _resolve_ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self._ref(name)

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], self.resolve(argument[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self._get_att(*name.split(".", 1)))
            return str(self._resolve_ref(name))

        return _SUB.sub(replace, text)

    def _getatt(self, argument: list[str]) -> str:
        return self._get_att(argument[0], argument[1])

    def _if(self, argument: list[Any]) -> Any:
        condition, when_true, when_false = argument
        return self.resolve(when_true if self._condition(condition) else when_false)

    def _join(self, argument: list[Any]) -> str:
        return argument[0].join(str(v) for v in self.resolve(argument[1]))

    def _select(self, argument: list[Any]) -> Any:
        return self.resolve(argument[1])[int(argument[0])]

    def _condition(self, name: str) -> bool:
        return self._evaluate(self.template["Conditions"][name])

    def _evaluate(self, expression: Any) -> bool:
        ((key, argument),) = expression.items()
        if key == "Fn::Equals":
            return self.resolve(argument[0]) == self.resolve(argument[1])
        if key == "Fn::Not":
            return not self._evaluate(argument[0])
        if key == "Condition":
            return self._condition(argument)
        raise NotImplementedError(key)
