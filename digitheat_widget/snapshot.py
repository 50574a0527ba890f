"""Static pictures of a :class:`~digitheat_widget.DigitHeatmapGrid`: SVG and PNG, no browser.

For slides, papers and notebooks viewed without a kernel. The picture is the figure the
page draws: the same geometry (:mod:`._render`'s margins, gaps and
:class:`~._render.GridGeometry`), the same colours (:func:`.colormaps.map_values` with the
grid's limits and colormap), the same titles, ticks, highlight and colorbar.

Both formats come from one backend-neutral :class:`Scene` (rectangles, lines, texts and
one gradient, in CSS pixels), so SVG and PNG cannot drift apart:

>>> from digitheat_widget import DigitHeatmapGrid
>>> from digitheat_widget.snapshot import render_png, render_svg
>>> grid = DigitHeatmapGrid()
>>> svg = render_svg(grid)            # str
>>> png = render_png(grid, scale=2)   # bytes, twice the page's pixel size

PNG needs Pillow (>= 10.1 for its scalable built-in font); SVG needs nothing.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Union
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from . import _render
from .colormaps import colormap_rgb, map_values
from .colors import parse_color, to_hex
from .data import tick_values

if TYPE_CHECKING:  # pragma: no cover
    from .widget import DigitHeatmapGrid

__all__ = ["Gradient", "Line", "Rect", "Scene", "Text", "build_scene", "render_png", "render_svg"]

# What the page gets from d3's axes and the notebook's stylesheet rather than from our
# own code, so _render has no name for it: tick length and label padding (d3-axis
# defaults), the axes' grey, the title colour and the colorbar's frame.
TICK_LENGTH = 6
TICK_PADDING = 3
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
#: Highlight outline thickness (the page's ``outline: 3px``, drawn inside the panel).
HIGHLIGHT_WIDTH = 3
BACKGROUND = "#ffffff"
FONT_FAMILY = "sans-serif"

_TICK_SIZE = int(_render.TICK_FONT.removesuffix("px"))
_TITLE_SIZE = int(_render.TITLE_FONT.removesuffix("px"))


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

    ``stops`` are ``(offset, "#rrggbb")`` with offset 0 at the bottom and 1 at the top.
    """

    x: float
    y: float
    w: float
    h: float
    stops: tuple[tuple[float, str], ...]
    role: str = ""


Item = Union[Rect, Line, Text, Gradient]


@dataclass(frozen=True)
class Scene:
    """Everything drawn, in CSS pixels, in painting order, on a white background."""

    width: int
    height: int
    items: tuple[Item, ...]


# Characters XML 1.0 cannot hold even escaped; a label containing one would make the SVG
# unreadable, so they become U+FFFD. Line breaks and tabs become spaces, as SVG text
# (and so the page's title) collapses them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_WHITESPACE = re.compile(r"[\t\n\r]")


def _clean_text(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", _WHITESPACE.sub(" ", text))


def _over_white(rgb: np.ndarray, alpha: float) -> np.ndarray:
    """``rgb`` (0..255, last axis) painted with ``alpha`` over a white background."""
    return rgb * alpha + 255.0 * (1.0 - alpha)


def cell_colors(grid: DigitHeatmapGrid) -> np.ndarray:
    """The colour of every cell as the page shows it, shape (N, H, W, 3), 0..255 floats.

    Values go through :func:`map_values` (clamped to the limits); NaN cells take
    ``nan_color`` (its alpha over white); with panels highlighted, the others are
    blended toward white at ``DIMMED_OPACITY``, like the page's mark opacity.
    """
    data = grid.data
    lo, hi = grid.limits
    colors = map_values(data, lo, hi, grid.colormap)
    r, g, b, alpha = parse_color(grid.nan_color)
    colors[np.isnan(data)] = _over_white(np.array([r, g, b], dtype=np.float64), alpha)
    chosen = set(grid.highlighted)
    if chosen:
        dimmed = [i for i in range(data.shape[0]) if i not in chosen]
        colors[dimmed] = _over_white(colors[dimmed], _render.DIMMED_OPACITY)
    return colors


def build_scene(grid: DigitHeatmapGrid) -> Scene:
    """The grid's figure as a list of shapes in CSS pixels (see the module docstring)."""
    geometry = grid._geometry()
    count, rows, cols = grid.data.shape
    cell = geometry.cell
    margin = _render.PANEL_MARGIN
    plot_w, plot_h = cols * cell, rows * cell
    columns = grid.columns
    grid_width = columns * geometry.panel_width + (columns - 1) * _render.GAP_X
    tick_labels = grid.tick_labels()
    width = grid_width + _render.colorbar_width(tick_labels) + RIGHT_PAD
    height = geometry.grid_height

    items: list[Item] = [Rect(0, 0, width, height, BACKGROUND, role="background")]
    colors = cell_colors(grid)
    codes = np.clip(np.round(colors), 0, 255).astype(np.uint8)  # rounded like to_hex
    hex_colors = np.array(
        [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in codes.reshape(-1, 3).tolist()]
    ).reshape(codes.shape[:3])
    chosen = set(grid.highlighted)
    x_ticks = geometry.tick_positions(cols)
    y_ticks = geometry.tick_positions(rows)

    for index in range(count):
        px = (index % columns) * (geometry.panel_width + _render.GAP_X)
        py = (index // columns) * (geometry.panel_height + _render.GAP_Y)
        left, top = px + margin["left"], py + margin["top"]
        bottom, right = top + plot_h, left + plot_w
        for r in range(rows):
            for c in range(cols):
                items.append(Rect(left + c * cell, top + r * cell, cell, cell,
                                  str(hex_colors[index, r, c]), role="cell"))
        items += _panel_axes(left, top, right, bottom, cell, x_ticks, y_ticks)
        items.append(Text(
            (left + right) / 2, top - TITLE_GAP, _clean_text(grid.labels[index]),
            _TITLE_SIZE, TITLE_COLOR, anchor="middle", bold=index in chosen, role="title",
        ))
        if index in chosen:
            items.append(Rect(px, py, geometry.panel_width, geometry.panel_height, None,
                              stroke=_render.ACCENT_COLOR, stroke_width=HIGHLIGHT_WIDTH,
                              role="highlight"))

    items += _colorbar(grid, grid_width, height, tick_labels)
    return Scene(width=width, height=height, items=tuple(items))


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


def _colorbar(
    grid: DigitHeatmapGrid, grid_width: int, height: int, tick_labels: list[str]
) -> list[Item]:
    """The vertical bar from the top of the first row of plot areas to the bottom of the
    last, its frame, its axis on the right and the tick labels at ``tick_values``."""
    lo, hi = grid.limits
    x = grid_width + _render.COLORBAR_BAR_LEFT
    w = _render.COLORBAR_BAR_WIDTH
    top = _render.PANEL_MARGIN["top"]
    bottom = height - _render.PANEL_MARGIN["bottom"]
    stops = colormap_rgb(grid.colormap)
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
    values = tick_values(lo, hi)
    for value, label in zip(values, tick_labels):
        y = bottom - (value - lo) / (hi - lo) * (bottom - top)
        items.append(Line(axis_x, y, axis_x + TICK_LENGTH, y, AXIS_COLOR, role="tick"))
        items.append(Text(axis_x + 0.5 + TICK_LENGTH + TICK_PADDING, y + MIDDLE_DY * _TICK_SIZE,
                          label, _TICK_SIZE, AXIS_COLOR, anchor="start",
                          role="colorbar-label"))
    return items


# ---------------------------------------------------------------------------- SVG


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(**attrs: object) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        text = _num(value) if isinstance(value, (int, float)) else str(value)
        parts.append(f"{name.rstrip('_').replace('_', '-')}={quoteattr(text)}")
    return " ".join(parts)


def rect_markup(item: Rect, with_role: bool = True) -> str:
    """One ``<rect>``; a stroke is drawn inside the box (SVG centres it on the edge, so the
    rectangle is inset by half the stroke). ``with_role``: write the role as its class."""
    role = item.role or None if with_role else None
    if item.stroke is None:
        return f"<rect {_attrs(class_=role, x=item.x, y=item.y, width=item.w, height=item.h, fill=item.fill)}/>"
    half = item.stroke_width / 2
    return (f"<rect {_attrs(class_=item.role or None, x=item.x + half, y=item.y + half, width=item.w - item.stroke_width, height=item.h - item.stroke_width, fill=item.fill or 'none', stroke=item.stroke, stroke_width=item.stroke_width)}/>")


def scene_to_svg(scene: Scene) -> str:
    """Write a scene as a standalone SVG document."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'{_attrs(width=scene.width, height=scene.height)} '
        f'viewBox="0 0 {scene.width} {scene.height}" '
        f'{_attrs(font_family=FONT_FAMILY, shape_rendering="crispEdges")}>',
    ]
    gradients = 0
    for item in scene.items:
        if isinstance(item, Rect):
            out.append(rect_markup(item))
        elif isinstance(item, Line):
            out.append(f"<line {_attrs(class_=item.role or None, x1=item.x1, y1=item.y1, x2=item.x2, y2=item.y2, stroke=item.color, stroke_width=item.width)}/>")
        elif isinstance(item, Text):
            anchor = None if item.anchor == "start" else item.anchor
            weight = "bold" if item.bold else None
            attrs = _attrs(class_=item.role or None, x=item.x, y=item.y, font_size=item.size,
                           fill=item.color, text_anchor=anchor, font_weight=weight)
            out.append(f"<text {attrs}>{escape(item.text)}</text>")
        elif isinstance(item, Gradient):
            gradients += 1
            gid = f"dhg-gradient-{gradients}"
            out.append(f'<defs><linearGradient id="{gid}" x1="0" y1="1" x2="0" y2="0">')
            out += [f"<stop {_attrs(offset=o, stop_color=c)}/>" for o, c in item.stops]
            out.append("</linearGradient></defs>")
            out.append(f"<rect {_attrs(class_=item.role or None, x=item.x, y=item.y, width=item.w, height=item.h)} fill=\"url(#{gid})\"/>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_svg(grid: DigitHeatmapGrid) -> str:
    """The grid's figure as an SVG document (a string), the size of the page's figure."""
    return scene_to_svg(build_scene(grid))


# ---------------------------------------------------------------------------- PNG

_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}


@lru_cache(maxsize=16)
def _font(size: int):  # noqa: ANN202 - a Pillow font
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: fixed-size bitmap font only
        return ImageFont.load_default()


def _box(x0: float, y0: float, x1: float, y1: float, scale: int) -> list[int]:
    """Pixel box (inclusive, Pillow's convention) covering [x0, x1) x [y0, y1) at ``scale``,
    at least one pixel each way."""
    left, top = round(x0 * scale), round(y0 * scale)
    right = max(left + 1, round(x1 * scale))
    low = max(top + 1, round(y1 * scale))
    return [left, top, right - 1, low - 1]


def _rgb(color: str) -> tuple[int, int, int]:
    r, g, b, _ = parse_color(color)
    return r, g, b


def scene_to_png(scene: Scene, scale: int = 2, optimize: bool = True) -> bytes:
    """Raster a scene with Pillow at ``scale`` device pixels per CSS pixel; ``optimize``
    spends time for a smaller file (off for the notebook's display fallback)."""
    from PIL import Image, ImageDraw, ImageFont

    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or not 1 <= scale <= 16:
        raise ValueError(f"scale expected an integer in 1..16, got {scale!r}")
    scale = int(scale)
    image = Image.new("RGB", (scene.width * scale, scene.height * scale), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for item in scene.items:
        if isinstance(item, Rect):
            box = _box(item.x, item.y, item.x + item.w, item.y + item.h, scale)
            if item.fill is not None:
                draw.rectangle(box, fill=_rgb(item.fill))
            if item.stroke is not None:  # Pillow draws outline width inward, like ours
                draw.rectangle(box, outline=_rgb(item.stroke),
                               width=max(1, round(item.stroke_width * scale)))
        elif isinstance(item, Line):
            half = item.width / 2
            if item.x1 == item.x2:
                y0, y1 = sorted((item.y1, item.y2))
                box = _box(item.x1 - half, y0, item.x1 + half, y1, scale)
            elif item.y1 == item.y2:
                x0, x1 = sorted((item.x1, item.x2))
                box = _box(x0, item.y1 - half, x1, item.y1 + half, scale)
            else:
                raise ValueError("only horizontal and vertical lines are supported")
            draw.rectangle(box, fill=_rgb(item.color))
        elif isinstance(item, Gradient):
            left, top, right, low = _box(item.x, item.y, item.x + item.w, item.y + item.h, scale)
            h, w = low - top + 1, right - left + 1
            offsets = np.array([o for o, _ in item.stops])
            stops = np.array([_rgb(c) for _, c in item.stops], dtype=np.float64)
            fraction = 1.0 - (np.arange(h) + 0.5) / h  # 1 at the top, 0 at the bottom
            column = np.stack([np.interp(fraction, offsets, stops[:, c]) for c in range(3)], -1)
            strip = np.repeat(np.round(column).astype(np.uint8)[:, None, :], w, axis=1)
            image.paste(Image.fromarray(strip, "RGB"), (left, top))
        elif isinstance(item, Text):
            if not item.text:
                continue
            font = _font(round(item.size * scale))
            x, y = item.x * scale, item.y * scale
            fill = _rgb(item.color)
            bold = {"stroke_width": 1, "stroke_fill": fill} if item.bold else {}
            if isinstance(font, ImageFont.FreeTypeFont):
                draw.text((x, y), item.text, fill=fill, font=font,
                          anchor=_ANCHORS[item.anchor], **bold)
            else:  # bitmap font: no anchors, place its box by hand
                x0, y0, x1, y1 = draw.textbbox((0, 0), item.text, font=font)
                shift = {"start": 0, "middle": (x1 - x0) / 2, "end": x1 - x0}[item.anchor]
                draw.text((x - shift, y - y1), item.text, fill=fill, font=font, **bold)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=optimize)
    return buffer.getvalue()


def render_png(grid: DigitHeatmapGrid, scale: int = 2, optimize: bool = True) -> bytes:
    """The grid's figure as PNG bytes, ``scale`` times the page's pixel size (for crisp
    text on slides and in PDFs). Needs Pillow."""
    return scene_to_png(build_scene(grid), scale, optimize)
