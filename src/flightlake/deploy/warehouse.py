"""Facts about the deployed Redshift Serverless warehouse, asked of Redshift itself.

The workgroup ARN (for the MWAA role's policy), the namespace id (to notice a namespace that was
replaced and needs its DDL again) and the admin secret (the DDL runs as the admin) are attributes
only Redshift knows; reading them from the API rather than from stack outputs keeps one source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flightlake.deploy.clients import or_none


@dataclass(frozen=True)
class WarehouseFacts:
    workgroup: str
    workgroup_arn: str
    namespace: str
    namespace_id: str
    admin_secret_arn: str | None


def lookup(serverless: Any, workgroup: str) -> WarehouseFacts | None:
    """The workgroup and its namespace; None when the workgroup does not exist."""
    group = or_none(lambda: serverless.get_workgroup(workgroupName=workgroup)["workgroup"], "ResourceNotFoundException")
    if group is None:
        return None
    namespace = serverless.get_namespace(namespaceName=group["namespaceName"])["namespace"]
    return WarehouseFacts(
        workgroup=workgroup,
        workgroup_arn=group["workgroupArn"],
        namespace=namespace["namespaceName"],
        namespace_id=namespace["namespaceId"],
        admin_secret_arn=namespace.get("adminPasswordSecretArn"),
    )
