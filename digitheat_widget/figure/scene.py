"""The figure as shapes: rectangles, lines, texts and one gradient, in CSS pixels.

:func:`build_scene` turns a :class:`~digitheat_widget.figure.Figure` into a backend-neutral
:class:`Scene`; the SVG and PNG writers (:mod:`digitheat_widget.export`) and the exported
page's first picture only write it out, so they cannot drift apart. The geometry, ticks,
colours and titles are the figure's, as the page draws them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .colormaps import colormap_rgb
from .colors import to_hex
from .layout import (
    ACCENT_COLOR, COLORBAR_BAR_LEFT, COLORBAR_BAR_WIDTH, HIGHLIGHT_WIDTH, PANEL_MARGIN,
    STRIP_BAR, TICK_FONT_PX, TICK_LENGTH, TICK_PADDING, TITLE_FONT_PX, GridGeometry,
)
from .model import Figure

__all__ = ["Cells", "Gradient", "Line", "Rect", "Scene", "Text", "build_scene"]

# What the page gets from the notebook's stylesheet rather than from our own code: the
# axes' grey, the title colour and the colorbar's frame.
AXIS_COLOR = "#757575"
TITLE_COLOR = "#212121"  # JupyterLab's --jp-ui-font-color1: black at 87 % on white
BAR_FRAME_COLOR = "#bababa"
#: Gap between a panel's title baseline and the top of its plot area.
TITLE_GAP = 5
#: d3 centres a tick label on its tick with dy = 0.32em, and hangs x labels with 0.71em.
MIDDLE_DY, HANGING_DY = 0.32, 0.71
#: Blank margin right of the colorbar's labels: the page lets them overflow its figure,
#: a picture must not cut them off.
RIGHT_PAD = 6
BACKGROUND = "#ffffff"
FONT_FAMILY = "sans-serif"

_TICK_SIZE = TICK_FONT_PX
_TITLE_SIZE = TITLE_FONT_PX


# ---------------------------------------------------------------------------- scene


@dataclass(frozen=True)
class Rect:
    """A rectangle; ``stroke`` is drawn inside the box, ``stroke_width`` px thick."""

    x: float
    y: float
    w: float
    h: float
    fill: str | None
    stroke: str | None = None
    stroke_width: float = 0.0
    role: str = ""


@dataclass(frozen=True)
class Line:
    """A horizontal or vertical line, centred on its coordinates, ``width`` px thick."""

    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    width: float = 1.0
    role: str = ""


@dataclass(frozen=True)
class Text:
    """One line of text; ``y`` is the baseline, ``anchor`` is start, middle or end."""

    x: float
    y: float
    text: str
    size: float
    color: str
    anchor: str = "start"
    bold: bool = False
    role: str = ""


@dataclass(frozen=True)
class Gradient:
    """A rectangle filled with a vertical linear RGB gradient.

    ``stops`` are ``(offset, "#rrggbb")`` with offset 0 at the bottom and 1 at the top;
    ``horizontal``: 0 at the left, 1 at the right (a panel's scale strip).
    """

    x: float
    y: float
    w: float
    h: float
    stops: tuple[tuple[float, str], ...]
    role: str = ""
    horizontal: bool = False


@dataclass(frozen=True, eq=False)
class Cells:
    """One panel's cells as a block of colours, (rows, cols, 3) uint8, each ``cell`` px:
    what a raster writer draws in one go instead of one Rect per cell."""

    x: float
    y: float
    cell: int
    colors: np.ndarray
    role: str = "cells"


Item = Rect | Line | Text | Gradient | Cells


@dataclass(frozen=True)
class Scene:
    """Everything drawn, in CSS pixels, in painting order, on a white background."""

    width: int
    height: int
    items: tuple[Item, ...]
    #: What the picture shows, in words (its text alternative).
    description: str = ""


# Characters XML 1.0 cannot hold even escaped; a label containing one would make the SVG
# unreadable, so they become U+FFFD. Line breaks and tabs become spaces, as SVG text
# (and so the page's title) collapses them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_WHITESPACE = re.compile(r"[\t\n\r]")


def _clean_text(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", _WHITESPACE.sub(" ", text))


def build_scene(figure: Figure, raster: bool = False) -> Scene:
    """The figure as a list of shapes in CSS pixels (see the module docstring); with
    ``raster``, each panel's cells are one :class:`Cells` block instead of Rects."""
    geometry = figure.geometry
    count, rows, cols = figure.shape
    cell = geometry.cell
    tick_labels = figure.colorbar_labels
    grid_width = geometry.grid_width
    # Per-panel limits: a scale strip under each panel, no shared colorbar.
    width = grid_width + (RIGHT_PAD if figure.per_panel
                          else GridGeometry.colorbar_width(tick_labels) + RIGHT_PAD)
    height = geometry.grid_height

    items: list[Item] = [Rect(0, 0, width, height, BACKGROUND, role="background")]
    codes = np.clip(np.round(figure.cell_rgb()), 0, 255).astype(np.uint8)  # as to_hex rounds
    hex_colors = None if raster else np.array(
        [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in codes.reshape(-1, 3).tolist()]
    ).reshape(codes.shape[:3])
    chosen = set(figure.highlighted)
    for index in range(count):
        px, py = geometry.panel_origin(index)
        left, top = geometry.plot_origin(index)
        bottom, right = top + geometry.plot_height, left + geometry.plot_width
        if raster:
            items.append(Cells(left, top, cell, codes[index]))
        else:
            for r in range(rows):
                for c in range(cols):
                    items.append(Rect(left + c * cell, top + r * cell, cell, cell,
                                      str(hex_colors[index, r, c]), role="cell"))
        items += _panel_axes(left, top, right, bottom, cell, geometry.x_ticks, geometry.y_ticks)
        items.append(Text(
            (left + right) / 2, top - TITLE_GAP, _clean_text(figure.labels[index]),
            _TITLE_SIZE, TITLE_COLOR, anchor="middle", bold=index in chosen, role="title",
        ))
        if figure.per_panel:
            items += _strip(figure, index)
        if index in chosen:
            items.append(Rect(px, py, geometry.panel_width, geometry.panel_height, None,
                              stroke=ACCENT_COLOR, stroke_width=HIGHLIGHT_WIDTH,
                              role="highlight"))

    if not figure.per_panel:
        items += _colorbar(figure, grid_width, geometry.colorbar_height, tick_labels)
    return Scene(width=width, height=height, items=tuple(items),
                 description=_clean_text(figure.summary()))


def _panel_axes(
    left: float, top: float, right: float, bottom: float, cell: int,
    x_ticks: list[int], y_ticks: list[int],
) -> list[Item]:
    """d3-style axes of one panel: y on the left, x below, with outer ticks at the ends."""
    items: list[Item] = []
    axis_x = left - 0.5  # the y axis runs along the pixel column left of the cells
    axis_y = bottom + 0.5  # the x axis along the pixel row below them
    items.append(Line(axis_x, top, axis_x, bottom + 1, AXIS_COLOR, role="axis"))
    items.append(Line(left - 1, axis_y, right + 1, axis_y, AXIS_COLOR, role="axis"))
    for y in (top + 0.5, axis_y):  # outer ticks of the y axis
        items.append(Line(axis_x - TICK_LENGTH, y, axis_x, y, AXIS_COLOR, role="axis"))
    for x in (left + 0.5, right + 0.5):  # outer ticks of the x axis
        items.append(Line(x, bottom, x, bottom + TICK_LENGTH, AXIS_COLOR, role="axis"))
    for r in y_ticks:
        y = top + (r + 0.5) * cell
        items.append(Line(axis_x - TICK_LENGTH, y, axis_x, y, AXIS_COLOR, role="tick"))
        items.append(Text(axis_x - 0.5 - TICK_LENGTH - TICK_PADDING, y + MIDDLE_DY * _TICK_SIZE,
                          str(r), _TICK_SIZE, AXIS_COLOR, anchor="end", role="tick-label"))
    for c in x_ticks:
        x = left + (c + 0.5) * cell
        items.append(Line(x, bottom, x, bottom + TICK_LENGTH, AXIS_COLOR, role="tick"))
        items.append(Text(x, bottom + TICK_LENGTH + TICK_PADDING + HANGING_DY * _TICK_SIZE,
                          str(c), _TICK_SIZE, AXIS_COLOR, anchor="middle", role="tick-label"))
    return items


def _gradient_stops(figure: Figure) -> tuple[tuple[float, str], ...]:
    stops = colormap_rgb(figure.colormap)
    offsets = np.linspace(0.0, 1.0, len(stops))
    return tuple((float(o), to_hex(tuple(s))) for o, s in zip(offsets, stops))


def _strip(figure: Figure, index: int) -> list[Item]:
    """Panel ``index``'s scale strip (per-panel limits): a horizontal bar of the colormap
    as wide as its cells, under its axis labels, and its low and high limits under the
    bar's ends (the page draws the same: js/src/page/strip.js)."""
    geometry = figure.geometry
    x, y = geometry.strip_origin(index)
    w = geometry.plot_width
    low, high = figure.strip_labels(index)
    baseline = y + STRIP_BAR + 1 + TICK_FONT_PX
    return [
        Gradient(x, y, w, STRIP_BAR, _gradient_stops(figure), role="strip", horizontal=True),
        Rect(x, y, w, STRIP_BAR, None, stroke=BAR_FRAME_COLOR, stroke_width=1,
             role="strip-frame"),
        Text(x, baseline, low, _TICK_SIZE, AXIS_COLOR, anchor="start", role="strip-label"),
        Text(x + w, baseline, high, _TICK_SIZE, AXIS_COLOR, anchor="end", role="strip-label"),
    ]


def _colorbar(
    figure: Figure, grid_width: int, height: int, tick_labels: list[str]
) -> list[Item]:
    """The vertical bar from the top of the first row of plot areas to the bottom of the
    last, its frame, its axis on the right and the tick labels at ``tick_values``."""
    lo, hi = figure.limits
    x = grid_width + COLORBAR_BAR_LEFT
    w = COLORBAR_BAR_WIDTH
    top = PANEL_MARGIN["top"]
    bottom = height - PANEL_MARGIN["bottom"]
    stops = colormap_rgb(figure.colormap)
    offsets = np.linspace(0.0, 1.0, len(stops))
    items: list[Item] = [
        Gradient(x, top, w, bottom - top,
                 tuple((float(o), to_hex(tuple(s))) for o, s in zip(offsets, stops)),
                 role="colorbar"),
        Rect(x, top, w, bottom - top, None, stroke=BAR_FRAME_COLOR, stroke_width=1,
             role="colorbar-frame"),
    ]
    axis_x = x + w + 0.5
    items.append(Line(axis_x, top, axis_x, bottom, AXIS_COLOR, role="axis"))
    for y in (top + 0.5, bottom - 0.5):  # outer ticks
        items.append(Line(axis_x, y, axis_x + TICK_LENGTH, y, AXIS_COLOR, role="axis"))
    values = figure.colorbar_ticks
    for value, label in zip(values, tick_labels):
        y = bottom - (value - lo) / (hi - lo) * (bottom - top)
        items.append(Line(axis_x, y, axis_x + TICK_LENGTH, y, AXIS_COLOR, role="tick"))
        items.append(Text(axis_x + 0.5 + TICK_LENGTH + TICK_PADDING, y + MIDDLE_DY * _TICK_SIZE,
                          label, _TICK_SIZE, AXIS_COLOR, anchor="start",
                          role="colorbar-label"))
    return items
