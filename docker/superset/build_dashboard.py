"""How docker/superset/dashboards/ was made: builds the dashboard through Superset's REST API.

Not run by the stack. Run it against a live Superset (6.1.0, this directory's requirements.txt)
whose warehouse connection can reach a Postgres holding the `dw` schema with some rows, then
export with Superset's own `superset export-dashboards` and unpack the zip into
docker/superset/dashboards/ (see docs/compose.md, "Changing the dashboard"). The committed
bundle is that export, never hand-written.

    SUPERSET_URL=http://127.0.0.1:8088 SUPERSET_USER=admin SUPERSET_PASSWORD=... \
    WAREHOUSE_URI=postgresql://flightlake:...@127.0.0.1:5433/flightlake python build_dashboard.py

The server must accept API writes without a CSRF token (WTF_CSRF_ENABLED = False in the
throwaway config used for building).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import requests

DATABASE_NAME = "Flightlake warehouse"
DASHBOARD_TITLE = "Flightlake: airport delays and anomalies"
SLUG = "flightlake-delays"


class Api:
    def __init__(self, url: str, user: str, password: str) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        answer = self.session.post(
            f"{self.url}/api/v1/security/login",
            json={"username": user, "password": password, "provider": "db", "refresh": False},
            timeout=30,
        )
        answer.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = self.session.request(method, f"{self.url}/api/v1/{path}", timeout=60, **kwargs)
        if answer.status_code >= 400:
            sys.exit(f"{method} {path}: {answer.status_code} {answer.text[:2000]}")
        return answer.json()

    def find(self, resource: str, column: str, value: str) -> int | None:
        query = json.dumps({"filters": [{"col": column, "opr": "eq", "value": value}]})
        result = self.call("GET", f"{resource}/", params={"q": query})["result"]
        return result[0]["id"] if result else None


def metric(column: str, aggregate: str, label: str) -> dict[str, Any]:
    return {
        "expressionType": "SIMPLE",
        "column": {"column_name": column},
        "aggregate": aggregate,
        "label": label,
        "optionName": f"metric_{label.replace(' ', '_')}",
    }


def main() -> None:
    api = Api(os.environ["SUPERSET_URL"], os.environ["SUPERSET_USER"], os.environ["SUPERSET_PASSWORD"])
    database_id = (
        api.find("database", "database_name", DATABASE_NAME)
        or api.call(
            "POST",
            "database/",
            json={
                "database_name": DATABASE_NAME,
                "sqlalchemy_uri": os.environ["WAREHOUSE_URI"],
                "expose_in_sqllab": True,
                "allow_dml": False,
            },
        )["id"]
    )

    datasets = {}
    for table in ("airport_daily_delays", "airport_year_summary", "anomalous_days"):
        datasets[table] = (
            api.find("dataset", "table_name", table)
            or api.call("POST", "dataset/", json={"database": database_id, "schema": "dw", "table_name": table})["id"]
        )

    def chart(name: str, table: str, params: dict[str, Any]) -> int:
        params = {"datasource": f"{datasets[table]}__table", "adhoc_filters": [], **params}
        body = {
            "slice_name": name,
            "viz_type": params["viz_type"],
            "datasource_id": datasets[table],
            "datasource_type": "table",
            "params": json.dumps(params),
        }
        existing = api.find("chart", "slice_name", name)
        if existing:
            api.call("PUT", f"chart/{existing}", json=body)
            return existing
        return api.call("POST", "chart/", json=body)["id"]

    total = chart(
        "Anomalous airport-days",
        "airport_year_summary",
        {
            "viz_type": "big_number_total",
            "metric": metric("anomaly_days", "SUM", "anomalous airport-days"),
            "subheader": "days flagged by the detector, all airports",
            "y_axis_format": "SMART_NUMBER",
        },
    )
    per_airport = chart(
        "Anomalous days per airport",
        "airport_year_summary",
        {
            "viz_type": "echarts_timeseries_bar",
            "x_axis": "origin_airport",
            "metrics": [metric("anomaly_days", "SUM", "anomalous days")],
            "groupby": [],
            "x_axis_sort": "anomalous days",
            "x_axis_sort_asc": False,
            "row_limit": 1000,
            "orientation": "vertical",
            "show_legend": False,
            "x_axis_title": "origin airport",
            "y_axis_title": "anomalous days",
            "y_axis_title_margin": 30,
        },
    )
    over_time = chart(
        "Daily average departure delay, anomalies marked",
        "airport_daily_delays",
        {
            "viz_type": "mixed_timeseries",
            "x_axis": "flight_date",
            "time_grain_sqla": "P1D",
            "metrics": [metric("avg_dep_delay", "AVG", "avg departure delay (min)")],
            "groupby": [],
            "adhoc_filters": [],
            "metrics_b": [metric("avg_dep_delay", "MAX", "anomalous day (min)")],
            "groupby_b": ["origin_airport"],
            "adhoc_filters_b": [
                {
                    "expressionType": "SIMPLE",
                    "subject": "is_anomaly",
                    "operator": "IS TRUE",
                    "clause": "WHERE",
                    "filterOptionName": "filter_is_anomaly",
                }
            ],
            "seriesType": "line",
            "seriesTypeB": "scatter",
            "markerEnabledB": True,
            "markerSize": 6,
            "markerSizeB": 10,
            "yAxisIndex": 0,
            "yAxisIndexB": 0,
            "row_limit": 10000,
            "row_limit_b": 10000,
            "show_legend": True,
            "rich_tooltip": True,
            "y_axis_title": "minutes",
        },
    )
    reasons = chart(
        "Anomalous days and why",
        "anomalous_days",
        {
            "viz_type": "table",
            "query_mode": "raw",
            "all_columns": [
                "flight_date",
                "origin_airport",
                "avg_dep_delay",
                "cancellation_rate",
                "anomaly_score",
                "method",
                "reason",
            ],
            "order_by_cols": [json.dumps(["anomaly_score", False])],
            "row_limit": 1000,
            "server_pagination": False,
            "include_search": True,
            "table_timestamp_format": "%Y-%m-%d",
            "column_config": {
                "avg_dep_delay": {"d3NumberFormat": ",.1f"},
                "cancellation_rate": {"d3NumberFormat": ".1%"},
                "anomaly_score": {"d3NumberFormat": ",.2f"},
            },
        },
    )

    rows = [
        ("ROW-overview", [(total, 3), (per_airport, 9)], 50),
        ("ROW-over-time", [(over_time, 12)], 60),
        ("ROW-reasons", [(reasons, 12)], 70),
    ]
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [r[0] for r in rows], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": DASHBOARD_TITLE}},
    }
    for row_id, charts, height in rows:
        position[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [f"CHART-{chart_id}" for chart_id, _ in charts],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for chart_id, width in charts:
            # As the dashboard editor saves it: without uuid and sliceName the exporter treats the
            # chart as an orphan and appends a second copy of it.
            saved = api.call("GET", f"chart/{chart_id}")["result"]
            position[f"CHART-{chart_id}"] = {
                "type": "CHART",
                "id": f"CHART-{chart_id}",
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "chartId": chart_id,
                    "uuid": saved["uuid"],
                    "sliceName": saved["slice_name"],
                    "width": width,
                    "height": height,
                },
            }
    year_filter = {
        "id": "NATIVE_FILTER-year",
        "name": "Year",
        "filterType": "filter_select",
        "type": "NATIVE_FILTER",
        "description": "Limit every chart to the chosen year(s)",
        "targets": [{"datasetId": datasets["airport_year_summary"], "column": {"name": "year"}}],
        "controlValues": {
            "enableEmptyFilter": False,
            "defaultToFirstItem": False,
            "multiSelect": True,
            "searchAllOptions": False,
            "inverseSelection": False,
        },
        "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
        "cascadeParentIds": [],
        "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
        "chartsInScope": [total, per_airport, over_time, reasons],
    }
    metadata = {
        "native_filter_configuration": [year_filter],
        "color_scheme": "supersetColors",
        "refresh_frequency": 0,
        "cross_filters_enabled": True,
    }
    body = {
        "dashboard_title": DASHBOARD_TITLE,
        "slug": SLUG,
        "published": True,
        "position_json": json.dumps(position),
        "json_metadata": json.dumps(metadata),
    }
    dashboard_id = api.find("dashboard", "slug", SLUG)
    if dashboard_id:
        api.call("PUT", f"dashboard/{dashboard_id}", json=body)
    else:
        dashboard_id = api.call("POST", "dashboard/", json=body)["id"]
    for chart_id in (total, per_airport, over_time, reasons):
        api.call("PUT", f"chart/{chart_id}", json={"dashboards": [dashboard_id]})
    print(f"dashboard {dashboard_id} ({SLUG}): charts {total}, {per_airport}, {over_time}, {reasons}")


if __name__ == "__main__":
    main()
