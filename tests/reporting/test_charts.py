"""Charts: the rendered PNG has the promised size, and anomalous days and gaps are drawn."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from flightlake.anomalies import detect
from flightlake.reporting import chart_canvas as canvas
from flightlake.reporting import charts
from tests.anomalies.test_anomalies import GAP_DAY, STORM_CANCEL, STORM_DELAY, YEAR, airport_year, with_events


@pytest.fixture(scope="module")
def result() -> pd.DataFrame:
    daily = pd.concat([with_events(airport_year("BIG", 400, 1)), airport_year("CLR", 60, 2)], ignore_index=True)
    return detect(daily, YEAR, "robust")


def pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB")).astype(int)


def colour_mask(image: np.ndarray, hex_colour: str, tolerance: int = 40) -> np.ndarray:
    target = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return np.abs(image - target).sum(axis=2) < tolerance


def x_of(date: str) -> float:
    """The pixel column of a day: the axes span 1 Jan - 1 day to 31 Dec + 1 day."""
    left, _, width, _ = canvas.AXES_RECT
    days = (pd.Timestamp(date) - pd.Timestamp(f"{YEAR}-01-01")).days + 1
    return (left + width * days / (365 + 1)) * canvas.WIDTH_IN * canvas.DPI


def test_png_size_and_anomalous_days_are_marked_where_they_are(result):
    big = result[result["origin_airport"] == "BIG"]
    image = pixels(charts.render(big, "BIG", YEAR, "robust"))
    assert image.shape == (int(canvas.HEIGHT_IN * canvas.DPI), int(canvas.WIDTH_IN * canvas.DPI), 3)
    red = colour_mask(image, canvas.ANOMALY_COLOUR)
    columns = np.flatnonzero(red.any(axis=0))
    assert len(columns) > 0
    for day in (STORM_DELAY, STORM_CANCEL):
        assert np.abs(columns - x_of(day)).min() <= 4, day
    # the markers sit above the bars of those days, nowhere else (the legend swatch aside)
    plot_top, plot_bottom = int((1 - 0.86) * image.shape[0]), int((1 - 0.14) * image.shape[0])
    marked = np.flatnonzero(red[plot_top:plot_bottom].any(axis=0))
    assert {round(x_of(STORM_DELAY)), round(x_of(STORM_CANCEL))} & set(range(marked.min(), marked.max() + 1))
    assert marked.max() - marked.min() < x_of(STORM_CANCEL) - x_of(STORM_DELAY) + 12


def test_gap_is_visible_and_cancelled_flights_are_drawn(result):
    big = result[result["origin_airport"] == "BIG"]
    image = pixels(charts.render(big, "BIG", YEAR))
    grey = colour_mask(image, "#d9d9d9", tolerance=30)  # the gap colour over white at 60%
    gap_columns = np.flatnonzero(grey[100:300].sum(axis=0) > 50)
    assert len(gap_columns) and np.abs(gap_columns - x_of(GAP_DAY)).min() <= 3
    orange = colour_mask(image, canvas.CANCELLED_COLOUR)
    assert orange[:, int(x_of(STORM_CANCEL)) - 1 : int(x_of(STORM_CANCEL)) + 2].sum() > 50


def test_an_ordinary_airport_has_no_anomaly_marks(result):
    clear = result[result["origin_airport"] == "CLR"]
    assert not clear["is_anomaly"].any()
    image = pixels(charts.render(clear, "CLR", YEAR))
    plot = colour_mask(image, canvas.ANOMALY_COLOUR)[: int(0.86 * image.shape[0])]
    assert plot.sum() == 0


def test_render_all_in_parallel_and_index(result):
    copies = [result[result["origin_airport"] == "CLR"].assign(origin_airport=code) for code in ("CL2", "CL3", "CL4")]
    rendered = charts.render_all(pd.concat([result, *copies]), YEAR, workers=2)
    assert [c.airport for c in rendered] == ["BIG", "CL2", "CL3", "CL4", "CLR"]
    # same data, same picture, whichever process drew it and whatever it drew before
    assert rendered[1].png == charts.render(copies[0], "CL2", YEAR, "robust")
    assert rendered[0].anomalies == 2 and rendered[0].gaps == 1 and rendered[4].anomalies == 0
    index = charts.index_document(rendered, YEAR)
    assert index["charts"][0] == {
        "airport": "BIG", "path": "airport=BIG/daily.png", "anomalies": 2, "days": 364, "gap_days": 1, "status": "scored",
    }  # fmt: skip
    page = charts.index_page(index)
    assert 'href="airport=BIG/daily.png"' in page and "<td>2</td>" in page


SCRIPT_MAIN = """
import sys
if __name__ != "__main__":  # what Airflow's CLI does when a spawned worker re-runs it: fail
    raise SystemExit("the parent's script was run again in a worker")
import pandas as pd
from flightlake.anomalies import detect
from flightlake.reporting import charts
from tests.anomalies.test_anomalies import YEAR, airport_year
daily = pd.concat([airport_year(code, 60, seed) for seed, code in enumerate(["AAA", "BBB", "CCC", "DDD"])])
rendered = charts.render_all(detect(daily, YEAR, "robust"), YEAR, workers=2)
print(len(rendered))
"""


def test_render_all_from_a_script_main_does_not_run_the_script_in_its_workers(tmp_path):
    # Found by the first `make compose-check`: under the Airflow scheduler, __main__ is the
    # `airflow` script, and every spawned chart worker died importing it again.
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "main_script.py"
    script.write_text(SCRIPT_MAIN)
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [sys.executable, str(script)], cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0 and run.stdout.strip() == "4", run.stderr[-2000:]
