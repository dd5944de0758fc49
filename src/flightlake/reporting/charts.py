"""One PNG per airport and year, rendered in parallel, with a per-year index.

Each worker process keeps one warm `chart_canvas.Canvas` and re-fills it per airport; the pool is
kept between years, so a ten-year run starts Python and matplotlib once per worker, not ten times.
The year's rows are cut into each airport's arrays once, in the parent (`by_airport`): the
workers get arrays, not data frames, and spend their time drawing.
"""

from __future__ import annotations

import contextlib
import functools
import html
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd

from flightlake.reporting.chart_canvas import AirportDays, Canvas


@dataclass(frozen=True)
class Chart:
    airport: str
    year: int
    png: bytes
    anomalies: int
    gaps: int
    days: int
    status: str


_CANVAS: Canvas | None = None


def _draw(days: AirportDays, airport: str, year: int, method: str) -> bytes:
    global _CANVAS
    if _CANVAS is None:
        _CANVAS = Canvas()
    return _CANVAS.draw(days, airport, year, method)


def render(days: pd.DataFrame, airport: str, year: int, method: str = "") -> bytes:
    """The PNG bytes of one airport's year (rows: one per day, as the anomaly table has them)."""
    return _draw(AirportDays.of(days), airport, year, method)


@dataclass(frozen=True)
class _Job:
    airport: str
    year: int
    method: str
    days: AirportDays
    status: str  # for the index: scored, or insufficient_data when every day says so


def by_airport(result: pd.DataFrame, year: int) -> list[_Job]:
    """Each airport's chart to draw, in airport order, from the year's rows cut once."""
    method = str(result["method"].iloc[0]) if len(result) else ""
    jobs = []
    for airport, days in result.groupby("origin_airport", sort=True):
        status = days["status"]
        whole = str(status.iloc[0]) if (status == "insufficient_data").all() else "scored"
        jobs.append(_Job(str(airport), year, method, AirportDays.of(days), whole))
    return jobs


def _render_one(job: _Job) -> Chart:
    days = job.days
    png = _draw(days, job.airport, job.year, job.method)
    gaps = int(days.gaps.sum())
    return Chart(job.airport, job.year, png, int(days.anomalous.sum()), gaps, len(days.gaps) - gaps, job.status)


def render_each(
    result: pd.DataFrame, year: int, workers: int, progress: Callable[[int, int], None] | None = None
) -> Iterator[Chart]:
    """Every airport of the year, rendered across `workers` processes, each chart as soon as it
    is there (in airport order), so the caller can upload one while the next are drawn."""
    jobs = by_airport(result, year)
    serial = workers <= 1 or len(jobs) < 4
    mapper = map if serial else functools.partial(_pool(workers).map, chunksize=4)
    with _main_script_hidden():  # the pool's workers start while the jobs are submitted
        rendered = mapper(_render_one, jobs)
    for index, chart in enumerate(rendered):
        if progress:
            progress(index + 1, len(jobs))
        yield chart


def render_all(
    result: pd.DataFrame, year: int, workers: int, progress: Callable[[int, int], None] | None = None
) -> list[Chart]:
    """Every airport of the year, rendered across `workers` processes."""
    return list(render_each(result, year, workers, progress))


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Spawned workers run the parent's `__main__` again when it is a script file. Under Airflow's
    task runner (a scheduler or a Celery worker: Docker Compose, MWAA) that script is the `airflow`
    CLI, whose import fails in a task process (it may not reach the metadata database), and every
    worker died. Hidden while the workers start, the script is not re-run; a `python -m` parent
    (the embedded harness) is re-imported by name as before."""
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    if main is None or script is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = script


_POOL: tuple[int, ProcessPoolExecutor] | None = None


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per process, kept between years: its workers keep their warm canvas, and a
    ten-year run does not pay for starting Python and matplotlib ten times."""
    global _POOL
    if _POOL is None or _POOL[0] != workers:
        import atexit
        import multiprocessing

        if _POOL is not None:
            _POOL[1].shutdown()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        atexit.register(pool.shutdown)
        _POOL = (workers, pool)
    return _POOL[1]


def index_document(charts: list[Chart], year: int) -> dict[str, Any]:
    return {
        "year": year,
        "airports": len(charts),
        "anomalies": sum(c.anomalies for c in charts),
        "charts": [
            {
                "airport": c.airport,
                "path": f"airport={c.airport}/daily.png",
                "anomalies": c.anomalies,
                "days": c.days,
                "gap_days": c.gaps,
                "status": c.status,
            }
            for c in sorted(charts, key=lambda c: (-c.anomalies, c.airport))
        ],
    }


def index_page(index: dict[str, Any]) -> str:
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(c["path"])}">{html.escape(c["airport"])}</a></td>'
        f"<td>{c['anomalies']}</td><td>{c['days']}</td><td>{c['gap_days']}</td><td>{html.escape(c['status'])}</td></tr>"
        for c in index["charts"]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flightlake charts {index["year"]}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:2px 10px;text-align:left}}</style></head>
<body><h1>Daily flights per airport, {index["year"]}</h1>
<p>{index["airports"]} airports, {index["anomalies"]} anomalous airport-days. Click an airport for its chart.</p>
<table><thead><tr><th>airport</th><th>anomalous days</th><th>days with data</th><th>missing days</th>
<th>status</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""
