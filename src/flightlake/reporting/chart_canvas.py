"""The drawing of one chart: a matplotlib figure built once per process and re-filled per airport.

Daily scheduled flights as bars (the cancelled share on top in another colour, so a storm that
cancels half the day reads as a storm, not as a quiet day), the average departure delay as a
line, anomalous days as red markers, missing days as grey bands. Agg backend: no browser, no
display. `flightlake.reporting.charts` renders many of these in parallel.

The PNG is written with a palette of the chart's own colours and the blends antialiasing makes of
them (`chart_palette`): a third of the bytes of a true-colour PNG, in a fifth of the encoding
time, which was a third of a chart's. The pure colours are in the palette as they are, so a day
marked red is exactly ANOMALY_COLOUR; a blended pixel is off by a few levels at most.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from flightlake.anomalies.calendar import year_calendar
from flightlake.reporting.airport_names import place

WIDTH_IN, HEIGHT_IN, DPI = 12.0, 4.5, 100  # 1200 x 450 px
ANOMALY_COLOUR = "#e8000b"  # pure enough to find in the pixels (tests look for it)
GAP_COLOUR = "#bdbdbd"
GAP_ALPHA = 0.6
FLOWN_COLOUR = "#4c72b0"
CANCELLED_COLOUR = "#f2a93b"
DELAY_COLOUR = "#2f2f2f"
AXES_RECT = (0.06, 0.14, 0.86, 0.72)  # fixed, so a date maps to a known pixel column
BAR_WIDTH_DAYS = 0.85
LEGEND_BOTTOM_PX = 4  # the legend sits in the band below the month labels
Y_TITLE_X = (0.025, 0.956)  # the y axes' titles, in figure coordinates (left, right)
PNG_COMPRESSION = 1  # zlib level: a third of level 6's encoding time for ~40% more bytes


@dataclass(frozen=True)
class AirportDays:
    """One airport's days of a year, in date order, as arrays: what a chart draws."""

    x: np.ndarray  # matplotlib date numbers
    scheduled: np.ndarray  # 0 where unknown
    cancelled: np.ndarray  # 0 where unknown
    delay: np.ndarray  # average departure delay, NaN where unknown
    anomalous: np.ndarray  # bool
    gaps: np.ndarray  # bool: no data for the day
    scored: bool  # False: too little data to score (the first day's status says so)

    @classmethod
    def of(cls, days: pd.DataFrame) -> AirportDays:
        """From rows of the anomaly table (one airport, any order)."""
        import matplotlib.dates as mdates

        dates = np.array(days["flight_date"].to_numpy(), dtype="datetime64[D]")
        order = np.argsort(dates, kind="stable")

        def column(name: str, fill: float | None = None) -> np.ndarray:
            values = days[name].to_numpy(dtype="float64", na_value=np.nan)[order]
            return values if fill is None else np.nan_to_num(values, nan=fill)

        status = days["status"].to_numpy()
        return cls(
            x=mdates.date2num(dates[order]),
            scheduled=column("scheduled_flights", fill=0.0),
            cancelled=column("cancelled_flights", fill=0.0),
            delay=column("avg_dep_delay"),
            anomalous=days["is_anomaly"].to_numpy(dtype=bool, na_value=False)[order],
            gaps=(status == "gap")[order],
            scored=not len(status) or str(status[0]) != "insufficient_data",
        )


def chart_palette() -> list[int]:
    """The chart's colours (white, black, each series, the grey of a gap over white) and, between
    the pairs antialiasing blends at an edge, evenly spaced steps: 256 colours at most."""

    def rgb(colour: str) -> np.ndarray:
        return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)

    white, black = rgb("#ffffff"), rgb("#000000")
    gap = rgb(GAP_COLOUR) * GAP_ALPHA + white * (1 - GAP_ALPHA)
    colours = [white, black, rgb(FLOWN_COLOUR), rgb(CANCELLED_COLOUR), gap, rgb(ANOMALY_COLOUR), rgb(DELAY_COLOUR)]
    # text and every series on the white background; the delay line and the markers over the bars
    pairs = [(0, i) for i in range(1, 7)] + [(6, 2), (6, 3), (6, 4), (5, 2), (5, 3), (1, 2)]
    steps = (256 - len(colours)) // len(pairs)
    blends = [colours[a] + (colours[b] - colours[a]) * k / (steps + 1) for a, b in pairs for k in range(1, steps + 1)]
    return np.round(np.array(colours + blends)).astype(int).flatten().tolist()


@cache
def _palette_image():
    from PIL import Image

    image = Image.new("P", (1, 1))
    image.putpalette(chart_palette())
    return image


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
        self.gaps = PolyCollection(empty, facecolors=GAP_COLOUR, alpha=GAP_ALPHA, label="no data", **bars)
        for collection in (self.gaps, self.flown, self.cancelled):
            self.axes.add_collection(collection)
        self.markers = self.axes.scatter(
            [], [], marker="v", s=36, color=ANOMALY_COLOUR, zorder=5, label="anomalous day"
        )
        (self.delay,) = self.delay_axes.plot([], [], color=DELAY_COLOUR, lw=0.9, label="avg departure delay")
        self.zero = self.delay_axes.axhline(0, color=DELAY_COLOUR, lw=0.4, ls=":")
        # The axis titles stand where four-digit tick labels leave room: placed by hand, they are
        # static text of the background instead of being placed again around each chart's ticks.
        middle = AXES_RECT[1] + AXES_RECT[3] / 2
        for x, title in ((Y_TITLE_X[0], "flights scheduled per day"), (Y_TITLE_X[1], "avg departure delay (min)")):
            self.figure.text(x, middle, title, rotation=90, ha="center", va="center", fontsize=10)
        from matplotlib.ticker import MaxNLocator

        # A handful of round y ticks: every tick label is text to lay out, the slow part of a chart.
        self.axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        self.delay_axes.yaxis.set_major_locator(MaxNLocator(nbins=4))
        self.axes.xaxis.set_major_locator(mdates.MonthLocator())
        self.axes.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
        self.title = self.axes.set_title("", loc="left", fontsize=12)
        handles = [self.flown, self.cancelled, self.markers, self.delay, Patch(color=GAP_COLOUR, alpha=GAP_ALPHA)]
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

    def draw(self, days: AirportDays, airport: str, year: int, method: str = "") -> bytes:
        self._set_year(year)
        x, scheduled, cancelled, anomalous, gaps = days.x, days.scheduled, days.cancelled, days.anomalous, days.gaps
        top = max(float(scheduled.max(initial=0.0)), 1.0)
        flown = scheduled - cancelled

        self.flown.set_verts(_bar_verts(x, np.zeros_like(flown), flown))
        self.cancelled.set_verts(_bar_verts(x, flown, scheduled))
        gap_x = x[gaps]
        self.gaps.set_verts(_bar_verts(gap_x, np.zeros_like(gap_x), np.full_like(gap_x, top * 1.18)))
        self.markers.set_offsets(np.column_stack([x[anomalous], scheduled[anomalous] + top * 0.07]))
        self.axes.set_ylim(0, top * 1.18)
        self.delay.set_data(x, days.delay)
        finite = days.delay[np.isfinite(days.delay)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        margin = max((high - low) * 0.05, 1.0)
        self.delay_axes.set_ylim(min(low, 0.0) - margin, high + margin)

        subject = f"{int(anomalous.sum())} anomalous days" if days.scored else "not scored (too little data)"
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
        paletted = image.convert("RGB").quantize(palette=_palette_image(), dither=Image.Dither.NONE)
        buffer = io.BytesIO()
        paletted.save(buffer, format="PNG", compress_level=PNG_COMPRESSION)
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
