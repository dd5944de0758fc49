"""The warehouse load as named SQL steps, the same on PostgreSQL and on Redshift.

`sql/load_airport_daily.sql` holds the steps (stage, record the run, delete what vanished, MERGE,
finish the run record); its `{placeholders}` are the column lists of `columns`, so adding a
column is one edit. Values are never formatted in: statements carry `:name` parameters, which
psycopg binds as `%(name)s` and the Redshift Data API takes as named parameters.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from flightlake.warehouse.columns import KEY, LOADED_COLUMNS, names
from flightlake.warehouse.sql_files import statements

LOAD_SQL = "sql/load_airport_daily.sql"  # in the package flightlake.warehouse
STEP_MARK = re.compile(r"^-- step: (\w+)\s*$", re.MULTILINE)
_PARAMETER = re.compile(r"(?<![:\w]):([a-z_]+)")
_INDENT = ",\n    "


def _column_lists() -> dict[str, str]:
    loaded = names(LOADED_COLUMNS)
    return {
        "stage_columns": _INDENT.join(f"{name:<18} {kind}" for name, kind in LOADED_COLUMNS),
        "update_set": _INDENT.join(f"{name} = s.{name}" for name in loaded if name not in KEY),
        "insert_columns": ", ".join(loaded),
        "insert_values": ", ".join(f"s.{name}" for name in loaded),
    }


def load_steps(text: str | None = None) -> list[tuple[str, str]]:
    """The named statements of the load, in order, with the column lists filled in; from the
    packaged SQL file, or from `text` (the same file elsewhere, e.g. a copy being checked)."""
    if text is None:
        text = resources.files("flightlake.warehouse").joinpath(LOAD_SQL).read_text()
    lists = _column_lists()
    parts = STEP_MARK.split(text)
    steps = []
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        (statement,) = statements(body)  # one statement per step
        steps.append((name, re.sub(r"\{(\w+)\}", lambda m: lists[m.group(1)], statement)))
    return steps


def parameter_names(statement: str) -> list[str]:
    return sorted(set(_PARAMETER.findall(statement)))


def inline_nulls(statement: str, values: dict[str, Any]) -> str:
    """`:name` -> NULL for the parameters whose value is None: the Redshift Data API takes no
    NULL parameter (a value is a non-empty string), so a NULL is written as the keyword."""
    return _PARAMETER.sub(
        lambda m: "NULL" if m.group(1) in values and values[m.group(1)] is None else m.group(0), statement
    )


def psycopg_sql(statement: str) -> str:
    """`:name` (Redshift Data API style) -> `%(name)s` (psycopg style)."""
    return _PARAMETER.sub(r"%(\1)s", statement)


def run_parameters(year: int, source_uri: str, airflow_run_id: str | None) -> dict[str, Any]:
    """The values one load binds: a fresh run id, the year, where the rows came from, when."""
    return {
        "run_id": uuid.uuid4().hex,
        "year": year,
        "source_uri": source_uri,
        "airflow_run_id": airflow_run_id,
        "started_at": now(),
    }


def now() -> datetime:
    """A timestamp as the warehouse stores it: UTC, without zone, to the second."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
