"""Readers for single values of the environment: each validates, and its error names the variable.

Kept apart from `Settings` so that the list of settings stays readable on one screen. Standard
library only: the Spark jobs import this on AWS Glue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

_WHOLE = re.compile(r"^[0-9]+$")
FIRST_YEAR, LAST_YEAR = 2009, 2018  # the years the Kaggle data set covers, and the generator's model


class SettingsError(ValueError):
    """A setting has a value flightlake cannot use; the message names the variable and the fix."""


def text(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    """The stripped value, or `default` when unset or blank (a blank variable means "not set")."""
    value = env.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = text(env, name, default) or default
    if value not in allowed:
        raise SettingsError(f"{name}={value!r} is not one of {', '.join(allowed)}.")
    return value


def whole_number(env: Mapping[str, str], name: str, default: int, minimum: int, what: str) -> int:
    value = text(env, name, str(default)) or str(default)
    if not _WHOLE.match(value) or int(value) < minimum:
        raise SettingsError(f"{name}={value!r}: expected a whole number of {what}, {minimum} or more.")
    return int(value)


def port(env: Mapping[str, str], name: str, default: int) -> int:
    value = text(env, name, str(default)) or str(default)
    if not _WHOLE.match(value) or not 0 < int(value) < 65536:
        raise SettingsError(f"{name}={value!r}: expected a port number between 1 and 65535.")
    return int(value)


def path(env: Mapping[str, str], name: str) -> Path | None:
    value = text(env, name)
    return Path(value).expanduser().absolute() if value else None


def paths(env: Mapping[str, str], name: str) -> tuple[Path, ...] | None:
    """A comma-separated list of files, e.g. the S3A jars; None when unset."""
    value = text(env, name)
    if not value:
        return None
    return tuple(Path(part.strip()).expanduser().absolute() for part in value.split(",") if part.strip())


def validate_dsn(name: str, dsn: str) -> str:
    """Reject a DSN psycopg would only reject later, deep inside a task, with a vaguer message."""
    parts = urlsplit(dsn)
    problem = None
    if parts.scheme not in ("postgresql", "postgres"):
        problem = "it must start with postgresql://"
    elif not parts.hostname:
        problem = "it names no host"
    elif not parts.path.strip("/"):
        problem = "it names no database"
    else:
        try:
            port_number = parts.port
        except ValueError:
            port_number = -1
        if port_number is not None and not 0 < port_number < 65536:
            problem = "its port is not a number between 1 and 65535"
    if problem:
        raise SettingsError(
            f"{name} is not a valid PostgreSQL URL ({problem}); expected postgresql://user:password@host:port/dbname."
        )
    return dsn


def parse_years(
    value: str, name: str = "--years", first: int = FIRST_YEAR, last: int = LAST_YEAR, within: str = ""
) -> tuple[int, ...]:
    """'2009-2018', '2013' or '2012,2014' -> sorted years; the CLI and the settings share it.

    Every year must lie in first..last (by default the years the data set covers, 2009-2018):
    a year outside would get no data, no generator model and no DAG run, so it is refused here,
    before anything is created, rather than failing deep inside a task. `within` says where the
    bounds come from; `name` is the variable or option, left out of the message when empty
    (argparse names the option itself).
    """
    label = f"{name}={value!r}" if name else repr(value)
    if not value.strip():
        raise SettingsError(f"{label} names no year: give a year, a range like 2009-2018, or a list.")
    years: set[int] = set()
    for chunk in value.split(","):
        chunk = chunk.strip()
        match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", chunk)
        if not match:
            raise SettingsError(f"{label}: expected a year, a range like 2009-2018, or a list.")
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if end < start:
            raise SettingsError(f"{label}: the range {chunk} runs backwards.")
        years.update(range(start, end + 1))
    return check_years(tuple(sorted(years)), name, first, last, within)


def check_years(
    years: tuple[int, ...], name: str = "--years", first: int = FIRST_YEAR, last: int = LAST_YEAR, within: str = ""
) -> tuple[int, ...]:
    """`years` unchanged if all lie in first..last; else a SettingsError naming those outside."""
    outside = [year for year in years if not first <= year <= last]
    if outside:
        listed = ", ".join(map(str, outside[:5])) + (", ..." if len(outside) > 5 else "")
        verb = "is" if len(outside) == 1 else "are"
        where = within or "the years the Kaggle data covers"
        prefix = f"{name}: " if name else ""
        raise SettingsError(f"{prefix}{listed} {verb} outside {first}-{last}, {where}. Give years in {first}-{last}.")
    return years


def within_dag(years: tuple[int, ...], dag_years: tuple[int, ...], name: str = "--years") -> tuple[int, ...]:
    """`years` if the flights_etl DAG, scheduled over min..max of `dag_years` (FLIGHTLAKE_YEARS),
    has a run for each: a year outside would get a DagRun with no task, reported as a success."""
    within = "the years of the flights_etl DAG (FLIGHTLAKE_YEARS)"
    return check_years(years, name, min(dag_years), max(dag_years), within)


def endpoint(env: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    """The first of `names` that is set, as an http(s) URL without a trailing slash."""
    for name in names:
        value = text(env, name)
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise SettingsError(f"{name}={value!r} is not an http(s) URL like http://127.0.0.1:4566.")
            return value.rstrip("/")
    return None
