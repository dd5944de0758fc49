"""The drawing of one chart: a matplotlib figure built once per process and re-filled per airport.

Daily scheduled flights as bars (the cancelled share on top in another colour, so a storm that
cancels half the day reads as a storm, not as a quiet day), the average departure delay as a
line, anomalous days as red markers, missing days as grey bands. Agg backend: no browser, no
display. `flightlake.reporting.charts` renders many of these in parallel.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from flightlake.anomalies.calendar import year_calendar
from flightlake.reporting.airport_names import place

WIDTH_IN, HEIGHT_IN, DPI = 12.0, 4.5, 100  # 1200 x 450 px
ANOMALY_COLOUR = "#e8000b"  # pure enough to find in the pixels (tests look for it)
GAP_COLOUR = "#bdbdbd"
FLOWN_COLOUR = "#4c72b0"
CANCELLED_COLOUR = "#f2a93b"
DELAY_COLOUR = "#2f2f2f"
AXES_RECT = (0.06, 0.14, 0.86, 0.72)  # fixed, so a date maps to a known pixel column
BAR_WIDTH_DAYS = 0.85
LEGEND_BOTTOM_PX = 4  # the legend sits in the band below the month labels
PNG_COMPRESSION = 1  # zlib level: a fifth of the default's encoding time for ~15% more bytes


def _bar_verts(x: np.ndarray, bottom: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Rectangles of all bars, for ONE PolyCollection: 365 patches from `bar()` cost 5x the time."""
    half = BAR_WIDTH_DAYS / 2
    corners = [(x - half, bottom), (x - half, top), (x + half, top), (x + half, bottom)]
    return np.stack([np.column_stack(corner) for corner in corners], axis=1)


class Canvas:
    """A figure built once per process and re-filled per airport, by blitting.

    Creating axes, laying out tick labels and the legend is most of the cost of a chart, and all
    of it but the y axes is the same for every airport of a year. So the static part (frame,
    month labels, axis titles, legend) is rendered once per year and copied back for each
    airport; only the data artists, the two y axes and the title are drawn on top (about a third
    of the time of a full draw).
    """

    def __init__(self) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.dates as mdates
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import PolyCollection
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch

        self.figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.axes = self.figure.add_axes(AXES_RECT)
        self.delay_axes = self.axes.twinx()
        empty = np.zeros((0, 4, 2))
        # Bars are axis-aligned rectangles: without antialiasing they draw faster and look crisper.
        bars = {"edgecolors": "none", "antialiased": False}
        self.flown = PolyCollection(empty, facecolors=FLOWN_COLOUR, label="flights flown", **bars)
        self.cancelled = PolyCollection(empty, facecolors=CANCELLED_COLOUR, label="cancelled", **bars)
        self.gaps = PolyCollection(empty, facecolors=GAP_COLOUR, alpha=0.6, label="no data", **bars)
        for collection in (self.gaps, self.flown, self.cancelled):
            self.axes.add_collection(collection)
        self.markers = self.axes.scatter(
            [], [], marker="v", s=36, color=ANOMALY_COLOUR, zorder=5, label="anomalous day"
        )
        (self.delay,) = self.delay_axes.plot([], [], color=DELAY_COLOUR, lw=0.9, label="avg departure delay")
        self.zero = self.delay_axes.axhline(0, color=DELAY_COLOUR, lw=0.4, ls=":")
        self.axes.set_ylabel("flights scheduled per day")
        self.delay_axes.set_ylabel("avg departure delay (min)")
        from matplotlib.ticker import MaxNLocator

        # A handful of round y ticks: every tick label is text to lay out, the slow part of a chart.
        self.axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        self.delay_axes.yaxis.set_major_locator(MaxNLocator(nbins=4))
        self.axes.xaxis.set_major_locator(mdates.MonthLocator())
        self.axes.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
        self.title = self.axes.set_title("", loc="left", fontsize=12)
        handles = [self.flown, self.cancelled, self.markers, self.delay, Patch(color=GAP_COLOUR, alpha=0.6)]
        labels = [h.get_label() for h in handles[:-1]] + ["no data"]
        legend = _legend_pixels(handles, labels)
        self.figure.figimage(legend, xo=int(AXES_RECT[0] * WIDTH_IN * DPI), yo=LEGEND_BOTTOM_PX, origin="upper")
        # Drawn per airport, in this order, over the static background (spines last: bars start on them).
        self.dynamic = [
            self.gaps, self.flown, self.cancelled, self.zero, self.delay, self.markers,
            self.axes.yaxis, self.delay_axes.yaxis, self.title, *self.axes.spines.values(),
        ]  # fmt: skip
        self.year: int | None = None
        self.background = None

    def _set_year(self, year: int) -> None:
        """New x range: render the static background again (once per year and process)."""
        import matplotlib.dates as mdates

        if self.year == year:
            return
        start = mdates.date2num(pd.Timestamp(f"{year}-01-01")) - 1
        self.axes.set_xlim(start, start + len(year_calendar(year)) + 1)
        for artist in self.dynamic:
            artist.set_visible(False)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        for artist in self.dynamic:
            artist.set_visible(True)
        self.year = year

    def draw(self, days: pd.DataFrame, airport: str, year: int, method: str = "") -> bytes:
        import matplotlib.dates as mdates

        self._set_year(year)
        dates = np.array(days["flight_date"].to_numpy(), dtype="datetime64[D]")
        order = np.argsort(dates, kind="stable")
        x = mdates.date2num(dates[order])

        def column(name: str, fill: float | None = None) -> np.ndarray:
            values = days[name].to_numpy(dtype="float64", na_value=np.nan)[order]
            return values if fill is None else np.nan_to_num(values, nan=fill)

        scheduled = column("scheduled_flights", fill=0.0)
        cancelled = column("cancelled_flights", fill=0.0)
        anomalous = days["is_anomaly"].to_numpy(dtype=bool, na_value=False)[order]
        gaps = (days["status"].to_numpy() == "gap")[order]
        top = max(float(scheduled.max(initial=0.0)), 1.0)
        flown = scheduled - cancelled

        self.flown.set_verts(_bar_verts(x, np.zeros_like(flown), flown))
        self.cancelled.set_verts(_bar_verts(x, flown, scheduled))
        gap_x = x[gaps]
        self.gaps.set_verts(_bar_verts(gap_x, np.zeros_like(gap_x), np.full_like(gap_x, top * 1.18)))
        self.markers.set_offsets(np.column_stack([x[anomalous], scheduled[anomalous] + top * 0.07]))
        self.axes.set_ylim(0, top * 1.18)
        delay = column("avg_dep_delay")
        self.delay.set_data(x, delay)
        finite = delay[np.isfinite(delay)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        margin = max((high - low) * 0.05, 1.0)
        self.delay_axes.set_ylim(min(low, 0.0) - margin, high + margin)

        status = str(days["status"].iloc[0]) if len(days) else "scored"
        scored = status != "insufficient_data"
        subject = f"{int(anomalous.sum())} anomalous days" if scored else "not scored (too little data)"
        gap_note = f", {int(gaps.sum())} days missing" if gaps.any() else ""
        self.title.set_text(chart_title(airport, year, subject, gap_note, method))
        return self._blit()

    def _blit(self) -> bytes:
        from PIL import Image

        self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self.dynamic:
            artist.draw(renderer)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG", compress_level=PNG_COMPRESSION)
        return buffer.getvalue()


def chart_title(airport: str, year: int, subject: str, gap_note: str = "", method: str = "") -> str:
    """'ATL · Hartsfield/Jackson Atlanta International Airport, Atlanta · 2013 — 12 anomalous days';
    the code alone where the code names no known airport."""
    where = place(airport)
    head = f"{airport} · {where} · {year}" if where else f"{airport} {year}"
    return f"{head} — {subject}{gap_note}" + (f" ({method})" if method else "")


def _legend_pixels(handles: list, labels: list[str]) -> np.ndarray:
    """The legend, rendered once to pixels: it never changes between airports, and drawing it
    as a live legend was a quarter of the time of every chart."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, 0.3), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    legend = figure.legend(handles, labels, loc="center left", ncol=5, frameon=False, fontsize=8)
    canvas.draw()
    box = legend.get_window_extent(canvas.get_renderer())
    pixels = np.asarray(canvas.buffer_rgba())
    height = pixels.shape[0]
    top, bottom = max(int(height - box.y1), 0), min(int(height - box.y0) + 1, height)
    return pixels[top:bottom, max(int(box.x0), 0) : int(box.x1) + 1].copy()
