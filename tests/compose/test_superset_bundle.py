"""The committed Superset dashboard bundle (Superset's own export) and the script importing it."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

from flightlake.warehouse.columns import TABLE_COLUMNS, names
from tests.compose.conftest import REPO

BUNDLE = REPO / "docker" / "superset" / "dashboards"
MASK = "XXXXXXXXXX"  # superset.constants.PASSWORD_MASK


def load(kind: str) -> dict[str, dict]:
    return {
        p.relative_to(BUNDLE).as_posix(): yaml.safe_load(p.read_text())
        for p in sorted(BUNDLE.glob(f"{kind}/**/*.yaml"))
    }


@pytest.fixture(scope="module")
def importer():
    spec = importlib.util.spec_from_file_location(
        "import_dashboards", REPO / "docker" / "superset" / "import_dashboards.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_dashboards"] = module
    spec.loader.exec_module(module)
    return module


def test_bundle_is_readable_by_the_containers_unprivileged_user():
    for path in [BUNDLE, *BUNDLE.rglob("*")]:
        assert path.stat().st_mode & (0o005 if path.is_dir() else 0o004), f"{path} is not world-readable"


def test_bundle_is_a_superset_dashboard_export():
    metadata = yaml.safe_load((BUNDLE / "metadata.yaml").read_text())
    assert metadata["type"] == "Dashboard" and metadata["version"] == "1.0.0"
    dashboards = load("dashboards")
    assert len(dashboards) == 1
    dashboard = next(iter(dashboards.values()))
    assert dashboard["slug"] == "flightlake-delays" and dashboard["published"] is True


def test_every_chart_appears_once_in_the_layout_and_nothing_is_orphaned():
    dashboard = next(iter(load("dashboards").values()))
    charts = {c["uuid"]: c for c in load("charts").values()}
    placed = [
        node["meta"]["uuid"]
        for node in dashboard["position"].values()
        if isinstance(node, dict) and node.get("type") == "CHART"
    ]
    assert len(placed) == len(set(placed)), "a chart is placed twice (the exporter's orphan rows duplicate charts)"
    assert set(placed) == set(charts) and len(charts) >= 4
    viz = {c["viz_type"] for c in charts.values()}
    assert {"echarts_timeseries_bar", "mixed_timeseries", "table"} <= viz
    datasets = {d["uuid"]: d for d in load("datasets").values()}
    assert all(c["dataset_uuid"] in datasets for c in charts.values())
    # Every row of the grid hangs off the root; widths fit the 12-column grid.
    grid = dashboard["position"]["GRID_ID"]["children"]
    for row in grid:
        widths = [dashboard["position"][child]["meta"]["width"] for child in dashboard["position"][row]["children"]]
        assert sum(widths) <= 12


def test_datasets_are_the_warehouse_tables_and_their_columns_exist_in_the_ddl():
    datasets = {d["table_name"]: d for d in load("datasets").values()}
    assert set(datasets) == {"airport_daily_delays", "airport_year_summary", "anomalous_days"}
    table = {column["column_name"] for column in datasets["airport_daily_delays"]["columns"]}
    assert table == set(names(TABLE_COLUMNS))  # the one column list of the warehouse table
    ddl = " ".join(p.read_text() for p in sorted((REPO / "postgres_init").glob("*.sql")))
    for name, dataset in datasets.items():
        assert dataset["schema"] == "dw"
        for column in dataset["columns"]:
            assert re.search(rf"\b{column['column_name']}\b", ddl), (
                f"{name}.{column['column_name']} not in postgres_init/"
            )
    chart_columns = set()
    for chart in load("charts").values():
        params = chart["params"]
        chart_columns |= set(params.get("all_columns", [])) | {params.get("x_axis")} - {None}
        chart_columns |= {m["column"]["column_name"] for m in params.get("metrics", []) + params.get("metrics_b", [])}
    for column in chart_columns:
        assert re.search(rf"\b{column}\b", ddl), column


def test_year_filter_targets_the_year_column_for_every_chart():
    dashboard = next(iter(load("dashboards").values()))
    filters = dashboard["metadata"]["native_filter_configuration"]
    year = [f for f in filters if f["name"] == "Year"]
    assert year and year[0]["filterType"] == "filter_select"
    assert year[0]["targets"][0]["column"]["name"] == "year"
    assert year[0]["scope"] == {"rootPath": ["ROOT_ID"], "excluded": []}


def test_no_password_in_the_bundle_and_the_connection_points_at_compose_postgres():
    (database,) = load("databases").values()
    assert database["sqlalchemy_uri"] == f"postgresql://flightlake:{MASK}@postgres:5432/flightlake"
    for path in BUNDLE.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert not re.search(r"password\s*:", text, re.IGNORECASE), path
            for uri in re.findall(r"\w+://[^\s'\"]+", text):
                match = re.match(r"\w+://[^:/@]+:([^@]+)@", uri)
                assert match is None or match.group(1) == MASK, f"{path}: {uri}"


def test_importer_reads_the_bundle_and_keeps_the_password_out_of_the_uri(importer):
    contents = importer.bundle_contents(BUNDLE)
    assert "metadata.yaml" in contents and any(k.startswith("databases/") for k in contents)
    assert all(not Path(k).is_absolute() for k in contents)
    patched = importer.with_warehouse_uri(contents, "postgresql://reader@warehouse.internal:5439/dev")
    (name,) = [k for k in patched if k.startswith("databases/")]
    uri = yaml.safe_load(patched[name])["sqlalchemy_uri"]
    assert uri == f"postgresql://reader:{MASK}@warehouse.internal:5439/dev"  # the mask keeps the env password
    assert importer.with_warehouse_uri(contents, None) is contents
    with pytest.raises(SystemExit):
        importer.with_warehouse_uri(contents, "postgresql://reader:hunter2@warehouse.internal/dev")
    with pytest.raises(SystemExit):
        importer.bundle_contents(BUNDLE / "charts")


def test_compose_supplies_the_password_from_the_environment():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    env = compose["services"]["superset-init"]["environment"]
    assert env["FLIGHTLAKE_WAREHOUSE_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "./docker/superset/dashboards:/app/dashboards:ro" in compose["services"]["superset-init"]["volumes"]
    init = (REPO / "docker" / "superset" / "superset-init.sh").read_text()
    assert "import_dashboards.py" in init and "set -eu" in init
