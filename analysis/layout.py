"""Figures laid out in inches up front, then encoded as PNG and SVG.

``tight_layout`` and ``constrained_layout`` find margins by measuring every
text of a figure, which costs about as much as drawing it. Here the title
band, the caption band and the tick-label margins are computed from font
metrics before anything is drawn (:func:`text_width`), axes are placed at
fixed positions, and each figure is drawn exactly twice: once to PNG, once to
SVG. SVG text stays text (``svg.fonttype: none``): smaller, searchable, and
far cheaper than converting every glyph to a path.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ParamSpec

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.transforms import Bbox
from PIL import ImageFont

STYLE: dict[str, Any] = {"svg.hashsalt": "toolcensus", "svg.fonttype": "none",
                         "font.size": 9, "axes.titlesize": 10, "figure.dpi": 100,
                         "savefig.dpi": 110, "legend.fontsize": 7}
P = ParamSpec("P")
TITLE_SIZE = 12.0
CAPTION_SIZE = 7.5
PAD = 0.12  # inches between a band and the figure edge


@dataclass(frozen=True)
class Chart:
    """One rendered chart: file stem, title, caption and both encodings."""

    name: str
    title: str
    caption: str
    png: bytes
    svg: bytes
    empty: bool = False  # True when the chart only says there was too little data


@dataclass(frozen=True)
class Box:
    """The free area of a figure for axes, in inches from its bottom-left corner."""

    left: float
    bottom: float
    right: float
    top: float


class LayoutError(AssertionError):
    """A chart's text would be cut off at the edge of its image or overlap other axes."""


_CHECK: ContextVar[bool] = ContextVar("check_layout", default=False)


@contextmanager
def checking() -> Iterator[None]:
    """Within this block, :func:`render` also measures every text of a chart and raises
    :class:`LayoutError` when one sticks out of the image (one extra draw per chart)."""
    token = _CHECK.set(True)
    try:
        yield
    finally:
        _CHECK.reset(token)


def is_checking() -> bool:
    """Whether :func:`checking` is on."""
    return _CHECK.get()


def overflow(fig: Figure, tolerance: float = 1.0) -> list[str]:
    """What of ``fig`` is cut off at its edge or drawn over another axes (one layout pass).

    Checks the tight box of every axes (tick labels, axis labels, title,
    legend) and every figure-level text against the image, and against the
    plotting area of every other axes.
    """
    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
    fig.draw_without_rendering()
    frame = fig.bbox.padded(tolerance)
    items: list[tuple[str, Bbox | None, Bbox | None]] = [
        (f"axes {ax.get_title() or ax.get_label() or i}", ax.get_tightbbox(renderer), ax.bbox)
        for i, ax in enumerate(fig.axes)]
    items += [(f"text {t.get_text()[:30]!r}", t.get_window_extent(renderer), None)
              for t in fig.texts]
    items += [("legend", leg.get_window_extent(renderer), None) for leg in fig.legends]
    out = []
    for i, (name, box, _) in enumerate(items):  # outer boxes against plot areas and texts
        if box is None:
            continue
        if not (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)):
            out.append(f"{name} outside the image {tuple(round(v) for v in box.bounds)}")
        inner = box.padded(-tolerance)
        for j, (other, other_box, core) in enumerate(items):
            target = core if core is not None else other_box
            if j != i and target is not None and inner.overlaps(target):
                out.append(f"{name} over {other}")
    return out


@contextmanager
def style() -> Iterator[None]:
    """The chart style, for the duration of building and encoding charts."""
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        yield


def styled(func: Callable[P, Chart]) -> Callable[P, Chart]:
    """Build and encode the chart that ``func`` returns in the chart style."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
        with style():
            return func(*args, **kwargs)
    return wrapper


@lru_cache(maxsize=4)
def _font(bold: bool) -> ImageFont.FreeTypeFont:
    """The chart font at 100 px per em (Pillow measures ~50× faster than ft2font here)."""
    path = findfont(FontProperties(family=matplotlib.rcParams["font.family"],
                                   weight="bold" if bold else "normal"))
    return ImageFont.truetype(path, 100)


def text_width(texts: Iterable[object], size: float = 9.0, bold: bool = False) -> float:
    """Width in inches of the widest of ``texts`` (multi-line texts: widest line).

    >>> text_width(["numpy", "scikit-learn"]) > text_width(["numpy"]) > 0
    True
    """
    font = _font(bold)
    widest = max((font.getlength(line) for text in texts for line in str(text).split("\n")),
                 default=0.0)
    return widest / 100 * size / 72 * 1.06  # hinting at output resolution widens text a bit


def wrap(text: str, width_in: float, size: float, bold: bool = False) -> list[str]:
    """``text`` wrapped greedily into lines no wider than ``width_in`` inches."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        longer = f"{line} {word}" if line else word
        if line and text_width([longer], size, bold) > width_in:
            lines.append(line)
            line = word
        else:
            line = longer
    return lines + [line] if line or not lines else lines


def line_height(size: float) -> float:
    """Inches per line of ``size``-point text."""
    return 1.25 * size / 72


def figure(title: str, caption: str, width: float, plot_height: float,
           below: float = 0.5) -> tuple[Figure, Box]:
    """A figure with its title on top and caption at the bottom.

    ``plot_height`` is the height left for axes; ``below`` is the band under it
    for x tick labels and the x label. Returns the figure and the free box.
    """
    title_lines = wrap(title, width - 2 * PAD, TITLE_SIZE, bold=True)
    cap_lines = wrap(caption, width - 2 * PAD, CAPTION_SIZE)
    top_band = PAD + line_height(TITLE_SIZE) * len(title_lines) + 0.15
    cap_band = PAD + line_height(CAPTION_SIZE) * len(cap_lines) + 0.1
    height = top_band + plot_height + below + cap_band
    fig = Figure(figsize=(width, height))
    fig.text(0.5, 1 - PAD / height, "\n".join(title_lines), ha="center", va="top",
             fontsize=TITLE_SIZE, fontweight="bold")
    fig.text(PAD / width, PAD / height, "\n".join(cap_lines), ha="left", va="bottom",
             fontsize=CAPTION_SIZE, color="#333333")
    return fig, Box(0.0, cap_band + below, width, height - top_band)


def add_axes(fig: Figure, box: Box, left: float = 0.0, right: float = 0.0, top: float = 0.0,
             bottom: float = 0.0, **kwargs: Any) -> Axes:
    """Axes filling ``box`` minus the given margins (inches)."""
    width, height = fig.get_size_inches()
    x0, x1 = box.left + left, box.right - right
    y0, y1 = box.bottom + bottom, box.top - top
    return fig.add_axes((x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height),
                        **kwargs)


def y_margin(labels: Iterable[object], size: float = 9.0, ylabel: bool = True) -> float:
    """Left margin (inches) for y tick ``labels`` and, optionally, a y-axis label."""
    return text_width(labels, size) + 0.12 + (0.25 if ylabel else 0.0)


def render(name: str, fig: Figure, title: str, caption: str, empty: bool = False) -> Chart:
    """Encode ``fig`` as PNG and SVG (two draws, no layout pass)."""
    if _CHECK.get() and (cut := overflow(fig)):
        raise LayoutError(f"chart {name}: {'; '.join(cut)}")
    out = []
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        if fmt == "png":  # zlib level 3: as small as the default 6 here, and faster
            fig.savefig(buf, format=fmt, pil_kwargs={"compress_level": 3})
        else:
            fig.savefig(buf, format=fmt, metadata={"Date": None})
        out.append(buf.getvalue())
    return Chart(name, title, caption, out[0], out[1], empty)


@styled
def too_little(name: str, title: str, caption: str, why: str) -> Chart:
    """A chart that says there is too little data, and why."""
    fig, box = figure(title, caption, 7.0, 1.4, below=0.0)
    ax = add_axes(fig, box)
    ax.text(0.5, 0.5, "Too little data to draw this chart.\n" + "\n".join(
        wrap(why, 6.0, 11)), ha="center", va="center", fontsize=11, transform=ax.transAxes)
    ax.set_axis_off()
    return render(name, fig, title, caption, empty=True)
