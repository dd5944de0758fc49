"""The warehouse table's columns have one source (`flightlake.warehouse.columns`): the DDL file that
Postgres' container and Redshift read as it is must declare exactly those, in that order."""

from __future__ import annotations

import re

from flightlake.lake.schemas import DAILY_ANOMALY_COLUMNS, names
from flightlake.warehouse.columns import KEY, LOADED_COLUMNS, TABLE_COLUMNS
from flightlake.warehouse.load_script import load_steps
from tests.conftest import REPO


def declared_columns(table: str) -> list[tuple[str, str]]:
    """(name, type) of a CREATE TABLE in postgres_init/01_schema.sql, constraints left out."""
    ddl = (REPO / "postgres_init" / "01_schema.sql").read_text()
    body = ddl.split(f"CREATE TABLE IF NOT EXISTS {table} (", 1)[1].split(");", 1)[0]
    columns = []
    for line in body.splitlines():
        match = re.match(r"\s+([a-z_0-9]+)\s+(.+?)(?:\s+NOT NULL)?,?\s*$", line)
        if match and match.group(1) != "PRIMARY":
            columns.append((match.group(1), " ".join(match.group(2).split())))
    return columns


def test_the_ddl_declares_exactly_the_table_columns_in_order():
    assert declared_columns("dw.airport_daily_delays") == list(TABLE_COLUMNS)
    assert "PRIMARY KEY (flight_date, origin_airport)" in (REPO / "postgres_init" / "01_schema.sql").read_text()
    assert KEY == ("flight_date", "origin_airport")


def test_the_loaded_columns_are_the_lake_tables_in_its_order():
    assert names(LOADED_COLUMNS) == names(DAILY_ANOMALY_COLUMNS)
    staging = dict(load_steps())["create_stage"]
    assert [line.split()[0] for line in staging.splitlines()[1:-1]] == names(LOADED_COLUMNS)
