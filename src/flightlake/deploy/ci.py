"""The account's CI stack (`flightlake-ci`): GitHub's OIDC provider and the roles CI assumes.

One per account, applied by a person with IAM rights (`flightlake deploy ci --repository
OWNER/NAME --apply`); the workflow in .github/workflows/deploy.yml then assumes its roles with
short-lived tokens. No access key is ever created.
"""

from __future__ import annotations

import re
from pathlib import Path

from flightlake.deploy.cloudformation import StackRequest, read_stack
from flightlake.errors import FlightlakeError

STACK_NAME = "flightlake-ci"
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class RepositoryName(FlightlakeError):
    """The repository is not OWNER/NAME."""


def request(project_root: Path, repository: str, create_provider: bool) -> StackRequest:
    if not _REPOSITORY.match(repository):
        raise RepositoryName(f"--repository {repository!r}: expected OWNER/NAME, as on GitHub.")
    return StackRequest(
        name=STACK_NAME,
        body=(project_root / "deploy" / "cloudformation" / "ci.yaml").read_text(),
        parameters={"Repository": repository, "CreateOidcProvider": "true" if create_provider else "false"},
        deployment="ci",
    )


__all__ = ["STACK_NAME", "read_stack", "request"]
