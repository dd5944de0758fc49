"""Environments: dev, staging, prod (or any name), one committed file each in deploy/environments/.

A file holds what differs between environments and is not a secret: the account and region, the
Availability Zone IDs, sizes (MWAA class, Glue workers, the Redshift RPU cap), the years the DAG
covers, who gets alerts, how many releases to keep. Every resource name is derived from the file
name (`names.Names`), so two environments never collide in one account and region.

Each value is checked when the file is read; an error names the file, the key and the fix.
Unknown keys are errors too: a typo must not silently fall back to a default.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flightlake.errors import FlightlakeError
from flightlake.settings import FIRST_YEAR, LAST_YEAR, SettingsError, parse_years

ENVIRONMENTS_DIR = Path("deploy") / "environments"
# 2-12 characters: every derived name (buckets with account and region in them) stays valid.
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,10}[a-z0-9]$")
_ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
_AZ_ID_RE = re.compile(r"^[a-z]{2,5}[0-9]-az[0-9]+$")
_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,28}[a-z0-9]$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")

# key -> (allowed values or a type, default); a table's keys are "table.key"
_SCHEMA: dict[str, tuple[Any, Any]] = {
    "account": (str, None),
    "region": (str, None),
    "availability_zone_ids": (list, None),
    "bucket_prefix": (str, ""),
    "vpc_cidr": (str, "10.42.0.0/16"),
    "years": (str, f"{FIRST_YEAR}-{LAST_YEAR}"),
    "anomaly_method": (("robust", "isolation_forest"), "robust"),
    "keep_releases": (int, 5),
    "airflow.environment_class": (("mw1.micro", "mw1.small", "mw1.medium", "mw1.large"), "mw1.micro"),
    "airflow.webserver_access": (("PRIVATE_ONLY", "PUBLIC_ONLY"), "PRIVATE_ONLY"),
    "glue.worker_type": (("G.1X", "G.2X"), "G.1X"),
    "glue.workers": (int, 2),
    "glue.execution_class": (("STANDARD", "FLEX"), "STANDARD"),
    "glue.timeout_minutes": (int, 60),
    "warehouse.base_rpu": ((4, 8, 16, 24, 32), 4),
    "warehouse.max_rpu": (int, 8),
    "alerts.emails": (list, []),
}


class EnvironmentFileError(FlightlakeError):
    """An environment file is missing or holds a value the deploy cannot use."""


@dataclass(frozen=True)
class Environment:
    """One environment, as its committed file describes it."""

    name: str
    account: str
    region: str
    availability_zone_ids: tuple[str, str, str]
    bucket_prefix: str
    vpc_cidr: str
    years: tuple[int, ...]
    anomaly_method: str
    keep_releases: int
    environment_class: str
    webserver_access: str
    glue_worker_type: str
    glue_workers: int
    glue_execution_class: str
    glue_timeout_minutes: int
    base_rpu: int
    max_rpu: int
    alert_emails: tuple[str, ...]
    source: Path

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        return "aws-us-gov" if self.region.startswith("us-gov-") else "aws"


def check_name(name: str) -> str:
    if not _NAME_RE.match(name) or "--" in name:
        raise EnvironmentFileError(
            f"environment {name!r}: use 2-12 lowercase letters, digits and single hyphens, starting with a letter "
            "(it is part of every resource name)."
        )
    return name


def environment_names(project_root: Path) -> list[str]:
    return sorted(path.stem for path in (project_root / ENVIRONMENTS_DIR).glob("*.toml"))


def load_environment(project_root: Path, name: str) -> Environment:
    check_name(name)
    path = project_root / ENVIRONMENTS_DIR / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(environment_names(project_root)) or "none"
        raise EnvironmentFileError(
            f"no environment {name!r}: {path} does not exist (environments: {known}). Copy deploy/environments/"
            "dev.toml to it and edit the account, region and sizes."
        )
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise EnvironmentFileError(f"{path}: not valid TOML: {error}") from error
    return _parse(name, path, _flatten(data, path))


def load_all(project_root: Path) -> list[Environment]:
    return [load_environment(project_root, name) for name in environment_names(project_root)]


def _flatten(data: dict[str, Any], path: Path) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, item in items:
            flat[f"{key}.{sub}" if sub else key] = item
    unknown = sorted(set(flat) - set(_SCHEMA))
    if unknown:
        raise EnvironmentFileError(f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(_SCHEMA)}.")
    return flat


def _value(flat: dict[str, Any], key: str, path: Path) -> Any:
    kind, default = _SCHEMA[key]
    value = flat.get(key, default)
    if value is None:
        raise EnvironmentFileError(f"{path}: {key} is required.")
    if isinstance(kind, tuple):
        if value not in kind:
            raise EnvironmentFileError(f"{path}: {key} = {value!r}; expected one of {', '.join(map(str, kind))}.")
    elif not isinstance(value, kind) or isinstance(value, bool):
        raise EnvironmentFileError(f"{path}: {key} = {value!r}; expected a {kind.__name__}.")
    return value


def _check(ok: bool, path: Path, message: str) -> None:
    if not ok:
        raise EnvironmentFileError(f"{path}: {message}")


def _parse(name: str, path: Path, flat: dict[str, Any]) -> Environment:
    def get(key: str) -> Any:
        return _value(flat, key, path)

    account, region = get("account"), get("region")
    _check(bool(_ACCOUNT_RE.match(account)), path, f"account = {account!r}; expected the 12-digit AWS account id.")
    _check(bool(_REGION_RE.match(region)), path, f"region = {region!r}; expected a region name like eu-west-1.")
    zones = tuple(get("availability_zone_ids"))
    _check(
        len(zones) == 3 and len(set(zones)) == 3 and all(isinstance(z, str) and _AZ_ID_RE.match(z) for z in zones),
        path,
        f"availability_zone_ids = {list(zones)}; expected three different AZ IDs like use1-az1 "
        "(Redshift Serverless needs three subnets in zones it supports).",
    )
    prefix = get("bucket_prefix") or f"flightlake-{account}"
    _check(bool(_PREFIX_RE.match(prefix)), path, f"bucket_prefix = {prefix!r}; 3-30 lowercase letters, digits, -.")
    cidr = get("vpc_cidr")
    try:
        network = ipaddress.ip_network(cidr)
    except ValueError:
        network = None
    _check(network is not None and network.prefixlen == 16, path, f"vpc_cidr = {cidr!r}; expected a /16 network.")
    try:
        years = parse_years(get("years"), "years")
    except SettingsError as error:
        raise EnvironmentFileError(f"{path}: {error}") from error
    base, cap = get("warehouse.base_rpu"), get("warehouse.max_rpu")
    rpu = f"warehouse.max_rpu = {cap}; the RPU cap is a multiple of 8, at least base_rpu ({base}), at most 512."
    _check(cap >= base and cap % 8 == 0 and cap <= 512, path, rpu)
    emails = tuple(get("alerts.emails"))
    bad = [e for e in emails if not isinstance(e, str) or not _EMAIL_RE.match(e)]
    _check(not bad, path, f"alerts.emails: {bad} are not e-mail addresses.")
    _check(
        2 <= get("keep_releases") <= 50, path, "keep_releases: between 2 and 50 (the release before keeps its jobs)."
    )
    _check(get("glue.workers") >= 2, path, "glue.workers: 2 at least (a Spark job needs a driver and a worker).")
    _check(1 <= get("glue.timeout_minutes") <= 2880, path, "glue.timeout_minutes: between 1 and 2880.")
    return Environment(
        name=name,
        account=account,
        region=region,
        availability_zone_ids=(zones[0], zones[1], zones[2]),
        bucket_prefix=prefix,
        vpc_cidr=str(network),
        years=years,
        anomaly_method=get("anomaly_method"),
        keep_releases=get("keep_releases"),
        environment_class=get("airflow.environment_class"),
        webserver_access=get("airflow.webserver_access"),
        glue_worker_type=get("glue.worker_type"),
        glue_workers=get("glue.workers"),
        glue_execution_class=get("glue.execution_class"),
        glue_timeout_minutes=get("glue.timeout_minutes"),
        base_rpu=base,
        max_rpu=cap,
        alert_emails=emails,
        source=path,
    )
