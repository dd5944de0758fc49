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


def parse_years(value: str, name: str = "--years") -> tuple[int, ...]:
    """'2009-2018', '2013' or '2012,2014' -> sorted years; the CLI and the settings share it."""
    if not value.strip():
        raise SettingsError(f"{name}={value!r} names no year: give a year, a range like 2009-2018, or a list.")
    years: set[int] = set()
    for chunk in value.split(","):
        chunk = chunk.strip()
        match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", chunk)
        if not match:
            raise SettingsError(f"{name}={value!r}: expected a year, a range like 2009-2018, or a list.")
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if end < start:
            raise SettingsError(f"{name}={value!r}: the range {chunk} runs backwards.")
        years.update(range(start, end + 1))
    return tuple(sorted(years))


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
