"""Resolve a template's resources with the parameters a deployed stack really got.

moto's CloudFormation skips resource types it does not implement (AWS::Glue::Job,
AWS::Glue::Database, ...). To still check those definitions against the emulator, the tests
resolve them (the intrinsic functions, as `flightlake.local.harness.cfn_template` resolves them
for the AWS rehearsal) with the parameters recorded on the stack and the physical ids of what it
created, and send them to the emulator's Glue API: botocore validates every field against the
service model, the emulator creates the job, and the test reads it back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cfnlint.decode import decode_str

from flightlake.local.harness.cfn_template import Stack


class Renderer(Stack):
    """A template read as cfn-lint reads it; Ref and Fn::GetAtt of resources come from callbacks
    that know the deployed stack."""

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
        super().__init__(template, pseudo.get("AWS::StackName", "deployed"), parameters, pseudo)
        self._ref_of, self._attribute_of = ref, get_att

    def physical_id(self, logical_id: str) -> str:
        return self._ref_of(logical_id)

    def attribute(self, logical_id: str, attribute: str) -> str:
        return self._attribute_of(logical_id, attribute)
