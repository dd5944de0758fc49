"""One environment in its AWS account and region: what is deployed there, read once and cached.

Every command (deploy, promote, rollback, status, destroy, ingest --env) starts from a `Target`:
the environment's file, the names derived from it, AWS clients in the environment's region (the
file's region, never a default), the stacks as CloudFormation reports them, and facts only the
services know (the Redshift workgroup, this account's names of the AZ IDs). Before anything is
planned the caller's account must be the file's account.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flightlake.deploy import cloudformation
from flightlake.deploy.clients import Clients, answering
from flightlake.deploy.cloudformation import DeployedStack, StackRequest, Timing
from flightlake.deploy.environments import Environment
from flightlake.deploy.names import PROTECTED_STACKS, STACK_KEYS, Names
from flightlake.deploy.plan import Pending
from flightlake.deploy.runtime_env import lake_environment
from flightlake.deploy.stacks import STACKS, ReleasePointer, StackInputs
from flightlake.deploy.warehouse import WarehouseFacts, lookup
from flightlake.errors import FlightlakeError
from flightlake.settings import Settings, load_settings

Echo = Callable[[str], None]


class WrongAccount(FlightlakeError):
    """The credentials in use belong to another account than the environment's file names."""


class UnknownZone(FlightlakeError):
    """An Availability Zone ID of the environment file does not exist in its region."""


def environment_settings(env: Environment, base: Mapping[str, str] | None = None) -> Settings:
    """Settings pointing at the environment's lake and region (the endpoint, if any, kept)."""
    names = Names(env)
    values = dict(os.environ if base is None else base)
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        values.pop(variable, None)
    values.update(lake_environment(names))
    return load_settings(values)


class Target:
    def __init__(
        self,
        env: Environment,
        project_root: Path,
        clients: Clients | None = None,
        timing: Timing = Timing(),
        echo: Echo = lambda line: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.env = env
        self.names = Names(env)
        self.root = project_root
        self.settings = environment_settings(env)
        self.clients = clients or Clients(self.settings)
        self.timing, self.echo, self.sleep = timing, echo, sleep
        self._stacks: dict[str, DeployedStack | None] = {}
        self._facts: WarehouseFacts | None = None
        self._facts_known = False
        self._zones: tuple[str, ...] | None = None

    # --- identity ---------------------------------------------------------------------------------
    def check_account(self) -> str:
        """The caller's ARN, once its account is the environment's."""
        identity = self.clients.get("sts").get_caller_identity()
        if identity["Account"] != self.env.account:
            raise WrongAccount(
                f"{self.env.source} names account {self.env.account}, but the credentials in use belong to "
                f"{identity['Account']} ({identity['Arn']}): use credentials for {self.env.account}, or put the "
                "right account in the file."
            )
        return identity["Arn"]

    # --- stacks -----------------------------------------------------------------------------------
    def stack(self, key: str) -> DeployedStack | None:
        if key not in self._stacks:
            self._stacks[key] = cloudformation.read_stack(self.clients.cloudformation, self.names.stack(key))
        return self._stacks[key]

    def forget(self, key: str) -> None:
        self._stacks.pop(key, None)
        if key == "warehouse":
            self._facts_known = False

    def outputs(self) -> dict[str, dict[str, str]]:
        return {key: stack.outputs for key in STACK_KEYS if (stack := self.stack(key)) is not None}

    def output(self, stack: str, name: str) -> str | Pending:
        """A stack output (Pending while the stack does not exist); asks no other service."""
        unknown = Pending("not needed")
        return StackInputs(self.names, self.outputs(), ReleasePointer("-", {}), unknown, unknown).output(stack, name)

    @property
    def bucket(self) -> str | Pending:
        return self.output("artifacts", "ArtifactsBucketName")

    def inputs(self, release: ReleasePointer) -> StackInputs:
        facts = self.facts()
        return StackInputs(
            names=self.names,
            outputs=self.outputs(),
            release=release,
            workgroup_arn=facts.workgroup_arn if facts else Pending("warehouse workgroup ARN"),
            zone_names=self.zone_names(),
        )

    def request(self, key: str, release: ReleasePointer, keep_deployed_template: bool = False) -> StackRequest:
        """The stack as wanted; `keep_deployed_template`: new parameters only (a rollback)."""
        name = self.names.stack(key)
        deployed = self.stack(key) if keep_deployed_template else None
        if deployed is not None:
            body = cloudformation.deployed_template(self.clients.cloudformation, name)
        else:
            body = STACKS[key].template(self.root).read_text()
        return StackRequest(
            name=name,
            body=body,
            parameters=STACKS[key].parameters(self.inputs(release)),
            deployment=self.names.deployment,
            protected=key in PROTECTED_STACKS,
        )

    # --- facts only the services know -------------------------------------------------------------
    def facts(self) -> WarehouseFacts | None:
        """The Redshift workgroup and namespace, once the warehouse stack exists."""
        if not self._facts_known:
            if self.stack("warehouse") is None:
                return None
            with answering("redshift-serverless"):
                self._facts = lookup(self.clients.redshift_serverless, self.names.workgroup)
            self._facts_known = True
        return self._facts

    def zone_names(self) -> tuple[str, ...]:
        """This account's names of the environment's AZ IDs, in the file's order."""
        if self._zones is None:
            ids = list(self.env.availability_zone_ids)
            ec2 = self.clients.get("ec2")
            try:
                zones = ec2.describe_availability_zones(ZoneIds=ids)["AvailabilityZones"]
            except Exception as error:  # InvalidParameterValue names the unknown id
                raise UnknownZone(f"{self.env.source}: availability_zone_ids {ids}: {error}") from error
            by_id = {zone["ZoneId"]: zone["ZoneName"] for zone in zones}
            missing = [zone for zone in ids if zone not in by_id]
            if missing:
                raise UnknownZone(f"{self.env.source}: no zone {', '.join(missing)} in {self.env.region}.")
            self._zones = tuple(by_id[zone] for zone in ids)
        return self._zones

    @property
    def s3(self) -> Any:
        return self.clients.s3
